// SPDX-License-Identifier: MIT
// Family C applications: a collectible (ERC721), a signed-order book, an on-chain-confirm
// multisig, merkle airdrops and a batch sender, CREATE2 contract wallets, a bridge, a staking
// pool, payroll streams and an ERC-1967 proxy with two honest savings implementations.
pragma solidity 0.8.19;

import {IToken, SafeMove, Sig} from "./Money.sol";

contract Collectible {
    string public name;
    string public symbol;
    address public immutable creator;
    uint256 public price;
    uint256 public nextId = 1;
    mapping(uint256 => address) public ownerOf;
    mapping(address => uint256) public balanceOf;
    mapping(uint256 => address) public getApproved;
    mapping(address => mapping(address => bool)) public isApprovedForAll;

    event Transfer(address indexed from, address indexed to, uint256 indexed id);
    event Approval(address indexed owner, address indexed spender, uint256 indexed id);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    error NotAllowed();
    error WrongPrice();

    constructor(string memory name_, string memory symbol_, uint256 price_) {
        name = name_;
        symbol = symbol_;
        price = price_;
        creator = msg.sender;
    }

    function supportsInterface(bytes4 id) external pure returns (bool) {
        return id == 0x80ac58cd || id == 0x01ffc9a7;
    }

    function mint(uint256 count) external payable {
        if (msg.value != price * count) revert WrongPrice();
        for (uint256 i = 0; i < count; i++) _mintTo(msg.sender);
        SafeMove.eth(creator, msg.value);
    }

    function _mintTo(address to) private {
        uint256 id = nextId++;
        ownerOf[id] = to;
        balanceOf[to] += 1;
        emit Transfer(address(0), to, id);
    }

    function approve(address spender, uint256 id) external {
        address owner = ownerOf[id];
        if (msg.sender != owner && !isApprovedForAll[owner][msg.sender]) revert NotAllowed();
        getApproved[id] = spender;
        emit Approval(owner, spender, id);
    }

    function setApprovalForAll(address operator, bool approved) external {
        isApprovedForAll[msg.sender][operator] = approved;
        emit ApprovalForAll(msg.sender, operator, approved);
    }

    function transferFrom(address from, address to, uint256 id) public {
        if (ownerOf[id] != from) revert NotAllowed();
        if (msg.sender != from && !isApprovedForAll[from][msg.sender] && getApproved[id] != msg.sender) {
            revert NotAllowed();
        }
        delete getApproved[id];
        balanceOf[from] -= 1;
        balanceOf[to] += 1;
        ownerOf[id] = to;
        emit Transfer(from, to, id);
    }

    function safeTransferFrom(address from, address to, uint256 id) external {
        transferFrom(from, to, id);
    }
}

/// Sellers sign orders off-chain (EIP-712); a buyer fills one by paying its price.
contract OrderBook {
    bytes32 public immutable DOMAIN_SEPARATOR;
    bytes32 private constant ORDER_TYPEHASH = keccak256(
        "Order(address seller,address collection,uint256 tokenId,uint256 price,uint256 expiry,uint256 salt)"
    );
    address public immutable feeTo;
    mapping(bytes32 => bool) public done;

    event Filled(bytes32 indexed order, address indexed seller, address indexed buyer, uint256 tokenId, uint256 price);
    event Cancelled(bytes32 indexed order);

    error Stale();

    constructor(address feeTo_) {
        DOMAIN_SEPARATOR = Sig.domain("OrderBook", address(this));
        feeTo = feeTo_;
    }

    function _hash(address seller, address collection, uint256 tokenId, uint256 price, uint256 expiry, uint256 salt)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(ORDER_TYPEHASH, seller, collection, tokenId, price, expiry, salt));
    }

    function fill(
        address seller,
        address collection,
        uint256 tokenId,
        uint256 price,
        uint256 expiry,
        uint256 salt,
        bytes calldata sig
    ) external payable {
        bytes32 h = _hash(seller, collection, tokenId, price, expiry, salt);
        if (done[h] || block.timestamp > expiry || msg.value != price) revert Stale();
        done[h] = true;
        if (Sig.recover(keccak256(abi.encodePacked("\x19\x01", DOMAIN_SEPARATOR, h)), sig) != seller) {
            revert Sig.BadSignature();
        }
        Collectible(collection).transferFrom(seller, msg.sender, tokenId);
        uint256 fee = price / 40;
        if (fee > 0) SafeMove.eth(feeTo, fee);
        if (price > fee) SafeMove.eth(seller, price - fee);
        emit Filled(h, seller, msg.sender, tokenId, price);
    }

    function cancel(address collection, uint256 tokenId, uint256 price, uint256 expiry, uint256 salt) external {
        bytes32 h = _hash(msg.sender, collection, tokenId, price, expiry, salt);
        done[h] = true;
        emit Cancelled(h);
    }
}

