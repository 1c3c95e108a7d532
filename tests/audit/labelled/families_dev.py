"""Development families: the detectors were tuned on these (never on the held-out ones)."""

from __future__ import annotations

from render import Family

FAMILIES = [
    # ---- integer-overflow ----
    Family(
        "dio1",
        "integer-overflow",
        """
contract PlainToken{N} {
    mapping(address => uint256) public balances;
    function transfer(address to, uint256 value) public returns (bool) {
        {U}balances[msg.sender] -= value;{/U} // BUG: integer-overflow
        {U}balances[to] += value;{/U}
        return true;
    }
}

contract PlainTokenChecked{N} {
    mapping(address => uint256) public balances;
    function transfer(address to, uint256 value) public returns (bool) {
        require(balances[msg.sender] >= value, "balance");
        balances[msg.sender] -= value; // SAFE: integer-overflow
        balances[to] += value;
        return true;
    }
}
""",
    ),
    Family(
        "dio2",
        "integer-overflow",
        """
contract Votes{N} {
    mapping(address => uint8) public votes;
    function vote(uint8 weight) public {
        {U}votes[msg.sender] += weight;{/U} // BUG: integer-overflow
    }
    function voteChecked(uint8 weight) public {
        uint8 updated = votes[msg.sender] + weight; // SAFE: integer-overflow
        require(updated >= votes[msg.sender]);
        votes[msg.sender] = updated;
    }
}
""",
    ),
    Family(
        "dio3",
        "integer-overflow",
        """
contract Staking{N} {
    using SafeMathLib for uint256;
    mapping(address => uint256) public reward;
    function stake(uint256 amount, uint256 multiplier) public {
        {U}reward[msg.sender] = amount * multiplier;{/U} // BUG: integer-overflow
    }
    function stakeSafe(uint256 amount, uint256 multiplier) public {
        reward[msg.sender] = amount.mul(multiplier); // SAFE: integer-overflow
    }
}
""",
    ),
    Family(
        "dio4",
        "integer-overflow",
        """
contract Shop{N} {
    uint256 public basePrice = 1 ether;
    mapping(address => uint256) public bought;
    function buy(uint256 discount) public payable {
        uint256 price;
        {U}price = basePrice - discount;{/U} // BUG: integer-overflow
        require(msg.value >= price);
        bought[msg.sender] += 1;
    }
    function buyBounded(uint256 discount) public payable {
        require(discount <= basePrice);
        uint256 price = basePrice - discount; // SAFE: integer-overflow
        require(msg.value >= price);
        bought[msg.sender] += 1;
    }
    function buyClamped(uint256 discount) public payable {
        if (discount > basePrice) {
            discount = basePrice;
        }
        uint256 price = basePrice - discount; // SAFE: integer-overflow
        require(msg.value >= price);
        bought[msg.sender] += 1;
    }
}
""",
    ),
    Family(
        "dio5",
        "integer-overflow",
        """
contract Order{N} {
    uint256 public price = 1 ether;
    mapping(address => uint256) public items;
    function order(uint256 qty) public payable {
        uint256 total;
        {U}total = qty * price;{/U} // BUG: integer-overflow
        require(total <= msg.value, "pay more");
        items[msg.sender] += qty;
    }
    function orderChecked(uint256 qty) public payable {
        uint256 total = qty * price; // SAFE: integer-overflow
        require(total / price == qty);
        require(total <= msg.value, "pay more");
        items[msg.sender] += qty;
    }
    function topUp(uint256 qty) public {
        uint256 next;
        {U}next = items[msg.sender] + qty;{/U} // BUG: integer-overflow
        require(next < 1000000, "limit");
        items[msg.sender] = next;
    }
}
""",
    ),
    # ---- tod ----
    Family(
        "dtod1",
        "tod",
        """
contract RewardGame{N} {
    {PAY} public owner;
    uint256 public reward;
    bool public claimed;
    constructor() {CPUB} {
        owner = {SENDER_P};
    }
    function setReward() public payable {
        require(!claimed);
        require(msg.sender == owner);
        owner.transfer(reward);
        reward = msg.value;
    }
    function claimReward(uint256 submission) public {
        require(!claimed);
        require(submission < 10);
        {SENDER_P}.transfer(reward); // BUG: tod
        claimed = true;
    }
}

contract FixedRewardGame{N} {
    uint256 public reward;
    bool public claimed;
    constructor() {CPUB} payable {
        reward = msg.value;
    }
    function claimReward(uint256 submission) public {
        require(!claimed);
        require(submission < 10);
        claimed = true;
        {SENDER_P}.transfer(reward); // SAFE: tod
    }
}
""",
    ),
    Family(
        "dtod2",
        "tod",
        """
contract Exchange{N} {
    address public owner;
    uint256 public rate = 100;
    mapping(address => uint256) public tokens;
    constructor() {CPUB} {
        owner = msg.sender;
    }
    function setRate(uint256 r) public {
        require(msg.sender == owner);
        rate = r;
    }
    function sell(uint256 amount) public {
        require(tokens[msg.sender] >= amount);
        tokens[msg.sender] -= amount;
        {SENDER_P}.transfer(amount / rate); // BUG: tod
    }
    function sellMin(uint256 amount, uint256 minOut) public {
        require(tokens[msg.sender] >= amount);
        uint256 out = amount / rate;
        require(out >= minOut); // SAFE: tod
        tokens[msg.sender] -= amount;
        {SENDER_P}.transfer(out);
    }
}
""",
    ),
    Family(
        "dtod3",
        "tod",
        """
contract HashBounty{N} {
    bytes32 public target;
    address public winner;
    constructor(bytes32 t) {CPUB} payable {
        target = t;
    }
    function claim(bytes32 preimage) public {
        require(winner == address(0));
        if (sha256(abi.encodePacked(preimage)) == target) { // BUG: tod
            winner = msg.sender;
            {SENDER_P}.transfer(address(this).balance);
        }
    }
}

contract HashBountyCommit{N} {
    bytes32 public target;
    address public winner;
    mapping(address => bytes32) public commitment;
    constructor(bytes32 t) {CPUB} payable {
        target = t;
    }
    function commit(bytes32 c) public {
        commitment[msg.sender] = c;
    }
    function claim(bytes32 preimage, bytes32 salt) public {
        require(winner == address(0));
        require(keccak256(abi.encodePacked(msg.sender, preimage, salt)) == commitment[msg.sender]);
        if (sha256(abi.encodePacked(preimage)) == target) { // SAFE: tod
            winner = msg.sender;
            {SENDER_P}.transfer(address(this).balance);
        }
    }
}
""",
    ),
    Family(
        "dtod4",
        "tod",
        """
contract IncToken{N} {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    function approve(address spender, uint256 value) public returns (bool) {
        allowance[msg.sender][spender] = value; // SAFE: tod
        return true;
    }
    function increaseAllowance(address spender, uint256 added) public returns (bool) {
        require(allowance[msg.sender][spender] + added >= added);
        allowance[msg.sender][spender] += added;
        return true;
    }
    function decreaseAllowance(address spender, uint256 removed) public returns (bool) {
        require(allowance[msg.sender][spender] >= removed);
        allowance[msg.sender][spender] -= removed;
        return true;
    }
}

contract RaceToken{N} {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) internal allowed;
    event Approval(address indexed owner, address indexed spender, uint256 value);
    function approve(address spender, uint256 amount) public returns (bool) {
        allowed[msg.sender][spender] = amount; // BUG: tod
        emit Approval(msg.sender, spender, amount);
        return true;
    }
}
""",
    ),
    # ---- bad-randomness ----
    Family(
        "drnd1",
        "bad-randomness",
        """
contract Roulette{N} {
    uint256 public start;
    constructor() {CPUB} payable {
        start = {NOW};
    }
    function spin() public payable {
        require(msg.value == 1 ether);
        if ({NOW} % 2 == 0) { // BUG: bad-randomness
            {SENDER_P}.transfer(2 ether);
        }
    }
    function close() public {
        require({NOW} >= start + 1 days); // SAFE: bad-randomness
        start = 0;
    }
}
""",
    ),
    Family(
        "drnd2",
        "bad-randomness",
        """
contract Dice{N} {
    mapping(address => uint8) public lastRoll;
    address public oracle;
    constructor(address o) {CPUB} {
        oracle = o;
    }
    function roll() public payable {
        uint8 face = uint8(uint256(keccak256(abi.encodePacked(blockhash(block.number - 1), msg.sender))) % 6); // BUG: bad-randomness
        lastRoll[msg.sender] = face;
        if (face == 5) {
            {SENDER_P}.transfer(msg.value * 5);
        }
    }
    function rollFromOracle(address player, uint256 randomness) public {
        require(msg.sender == oracle);
        uint8 face = uint8(randomness % 6); // SAFE: bad-randomness
        lastRoll[player] = face;
    }
}
""",
    ),
    Family(
        "drnd3",
        "bad-randomness",
        """
contract Jackpot{N} {
    uint256 public nonce;
    mapping(uint256 => uint256) public createdAt;
    uint256 public count;
    function bump() public {
        nonce = block.number;
    }
    function payout() public {
        if (nonce % 3 == 0) { // BUG: bad-randomness
            {SENDER_P}.transfer(address(this).balance / 10);
        }
    }
    function record() public {
        createdAt[count] = block.number; // SAFE: bad-randomness
        count += 1;
    }
}
""",
    ),
    Family(
        "drnd4",
        "bad-randomness",
        """
contract Prevrandao{N} {
    mapping(address => bool) public winners;
    function play() public payable {
        require(msg.value == 0.01 ether);
        if (block.prevrandao % 100 < 10) { // BUG: bad-randomness
            winners[msg.sender] = true;
        }
    }
}
""",
        versions=("0.8.28",),
    ),
    Family(
        "drnd5",
        "bad-randomness",
        """
contract MinerLottery{N} {
    address public lastWinner;
    mapping(address => bytes32) public secretOf;
    function play() public payable {
        require(msg.value == 0.01 ether);
        uint256 r = uint256(keccak256(abi.encodePacked(block.coinbase, block.gaslimit))) % 100; // BUG: bad-randomness
        if (r < 10) {
            lastWinner = msg.sender;
        }
    }
    function playRevealed(bytes32 a, bytes32 b) public {
        require(secretOf[msg.sender] == keccak256(abi.encodePacked(a)));
        uint256 r = uint256(keccak256(abi.encodePacked(a, b))) % 100; // SAFE: bad-randomness
        if (r < 10) {
            lastWinner = msg.sender;
        }
    }
}
""",
    ),
    # ---- access-control ----
    Family(
        "dac1",
        "access-control",
        """
contract Owned{N} {
    address public owner;
    modifier onlyOwner() {
        require(msg.sender == owner, "owner");
        _;
    }
    constructor() {CPUB} {
        owner = msg.sender;
    }
    function changeOwner(address newOwner) public { // BUG: access-control
        owner = newOwner;
    }
    function changeOwnerSafe(address newOwner) public onlyOwner { // SAFE: access-control
        owner = newOwner;
    }
}
""",
    ),
    Family(
        "dac2",
        "access-control",
        """
contract Admins{N} {
    mapping(address => bool) public admins;
    constructor() {CPUB} {
        admins[msg.sender] = true;
    }
    function addAdmin(address a) public { // BUG: access-control
        admins[a] = true;
    }
    function addAdminSafe(address a) public { // SAFE: access-control
        require(admins[msg.sender]);
        admins[a] = true;
    }
}
""",
    ),
    Family(
        "dac3",
        "access-control",
        """
contract LogicForgot{N} {
    address public owner;
    bool public initialized;
    function initialize(address o) public { // BUG: access-control
        require(!initialized);
        owner = o;
    }
}

contract LogicInit{N} {
    address public owner;
    bool private initialized;
    modifier initializer() {
        require(!initialized, "already initialized");
        initialized = true;
        _;
    }
    function initialize(address o) public initializer { // SAFE: access-control
        owner = o;
    }
}
""",
    ),
    Family(
        "dac4",
        "access-control",
        """
contract Killable{N} {
    address public owner;
    constructor() {CPUB} {
        owner = msg.sender;
    }
    function kill() public { // BUG: access-control
        selfdestruct({SENDER_P});
    }
}

contract KillableOwned{N} {
    {PAY} public owner;
    constructor() {CPUB} {
        owner = {SENDER_P};
    }
    function kill() public { // SAFE: access-control
        require(msg.sender == owner);
        selfdestruct(owner);
    }
}
""",
    ),
    Family(
        "dac5",
        "access-control",
        """
contract Treasury{N} {
    address public owner;
    constructor() {CPUB} {
        owner = msg.sender;
    }
    function withdrawAll({PAY} to) public { // BUG: access-control
        to.transfer(address(this).balance);
    }
    function withdrawAllOwner({PAY} to) public { // SAFE: access-control
        require(msg.sender == owner);
        to.transfer(address(this).balance);
    }
}
""",
    ),
    Family(
        "dac6",
        "access-control",
        """
contract BaseOwnable{N} {
    address private _owner;
    constructor() {CPUB} {
        _owner = msg.sender;
    }
    function owner() public view returns (address) {
        return _owner;
    }
    function _checkOwner() internal view {
        require(owner() == msg.sender, "caller is not the owner");
    }
    modifier onlyOwner() {
        _checkOwner();
        _;
    }
}

contract Pool{N} is BaseOwnable{N} {
    address public operator;
    address public guardian;
    function setGuardian(address g) public onlyOwner { // SAFE: access-control
        guardian = g;
    }
    function setOperator(address op) public { // BUG: access-control
        operator = op;
    }
}
""",
    ),
    # ---- dos ----
    Family(
        "ddos1",
        "dos",
        """
contract Airdrop{N} {
    {PAY}[] public holders;
    mapping(address => uint256) public owed;
    function register() public {
        holders.push({SENDER_P});
    }
    function distribute() public payable {
        uint256 share = msg.value / holders.length;
        for (uint256 i = 0; i < holders.length; i++) { // BUG: dos
            require(holders[i].send(share));
        }
    }
    function distributePull() public payable {
        uint256 share = msg.value / 10;
        owed[msg.sender] += share; // SAFE: dos
    }
}
""",
    ),
    Family(
        "ddos2",
        "dos",
        """
contract Queue{N} {
    address[] public queue;
    mapping(address => uint256) public position;
    mapping(address => bool) public present;
    function enqueue() public {
        queue.push(msg.sender);
        present[msg.sender] = true;
    }
    function leave() public {
        for (uint256 i = 0; i < queue.length; i++) { // BUG: dos
            if (queue[i] == msg.sender) {
                queue[i] = address(0);
            }
        }
    }
    function leaveIndexed() public { // SAFE: dos
        require(present[msg.sender]);
        present[msg.sender] = false;
        queue[position[msg.sender]] = address(0);
    }
}
""",
    ),
    Family(
        "ddos3",
        "dos",
        """
interface IRewardToken{N} {
    function transfer(address to, uint256 value) external returns (bool);
}

contract Stakers{N} {
    address[] public stakers;
    IRewardToken{N} public rewardToken;
    mapping(address => uint256) public credits;
    constructor(IRewardToken{N} t) {CPUB} {
        rewardToken = t;
    }
    function stake() public {
        stakers.push(msg.sender);
    }
    function payRewards(uint256 r) public {
        for (uint256 i = 0; i < stakers.length; i++) { // BUG: dos
            require(rewardToken.transfer(stakers[i], r));
        }
    }
    function batchCredit(address[] memory who) public { // SAFE: dos
        for (uint256 i = 0; i < who.length; i++) {
            credits[who[i]] += 1;
        }
    }
}
""",
    ),
    Family(
        "ddos4",
        "dos",
        """
contract Auction{N} {
    {PAY} public highestBidder;
    uint256 public highestBid;
    function bid() public payable {
        require(msg.value > highestBid);
        if (highestBid > 0) {
            require(highestBidder.send(highestBid)); // BUG: dos
        }
        highestBidder = {SENDER_P};
        highestBid = msg.value;
    }
}

contract AuctionPull{N} {
    address public highestBidder;
    uint256 public highestBid;
    mapping(address => uint256) public pendingReturns;
    function bid() public payable {
        require(msg.value > highestBid);
        if (highestBid > 0) {
            pendingReturns[highestBidder] += highestBid; // SAFE: dos
        }
        highestBidder = msg.sender;
        highestBid = msg.value;
    }
    function withdraw() public {
        uint256 amount = pendingReturns[msg.sender];
        pendingReturns[msg.sender] = 0;
        {SENDER_P}.transfer(amount);
    }
}
""",
    ),
    # ---- short-address ----
    Family(
        "dsa1",
        "short-address",
        """
contract FromToken{N} {
    mapping(address => uint256) public balances;
    mapping(address => mapping(address => uint256)) public allowed;
    function transferFrom(address from, address to, uint256 value) public returns (bool) { // BUG: short-address
        require(balances[from] >= value && allowed[from][msg.sender] >= value);
        allowed[from][msg.sender] -= value;
        balances[from] -= value;
        balances[to] += value;
        return true;
    }
    function transferFromChecked(address from, address to, uint256 value) public returns (bool) { // SAFE: short-address
        require(msg.data.length == 100);
        require(balances[from] >= value && allowed[from][msg.sender] >= value);
        allowed[from][msg.sender] -= value;
        balances[from] -= value;
        balances[to] += value;
        return true;
    }
}
""",
        bug_before="0.5.0",
    ),
    Family(
        "dsa2",
        "short-address",
        """
contract ApproveToken{N} {
    mapping(address => uint256) public balances;
    mapping(address => bool) public frozen;
    mapping(address => mapping(address => uint256)) public allowed;
    function approve(address spender, uint256 value) public returns (bool) { // BUG: short-address
        allowed[msg.sender][spender] = value;
        return true;
    }
    function freeze(address who) public { // SAFE: short-address
        require(msg.sender == who);
        frozen[who] = true;
    }
    function burn(uint256 value) public { // SAFE: short-address
        require(balances[msg.sender] >= value);
        balances[msg.sender] -= value;
    }
}
""",
        bug_before="0.5.0",
    ),
    # ---- signature ----
    Family(
        "dsig1",
        "signature",
        """
contract SignedWithdraw{N} {
    address public owner;
    mapping(bytes32 => bool) public usedHash;
    constructor() {CPUB} {
        owner = msg.sender;
    }
    function withdraw(uint256 amount, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(msg.sender, amount));
        require(ecrecover(h, v, r, s) == owner); // BUG: signature
        {SENDER_P}.transfer(amount);
    }
    function withdrawOnce(uint256 amount, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(address(this), msg.sender, amount));
        require(!usedHash[h]);
        usedHash[h] = true;
        require(ecrecover(h, v, r, s) == owner); // SAFE: signature
        {SENDER_P}.transfer(amount);
    }
}
""",
    ),
    Family(
        "dsig2",
        "signature",
        """
contract Validated{N} {
    address public owner;
    address public validator;
    mapping(bytes32 => bool) public seen;
    constructor() {CPUB} {
        owner = msg.sender;
    }
    function setValidator(address val) public {
        require(msg.sender == owner);
        validator = val;
    }
    function _recover(bytes32 h, uint8 v, bytes32 r, bytes32 s) internal pure returns (address) {
        address a = ecrecover(h, v, r, s);
        require(a != address(0), "bad signature");
        return a;
    }
    function submit(bytes32 h, uint8 v, bytes32 r, bytes32 s) public {
        require(!seen[h]);
        seen[h] = true;
        if (ecrecover(h, v, r, s) != validator) { // BUG: signature
            revert();
        }
    }
    function submitSafe(bytes32 h, uint8 v, bytes32 r, bytes32 s) public {
        require(!seen[h]);
        seen[h] = true;
        require(_recover(h, v, r, s) == validator); // SAFE: signature
    }
}
""",
    ),
    Family(
        "dsig3",
        "signature",
        """
contract PrefixedPay{N} {
    address public signer;
    mapping(uint256 => bool) public usedNonces;
    constructor() {CPUB} payable {
        signer = msg.sender;
    }
    function pay(uint256 amount, uint256 nonce, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 inner = keccak256(abi.encodePacked(msg.sender, amount, nonce, address(this)));
        bytes32 digest = keccak256(abi.encodePacked("\\x19Ethereum Signed Message:\\n32", inner));
        address who = ecrecover(digest, v, r, s); // BUG: signature
        require(who == signer && who != address(0));
        {SENDER_P}.transfer(amount);
    }
    function payOnce(uint256 amount, uint256 nonce, uint8 v, bytes32 r, bytes32 s) public {
        require(!usedNonces[nonce]);
        usedNonces[nonce] = true;
        bytes32 inner = keccak256(abi.encodePacked(msg.sender, amount, nonce, address(this)));
        bytes32 digest = keccak256(abi.encodePacked("\\x19Ethereum Signed Message:\\n32", inner));
        address who = ecrecover(digest, v, r, s); // SAFE: signature
        require(who == signer && who != address(0));
        {SENDER_P}.transfer(amount);
    }
}
""",
    ),
]
