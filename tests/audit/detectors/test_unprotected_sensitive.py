from __future__ import annotations

from chainllm.audit.detectors.unprotected_sensitive import UnprotectedSensitive

SOURCE = """
abstract contract OwnableT {
    address private _owner;
    constructor() { _owner = msg.sender; }
    function owner() public view returns (address) { return _owner; }
    function _msgSender() internal view returns (address) { return msg.sender; }
    function _checkOwner() internal view {
        require(owner() == _msgSender(), "not owner");
    }
    modifier onlyOwner() {
        _checkOwner();
        _;
    }
}
contract Token is OwnableT {
    mapping(address => uint256) public balanceOf;
    mapping(address => bool) public minters;
    uint256 public totalSupply;
    address public treasury;
    address public pendingAdmin;
    address public admin;
    function mint(address to, uint256 n) external { // HIT
        totalSupply += n;
        balanceOf[to] += n;
    }
    function mintOwner(address to, uint256 n) external onlyOwner {
        totalSupply += n;
        balanceOf[to] += n;
    }
    function addMinter(address m) external { // HIT
        minters[m] = true;
    }
    function addMinterOwner(address m) external onlyOwner {
        minters[m] = true;
    }
    function setAdmin(address a) external { // HIT
        admin = a;
    }
    function proposeAdmin(address a) external {
        require(msg.sender == admin);
        pendingAdmin = a;
    }
    function acceptAdmin() external {
        address sender = _msgSender();
        require(sender == pendingAdmin, "not pending");
        admin = sender;
    }
    function transfer(address to, uint256 n) external {
        balanceOf[msg.sender] -= n;
        balanceOf[to] += n;
    }
}
contract Init {
    address public owner;
    bool private done;
    function initialize(address o) external { // HIT
        owner = o;
    }
    function initializeOnce(address o) external {
        require(!done);
        done = true;
        owner = o;
    }
}
contract Drain {
    function sweep() external { // HIT
        payable(msg.sender).transfer(address(this).balance);
    }
    function claim(bytes32 secret) external {
        require(keccak256(abi.encodePacked(secret)) == bytes32(0));
        payable(msg.sender).transfer(address(this).balance);
    }
}
"""


def test_sensitive_operations_need_a_caller_check(check):  # type: ignore[no-untyped-def]
    check(SOURCE, "0.8.28", UnprotectedSensitive)


# Shares minted for tokens sent beforehand and counted from the contract's own balance (the
# AMM-pair / vault shape: Uniswap v2's permissionless mint and burn) are a deposit, not a free
# mint; a fee-mint helper called from burn is the same. Free mints stay findings.
DEPOSIT_MINT = """
interface IERC20Like {
    function balanceOf(address) external view returns (uint256);
    function transfer(address, uint256) external returns (bool);
}
contract Shares {
    IERC20Like public immutable asset;
    uint256 public reserve;
    uint256 public totalSupply;
    address public feeTo;
    mapping(address => uint256) public balanceOf;
    constructor(IERC20Like a) { asset = a; feeTo = msg.sender; }
    function _mint(address to, uint256 n) internal { totalSupply += n; balanceOf[to] += n; }
    function _burn(address from, uint256 n) internal { balanceOf[from] -= n; totalSupply -= n; }
    function _mintFee() private { if (reserve > 0) _mint(feeTo, reserve / 1000); }
    function deposit(address to) external returns (uint256 shares) {
        uint256 bal = asset.balanceOf(address(this));
        shares = bal - reserve;
        _mint(to, shares);
        reserve = bal;
    }
    function redeem(address to) external returns (uint256 amount) {
        _mintFee();
        uint256 shares = balanceOf[address(this)];
        amount = shares * asset.balanceOf(address(this)) / totalSupply;
        _burn(address(this), shares);
        asset.transfer(to, amount);
        reserve = asset.balanceOf(address(this));
    }
    function faucet(address to) external { // HIT
        _mint(to, 100);
    }
    function gift(address to, uint256 n) external { // HIT
        asset.balanceOf(to);
        _mint(to, n);
    }
}
"""


def test_deposit_counted_from_own_balance_is_not_a_free_mint(check):  # type: ignore[no-untyped-def]
    check(DEPOSIT_MINT, "0.8.28", UnprotectedSensitive)


# A library's external functions run in the caller's context (Aave v3's logic libraries): the
# caller guards them. The contract that exposes one without a guard is still reported.
LIBRARY_ENTRY = """
library SweepLogic {
    function sweep(address payable to) external {
        to.transfer(address(this).balance);
    }
}
contract Guarded {
    address public owner;
    address public admin;
    constructor() { owner = msg.sender; }
    function sweep(address payable to) external {
        require(msg.sender == owner);
        SweepLogic.sweep(to);
    }
    function setAdmin(address a) external { // HIT
        admin = a;
    }
}
"""


def test_library_entry_points_are_the_callers_to_guard(check):  # type: ignore[no-untyped-def]
    check(LIBRARY_ENTRY, "0.8.28", UnprotectedSensitive)


# An initialiser that runs only while the implementation slot is unset (EIP-1967 proxies keep
# it in an assembly slot): a one-shot guard. Without the check it is reported.
SLOT_INIT = """
contract SlotProxy {
    bytes32 internal constant SLOT = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    address public owner;
    function _implementation() internal view returns (address impl) {
        bytes32 slot = SLOT;
        assembly { impl := sload(slot) }
    }
    function _setImplementation(address impl) internal {
        bytes32 slot = SLOT;
        assembly { sstore(slot, impl) }
    }
    function initialize(address logic, address o) external {
        require(_implementation() == address(0));
        _setImplementation(logic);
        owner = o;
    }
    function initializeLogic(address logic) external {
        require(_implementation() == address(0));
        _setImplementation(logic);
    }
    function initializeAgain(address logic, address o) external { // HIT
        _setImplementation(logic);
        owner = o;
    }
    function initializeLogicAgain(address logic) external { // HIT
        _setImplementation(logic);
    }
}
"""


def test_initialiser_guarded_by_an_unset_slot(check):  # type: ignore[no-untyped-def]
    check(SLOT_INIT, "0.8.28", UnprotectedSensitive)