/// Owners submit, confirm and execute on chain (no off-chain signatures).
contract CouncilWallet {
    struct Proposal {
        address to;
        uint256 value;
        bytes data;
        uint256 yes;
        bool executed;
    }

    address[] public members;
    mapping(address => bool) public isMember;
    uint256 public immutable quorum;
    Proposal[] public proposals;
    mapping(uint256 => mapping(address => bool)) public voted;

    event Submitted(uint256 indexed id, address indexed by, address to, uint256 value);
    event Confirmed(uint256 indexed id, address indexed by);
    event Executed(uint256 indexed id);

    error NotMember();
    error NotReady();

    constructor(address[] memory members_, uint256 quorum_) {
        members = members_;
        for (uint256 i = 0; i < members_.length; i++) isMember[members_[i]] = true;
        quorum = quorum_;
    }

    receive() external payable {}

    modifier onlyMember() {
        if (!isMember[msg.sender]) revert NotMember();
        _;
    }

    function submit(address to, uint256 value, bytes calldata data) external onlyMember returns (uint256 id) {
        id = proposals.length;
        proposals.push(Proposal(to, value, data, 1, false));
        voted[id][msg.sender] = true;
        emit Submitted(id, msg.sender, to, value);
    }

    function confirm(uint256 id) external onlyMember {
        if (voted[id][msg.sender]) revert NotReady();
        voted[id][msg.sender] = true;
        proposals[id].yes += 1;
        emit Confirmed(id, msg.sender);
    }

    function execute(uint256 id) external onlyMember {
        Proposal storage p = proposals[id];
        if (p.executed || p.yes < quorum) revert NotReady();
        p.executed = true;
        (bool ok,) = p.to.call{value: p.value}(p.data);
        require(ok, "call failed");
        emit Executed(id);
    }

    function count() external view returns (uint256) {
        return proposals.length;
    }
}

/// Merkle-root airdrop: leaves are keccak256(abi.encodePacked(index, account, amount)),
/// pairs hashed in sorted order.
contract Distributor {
    address public immutable token;
    bytes32 public immutable root;
    mapping(uint256 => bool) public claimed;

    event Claimed(uint256 index, address indexed account, uint256 amount);

    error BadProof();

    constructor(address token_, bytes32 root_) {
        token = token_;
        root = root_;
    }

    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata proof) external {
        if (claimed[index]) revert BadProof();
        bytes32 node = keccak256(abi.encodePacked(index, account, amount));
        for (uint256 i = 0; i < proof.length; i++) {
            bytes32 p = proof[i];
            node = node < p ? keccak256(abi.encodePacked(node, p)) : keccak256(abi.encodePacked(p, node));
        }
        if (node != root) revert BadProof();
        claimed[index] = true;
        SafeMove.push(token, account, amount);
        emit Claimed(index, account, amount);
    }
}

contract BatchSender {
    function sendTokens(address token, address[] calldata to, uint256[] calldata amounts) external {
        for (uint256 i = 0; i < to.length; i++) SafeMove.pull(token, msg.sender, to[i], amounts[i]);
    }

    function sendEther(address[] calldata to, uint256[] calldata amounts) external payable {
        uint256 total;
        for (uint256 i = 0; i < to.length; i++) {
            total += amounts[i];
            SafeMove.eth(to[i], amounts[i]);
        }
        require(total == msg.value, "value");
    }
}

