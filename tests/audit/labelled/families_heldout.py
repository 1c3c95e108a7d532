"""Held-out families: written before any chainllm detector existed; never used for tuning."""

from __future__ import annotations

from render import Family

FAMILIES = [
    # ---- integer-overflow (SWC-101): attacker-controlled arithmetic without checks ----
    Family(
        "hio1",
        "integer-overflow",
        """
contract TimeLock{N} {
    mapping(address => uint256) public balances;
    mapping(address => uint256) public lockTime;
    function deposit() public payable {
        balances[msg.sender] += msg.value; // SAFE: integer-overflow
        lockTime[msg.sender] = {NOW} + 1 weeks;
    }
    function increaseLockTime(uint256 secondsToIncrease) public {
        {U}lockTime[msg.sender] += secondsToIncrease;{/U} // BUG: integer-overflow
    }
    function increaseLockTimeCapped(uint256 secondsToIncrease) public {
        require(secondsToIncrease <= 365 days);
        lockTime[msg.sender] += secondsToIncrease; // SAFE: integer-overflow
    }
    function withdraw() public {
        require(balances[msg.sender] > 0);
        require({NOW} > lockTime[msg.sender]);
        uint256 amount = balances[msg.sender];
        balances[msg.sender] = 0;
        {SENDER_P}.transfer(amount);
    }
}
""",
    ),
    Family(
        "hio2",
        "integer-overflow",
        """
contract BatchToken{N} {
    using SafeMathLib for uint256;
    mapping(address => uint256) public balances;
    function batchTransfer(address[] memory receivers, uint256 value) public returns (bool) {
        uint256 cnt = receivers.length;
        uint256 amount;
        {U}amount = cnt * value;{/U} // BUG: integer-overflow
        require(cnt > 0 && cnt <= 20);
        require(value > 0 && balances[msg.sender] >= amount);
        balances[msg.sender] = balances[msg.sender].sub(amount);
        for (uint256 i = 0; i < cnt; i++) {
            balances[receivers[i]] = balances[receivers[i]].add(value);
        }
        return true;
    }
}

contract BatchTokenSafe{N} {
    using SafeMathLib for uint256;
    mapping(address => uint256) public balances;
    function batchTransfer(address[] memory receivers, uint256 value) public returns (bool) {
        uint256 cnt = receivers.length;
        uint256 amount = cnt.mul(value); // SAFE: integer-overflow
        require(cnt > 0 && cnt <= 20);
        require(value > 0 && balances[msg.sender] >= amount);
        balances[msg.sender] = balances[msg.sender].sub(amount);
        for (uint256 i = 0; i < cnt; i++) {
            balances[receivers[i]] = balances[receivers[i]].add(value);
        }
        return true;
    }
}
""",
    ),
    Family(
        "hio3",
        "integer-overflow",
        """
contract Credit{N} {
    mapping(address => uint256) public credit;
    function deposit() public payable {
        credit[msg.sender] += msg.value; // SAFE: integer-overflow
    }
    function withdraw(uint256 amount) public {
        {U}credit[msg.sender] -= amount;{/U} // BUG: integer-overflow
        {SENDER_P}.transfer(amount);
    }
    function withdrawChecked(uint256 amount) public {
        require(credit[msg.sender] >= amount);
        credit[msg.sender] -= amount; // SAFE: integer-overflow
        {SENDER_P}.transfer(amount);
    }
}
""",
    ),
    Family(
        "hio4",
        "integer-overflow",
        """
contract TokenSale{N} {
    using SafeMathLib for uint256;
    mapping(address => uint256) public balanceOf;
    uint256 constant PRICE_PER_TOKEN = 1 ether;
    function buy(uint256 numTokens) public payable {
        uint256 cost;
        {U}cost = numTokens * PRICE_PER_TOKEN;{/U} // BUG: integer-overflow
        require(msg.value == cost);
        balanceOf[msg.sender] = balanceOf[msg.sender].add(numTokens);
    }
    function buyCapped(uint256 numTokens) public payable {
        require(numTokens <= 1000000);
        uint256 cost = numTokens * PRICE_PER_TOKEN; // SAFE: integer-overflow
        require(msg.value == cost);
        balanceOf[msg.sender] = balanceOf[msg.sender].add(numTokens);
    }
}
""",
    ),
    # ---- tod (SWC-114): transaction-order dependence ----
    Family(
        "htod1",
        "tod",
        """
contract AllowToken{N} {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    function approve(address spender, uint256 value) public returns (bool) {
        allowance[msg.sender][spender] = value; // BUG: tod
        return true;
    }
    function transferFrom(address from, address to, uint256 value) public returns (bool) {
        require(balanceOf[from] >= value);
        require(allowance[from][msg.sender] >= value);
        allowance[from][msg.sender] -= value;
        balanceOf[from] -= value;
        balanceOf[to] += value;
        return true;
    }
}

contract AllowTokenSafe{N} {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    function approve(address spender, uint256 value) public returns (bool) {
        require(value == 0 || allowance[msg.sender][spender] == 0);
        allowance[msg.sender][spender] = value; // SAFE: tod
        return true;
    }
    function transferFrom(address from, address to, uint256 value) public returns (bool) {
        require(balanceOf[from] >= value);
        require(allowance[from][msg.sender] >= value);
        allowance[from][msg.sender] -= value;
        balanceOf[from] -= value;
        balanceOf[to] += value;
        return true;
    }
}
""",
    ),
    Family(
        "htod2",
        "tod",
        """
contract Market{N} {
    address public owner;
    uint256 public price;
    mapping(address => uint256) public stock;
    constructor() {CPUB} {
        owner = msg.sender;
        price = 0.001 ether;
    }
    function setPrice(uint256 newPrice) public {
        require(msg.sender == owner);
        price = newPrice;
    }
    function buy() public payable {
        uint256 units = msg.value / price; // BUG: tod
        stock[msg.sender] += units;
    }
    function buyAtMost(uint256 maxPrice) public payable {
        require(price <= maxPrice);
        uint256 units = msg.value / price; // SAFE: tod
        stock[msg.sender] += units;
    }
}
""",
    ),
    Family(
        "htod3",
        "tod",
        """
contract Puzzle{N} {
    bytes32 public answerHash;
    constructor(bytes32 h) {CPUB} payable {
        answerHash = h;
    }
    function solve(string memory answer) public {
        require(keccak256(abi.encodePacked(answer)) == answerHash); // BUG: tod
        {SENDER_P}.transfer(address(this).balance);
    }
}

contract PuzzleCommitReveal{N} {
    bytes32 public answerHash;
    mapping(address => bytes32) public commits;
    mapping(address => uint256) public commitBlock;
    constructor(bytes32 h) {CPUB} payable {
        answerHash = h;
    }
    function commit(bytes32 c) public {
        commits[msg.sender] = c;
        commitBlock[msg.sender] = block.number;
    }
    function reveal(string memory answer) public {
        require(commitBlock[msg.sender] > 0 && commitBlock[msg.sender] < block.number);
        require(commits[msg.sender] == keccak256(abi.encodePacked(msg.sender, answer))); // SAFE: tod
        require(keccak256(abi.encodePacked(answer)) == answerHash);
        {SENDER_P}.transfer(address(this).balance);
    }
}
""",
    ),
    # ---- bad-randomness (SWC-120) ----
    Family(
        "hrnd1",
        "bad-randomness",
        """
contract Lottery{N} {
    {PAY}[] public players;
    address public manager;
    constructor() {CPUB} {
        manager = msg.sender;
    }
    function enter() public payable {
        require(msg.value == 0.1 ether);
        players.push({SENDER_P});
    }
    function pickWinner() public {
        require(msg.sender == manager);
        uint256 index = uint256(keccak256(abi.encodePacked(block.difficulty, {NOW}, players.length))) % players.length; // BUG: bad-randomness
        players[index].transfer(address(this).balance);
    }
}

contract LotteryOracle{N} {
    {PAY}[] public players;
    address public coordinator;
    constructor(address c) {CPUB} {
        coordinator = c;
    }
    function enter() public payable {
        require(msg.value == 0.1 ether);
        players.push({SENDER_P});
    }
    function fulfillRandomness(bytes32 requestId, uint256 randomness) public {
        require(msg.sender == coordinator);
        require(requestId != bytes32(0));
        uint256 index = randomness % players.length; // SAFE: bad-randomness
        players[index].transfer(address(this).balance);
    }
}
""",
    ),
    Family(
        "hrnd2",
        "bad-randomness",
        """
contract CoinFlip{N} {
    mapping(address => uint256) public wins;
    uint256 lastHash;
    uint256 constant FACTOR = 57896044618658097711785492504343953926634992332820282019728792003956564819968;
    function flip(bool guess) public returns (bool) {
        uint256 blockValue = uint256(blockhash(block.number - 1));
        require(lastHash != blockValue);
        lastHash = blockValue;
        bool side = (blockValue / FACTOR) == 1; // BUG: bad-randomness
        if (side == guess) {
            wins[msg.sender] += 1;
            return true;
        }
        wins[msg.sender] = 0;
        return false;
    }
}

contract Faucet{N} {
    mapping(address => uint256) public lastDrip;
    function drip() public {
        require(block.number > lastDrip[msg.sender] + 100); // SAFE: bad-randomness
        lastDrip[msg.sender] = block.number;
        {SENDER_P}.transfer(0.001 ether);
    }
}
""",
    ),
    Family(
        "hrnd3",
        "bad-randomness",
        """
contract Raffle{N} {
    uint256 private seed;
    mapping(address => bool) public entered;
    function enter() public payable {
        require(msg.value == 1 ether);
        entered[msg.sender] = true;
        seed = uint256(keccak256(abi.encodePacked(seed, block.timestamp, msg.sender)));
    }
    function draw(uint256 ticket) public {
        require(entered[msg.sender]);
        entered[msg.sender] = false;
        if (seed % 10 == ticket) { // BUG: bad-randomness
            {SENDER_P}.transfer(address(this).balance);
        }
    }
}

contract RaffleOracleSeed{N} {
    uint256 private seed;
    address public oracle;
    mapping(address => bool) public entered;
    constructor(address o) {CPUB} {
        oracle = o;
    }
    function setSeed(uint256 s) public {
        require(msg.sender == oracle);
        seed = s;
    }
    function enter() public payable {
        require(msg.value == 1 ether);
        entered[msg.sender] = true;
    }
    function draw(uint256 ticket) public {
        require(entered[msg.sender]);
        entered[msg.sender] = false;
        if (seed % 10 == ticket) { // SAFE: bad-randomness
            {SENDER_P}.transfer(address(this).balance);
        }
    }
}
""",
    ),
    # ---- access-control (SWC-105/106/112): sensitive operations without authorisation ----
    Family(
        "hac1",
        "access-control",
        """
contract Wallet{N} {
    address public owner;
    function initWallet(address newOwner) public { // BUG: access-control
        owner = newOwner;
    }
    function withdraw(uint256 amount) public {
        require(msg.sender == owner);
        {SENDER_P}.transfer(amount);
    }
}

contract WalletInitOnce{N} {
    address public owner;
    bool public initialized;
    function initWallet(address newOwner) public { // SAFE: access-control
        require(!initialized);
        initialized = true;
        owner = newOwner;
    }
    function withdraw(uint256 amount) public {
        require(msg.sender == owner);
        {SENDER_P}.transfer(amount);
    }
}
""",
    ),
    Family(
        "hac2",
        "access-control",
        """
contract MintToken{N} {
    using SafeMathLib for uint256;
    mapping(address => uint256) public balanceOf;
    uint256 public totalSupply;
    address public minter;
    constructor() {CPUB} {
        minter = msg.sender;
    }
    function mint(address to, uint256 amount) public { // BUG: access-control
        totalSupply = totalSupply.add(amount);
        balanceOf[to] = balanceOf[to].add(amount);
    }
}

contract MintTokenOwned{N} {
    using SafeMathLib for uint256;
    mapping(address => uint256) public balanceOf;
    uint256 public totalSupply;
    address public minter;
    modifier onlyMinter() {
        require(msg.sender == minter);
        _;
    }
    constructor() {CPUB} {
        minter = msg.sender;
    }
    function mint(address to, uint256 amount) public onlyMinter { // SAFE: access-control
        totalSupply = totalSupply.add(amount);
        balanceOf[to] = balanceOf[to].add(amount);
    }
}
""",
    ),
    Family(
        "hac3",
        "access-control",
        """
contract Proxy{N} {
    address public implementation;
    address public admin;
    constructor() {CPUB} {
        admin = msg.sender;
    }
    function upgradeTo(address newImplementation) public { // BUG: access-control
        implementation = newImplementation;
    }
}

contract ProxyAdmin{N} {
    address public implementation;
    address public admin;
    constructor() {CPUB} {
        admin = msg.sender;
    }
    function upgradeTo(address newImplementation) public { // SAFE: access-control
        require(msg.sender == admin, "not admin");
        implementation = newImplementation;
    }
}
""",
    ),
    Family(
        "hac4",
        "access-control",
        """
contract Vault{N} {
    address public owner;
    mapping(address => uint256) public deposits;
    constructor() {CPUB} {
        owner = msg.sender;
    }
    function deposit() public payable {
        deposits[msg.sender] += msg.value;
    }
    function sweep() public { // BUG: access-control
        {SENDER_P}.transfer(address(this).balance);
    }
    function withdrawOwn() public { // SAFE: access-control
        uint256 amount = deposits[msg.sender];
        deposits[msg.sender] = 0;
        {SENDER_P}.transfer(amount);
    }
}

contract VaultOwned{N} {
    address public owner;
    modifier onlyOwner() {
        require(msg.sender == owner);
        _;
    }
    constructor() {CPUB} {
        owner = msg.sender;
    }
    function deposit() public payable {}
    function sweep() public onlyOwner { // SAFE: access-control
        {SENDER_P}.transfer(address(this).balance);
    }
}
""",
    ),
    # ---- dos (SWC-113/128) ----
    Family(
        "hdos1",
        "dos",
        """
contract Crowdsale{N} {
    {PAY}[] public investors;
    mapping(address => uint256) public invested;
    address public owner;
    constructor() {CPUB} {
        owner = msg.sender;
    }
    function invest() public payable {
        investors.push({SENDER_P});
        invested[msg.sender] += msg.value;
    }
    function refundAll() public {
        require(msg.sender == owner);
        for (uint256 i = 0; i < investors.length; i++) { // BUG: dos
            investors[i].transfer(invested[investors[i]]);
        }
    }
    function refund() public { // SAFE: dos
        uint256 amount = invested[msg.sender];
        invested[msg.sender] = 0;
        {SENDER_P}.transfer(amount);
    }
}
""",
    ),
    Family(
        "hdos2",
        "dos",
        """
contract Members{N} {
    address[] public members;
    mapping(address => uint256) public credits;
    function join() public {
        members.push(msg.sender);
    }
    function payDividends() public {
        for (uint256 i = 0; i < members.length; i++) { // BUG: dos
            credits[members[i]] += 1;
        }
    }
}

contract MembersCapped{N} {
    address[] public members;
    mapping(address => uint256) public credits;
    function join() public {
        require(members.length < 50);
        members.push(msg.sender);
    }
    function payDividends() public {
        for (uint256 i = 0; i < members.length; i++) { // SAFE: dos
            credits[members[i]] += 1;
        }
    }
}

contract MembersOwned{N} {
    address public owner;
    address[] public members;
    mapping(address => uint256) public credits;
    constructor() {CPUB} {
        owner = msg.sender;
    }
    function addMember(address who) public {
        require(msg.sender == owner);
        members.push(who);
    }
    function payDividends() public {
        for (uint256 i = 0; i < members.length; i++) { // SAFE: dos
            credits[members[i]] += 1;
        }
    }
}
""",
    ),
    Family(
        "hdos3",
        "dos",
        """
contract King{N} {
    {PAY} public king;
    uint256 public prize;
    function claim() public payable {
        require(msg.value > prize);
        king.transfer(prize); // BUG: dos
        king = {SENDER_P};
        prize = msg.value;
    }
}

contract KingPull{N} {
    address public king;
    uint256 public prize;
    mapping(address => uint256) public pending;
    function claim() public payable {
        require(msg.value > prize);
        pending[king] += prize; // SAFE: dos
        king = msg.sender;
        prize = msg.value;
    }
    function withdraw() public {
        uint256 amount = pending[msg.sender];
        pending[msg.sender] = 0;
        {SENDER_P}.transfer(amount);
    }
}
""",
    ),
    # ---- short-address: no calldata length check, solc < 0.5 only ----
    Family(
        "hsa1",
        "short-address",
        """
contract ShortToken{N} {
    mapping(address => uint256) public balances;
    function transfer(address to, uint256 value) public returns (bool) { // BUG: short-address
        require(balances[msg.sender] >= value);
        balances[msg.sender] -= value;
        balances[to] += value;
        return true;
    }
}

contract ShortTokenChecked{N} {
    mapping(address => uint256) public balances;
    modifier onlyPayloadSize(uint256 size) {
        require(msg.data.length >= size + 4);
        _;
    }
    function transfer(address to, uint256 value) public onlyPayloadSize(2 * 32) returns (bool) { // SAFE: short-address
        require(balances[msg.sender] >= value);
        balances[msg.sender] -= value;
        balances[to] += value;
        return true;
    }
}
""",
        bug_before="0.5.0",
    ),
    Family(
        "hsa2",
        "short-address",
        """
contract Escrow{N} {
    mapping(address => uint256) public owed;
    mapping(uint256 => address) public recipientOf;
    function deposit() public payable {
        owed[msg.sender] += msg.value;
    }
    function assign(address to, uint256 amount) public { // BUG: short-address
        require(owed[msg.sender] >= amount);
        owed[msg.sender] -= amount;
        owed[to] += amount;
    }
    function setRecipient(uint256 id, address who) public { // SAFE: short-address
        require(recipientOf[id] == address(0));
        recipientOf[id] = who;
    }
}
""",
        bug_before="0.5.0",
    ),
    # ---- signature (SWC-121 replay, SWC-117/122 ecrecover misuse) ----
    Family(
        "hsig1",
        "signature",
        """
contract MetaToken{N} {
    mapping(address => uint256) public balances;
    function transferWithSig(address from, address to, uint256 value, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(from, to, value));
        address signer = ecrecover(h, v, r, s); // BUG: signature
        require(signer == from && signer != address(0));
        require(balances[from] >= value);
        balances[from] -= value;
        balances[to] += value;
    }
}

contract MetaTokenNonce{N} {
    mapping(address => uint256) public balances;
    mapping(address => uint256) public nonces;
    function transferWithSig(address from, address to, uint256 value, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(address(this), from, to, value, nonces[from]));
        nonces[from] += 1;
        address signer = ecrecover(h, v, r, s); // SAFE: signature
        require(signer == from && signer != address(0));
        require(balances[from] >= value);
        balances[from] -= value;
        balances[to] += value;
    }
}
""",
    ),
    Family(
        "hsig2",
        "signature",
        """
contract Voucher{N} {
    address public signer;
    mapping(bytes32 => bool) public used;
    function setSigner(address s) public {
        require(signer == address(0) || msg.sender == signer);
        signer = s;
    }
    function claim(uint256 amount, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(address(this), msg.sender, amount, nonce));
        require(!used[h]);
        used[h] = true;
        require(ecrecover(h, v, r, s) == signer); // BUG: signature
        {SENDER_P}.transfer(amount);
    }
}

contract VoucherChecked{N} {
    address public signer;
    mapping(bytes32 => bool) public used;
    constructor(address s) {CPUB} {
        signer = s;
    }
    function claim(uint256 amount, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(address(this), msg.sender, amount, nonce));
        require(!used[h]);
        used[h] = true;
        address recovered = ecrecover(h, v, r, s);
        require(recovered != address(0) && recovered == signer); // SAFE: signature
        {SENDER_P}.transfer(amount);
    }
}
""",
    ),
]
