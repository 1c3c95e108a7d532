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