/// A smart-contract wallet: its owner runs calls (one or a batch) from the wallet's address.
contract SmartWallet {
    address public owner;
    uint256 public calls;

    event Executed(address indexed to, uint256 value, bytes4 selector);

    error NotOwner();

    constructor(address owner_) {
        owner = owner_;
    }

    receive() external payable {}

    function _run(address to, uint256 value, bytes calldata data) private {
        (bool ok, bytes memory ret) = to.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        calls += 1;
        emit Executed(to, value, data.length >= 4 ? bytes4(data[:4]) : bytes4(0));
    }

    function execute(address to, uint256 value, bytes calldata data) external {
        if (msg.sender != owner) revert NotOwner();
        _run(to, value, data);
    }

    function executeBatch(address[] calldata to, uint256[] calldata value, bytes[] calldata data) external {
        if (msg.sender != owner) revert NotOwner();
        for (uint256 i = 0; i < to.length; i++) _run(to[i], value[i], data[i]);
    }
}

contract WalletFactory {
    event WalletCreated(address indexed wallet, address indexed owner, bytes32 salt);

    function create(address owner, bytes32 salt) external returns (address w) {
        w = address(new SmartWallet{salt: salt}(owner));
        emit WalletCreated(w, owner, salt);
    }

    function predict(address owner, bytes32 salt) external view returns (address) {
        bytes32 h = keccak256(
            abi.encodePacked(
                bytes1(0xff), address(this), salt, keccak256(abi.encodePacked(type(SmartWallet).creationCode, abi.encode(owner)))
            )
        );
        return address(uint160(uint256(h)));
    }
}

/// A lock-and-release bridge: deposits are locked here; the relayer releases withdrawals
/// that arrive from the other side (each message id once).
contract BridgeGate {
    address public immutable relayer;
    uint256 public deposits;
    mapping(bytes32 => bool) public released;

    event Deposited(uint256 indexed id, address indexed from, address token, uint256 amount, uint256 destChain, address recipient);
    event Released(bytes32 indexed message, address indexed to, address token, uint256 amount);

    constructor(address relayer_) {
        relayer = relayer_;
    }

    receive() external payable {}

    function depositEther(uint256 destChain, address recipient) external payable {
        emit Deposited(++deposits, msg.sender, address(0), msg.value, destChain, recipient);
    }

    function depositToken(address token, uint256 amount, uint256 destChain, address recipient) external {
        SafeMove.pull(token, msg.sender, address(this), amount);
        emit Deposited(++deposits, msg.sender, token, amount, destChain, recipient);
    }

    function release(bytes32 message, address to, address token, uint256 amount) external {
        require(msg.sender == relayer && !released[message], "relayer");
        released[message] = true;
        if (token == address(0)) SafeMove.eth(to, amount);
        else SafeMove.push(token, to, amount);
        emit Released(message, to, token, amount);
    }
}

/// Stake one token, earn another at a fixed rate per second shared pro rata.
contract StakePool {
    address public immutable stakeToken;
    address public immutable rewardToken;
    uint256 public immutable rate;
    uint256 public total;
    uint256 public perShare;
    uint256 public updated;
    mapping(address => uint256) public staked;
    mapping(address => uint256) public paid;
    mapping(address => uint256) public owed;

    event Staked(address indexed who, uint256 amount);
    event Unstaked(address indexed who, uint256 amount);
    event Rewarded(address indexed who, uint256 amount);

    constructor(address stake_, address reward_, uint256 rate_) {
        stakeToken = stake_;
        rewardToken = reward_;
        rate = rate_;
        updated = block.timestamp;
    }

    modifier settle(address who) {
        if (total > 0) perShare += ((block.timestamp - updated) * rate * 1e18) / total;
        updated = block.timestamp;
        owed[who] += (staked[who] * (perShare - paid[who])) / 1e18;
        paid[who] = perShare;
        _;
    }

    function stake(uint256 amount) external settle(msg.sender) {
        SafeMove.pull(stakeToken, msg.sender, address(this), amount);
        staked[msg.sender] += amount;
        total += amount;
        emit Staked(msg.sender, amount);
    }

    function unstake(uint256 amount) external settle(msg.sender) {
        staked[msg.sender] -= amount;
        total -= amount;
        SafeMove.push(stakeToken, msg.sender, amount);
        emit Unstaked(msg.sender, amount);
    }

    function claim() external settle(msg.sender) {
        uint256 amount = owed[msg.sender];
        uint256 have = IToken(rewardToken).balanceOf(address(this));
        if (amount > have) amount = have;
        owed[msg.sender] -= amount;
        SafeMove.push(rewardToken, msg.sender, amount);
        emit Rewarded(msg.sender, amount);
    }
}

/// Payroll: an employer locks tokens that vest linearly to an employee, who withdraws.
contract PayStream {
    struct Stream {
        address payer;
        address payee;
        address token;
        uint256 total;
        uint256 start;
        uint256 stop;
        uint256 taken;
    }

    Stream[] public streams;

    event StreamOpened(uint256 indexed id, address indexed payer, address indexed payee, uint256 total);
    event Withdrawn(uint256 indexed id, uint256 amount);

    function open(address payee, address token, uint256 total, uint256 duration) external returns (uint256 id) {
        SafeMove.pull(token, msg.sender, address(this), total);
        id = streams.length;
        streams.push(Stream(msg.sender, payee, token, total, block.timestamp, block.timestamp + duration, 0));
        emit StreamOpened(id, msg.sender, payee, total);
    }

    function vested(uint256 id) public view returns (uint256) {
        Stream storage s = streams[id];
        uint256 t = block.timestamp < s.stop ? block.timestamp : s.stop;
        return (s.total * (t - s.start)) / (s.stop - s.start) - s.taken;
    }

    function withdraw(uint256 id) external {
        Stream storage s = streams[id];
        require(msg.sender == s.payee, "payee");
        uint256 amount = vested(id);
        s.taken += amount;
        SafeMove.push(s.token, s.payee, amount);
        emit Withdrawn(id, amount);
    }
}

/// ERC-1967 proxy: the admin may upgrade; every other call runs in the implementation.
contract UpgradeableProxy {
    bytes32 private constant IMPL_SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    bytes32 private constant ADMIN_SLOT = 0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103;

    event Upgraded(address indexed implementation);
    event AdminChanged(address previousAdmin, address newAdmin);

    constructor(address impl, bytes memory init) {
        assembly {
            sstore(ADMIN_SLOT, caller())
        }
        _set(impl);
        if (init.length > 0) {
            (bool ok,) = impl.delegatecall(init);
            require(ok, "init");
        }
    }

    function _set(address impl) private {
        assembly {
            sstore(IMPL_SLOT, impl)
        }
        emit Upgraded(impl);
    }

    function upgradeToAndCall(address impl, bytes calldata data) external {
        address admin;
        assembly {
            admin := sload(ADMIN_SLOT)
        }
        require(msg.sender == admin, "admin");
        _set(impl);
        if (data.length > 0) {
            (bool ok,) = impl.delegatecall(data);
            require(ok, "call");
        }
    }

    fallback() external payable {
        assembly {
            let impl := sload(IMPL_SLOT)
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }

    receive() external payable {}
}

/// Savings account behind the proxy: deposit ether, withdraw your own balance.
contract SavingsV1 {
    address public manager;
    uint256 public totalDeposits;
    mapping(address => uint256) public deposits;
    bool private initialized;

    event Deposit(address indexed who, uint256 amount);
    event Withdraw(address indexed who, uint256 amount);

    function initialize(address manager_) external {
        require(!initialized, "init");
        initialized = true;
        manager = manager_;
    }

    function deposit() external payable {
        deposits[msg.sender] += msg.value;
        totalDeposits += msg.value;
        emit Deposit(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external {
        deposits[msg.sender] -= amount;
        totalDeposits -= amount;
        SafeMove.eth(msg.sender, amount);
        emit Withdraw(msg.sender, amount);
    }

    function version() external pure virtual returns (uint256) {
        return 1;
    }
}

/// Honest upgrade: same storage, adds deposits on someone's behalf.
contract SavingsV2 is SavingsV1 {
    function depositFor(address who) external payable {
        deposits[who] += msg.value;
        totalDeposits += msg.value;
        emit Deposit(who, msg.value);
    }

    function version() external pure override returns (uint256) {
        return 2;
    }
}
