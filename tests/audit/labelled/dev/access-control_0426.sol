// SPDX-License-Identifier: MIT
pragma solidity 0.4.26;

library SafeMathLib {
    function add(uint256 a, uint256 b) internal pure returns (uint256) {
        uint256 c = a + b;
        require(c >= a);
        return c;
    }
    function sub(uint256 a, uint256 b) internal pure returns (uint256) {
        require(b <= a);
        return a - b;
    }
    function mul(uint256 a, uint256 b) internal pure returns (uint256) {
        if (a == 0) return 0;
        uint256 c = a * b;
        require(c / a == b);
        return c;
    }
}

contract Owned_dac1_0426 {
    address public owner;
    modifier onlyOwner() {
        require(msg.sender == owner, "owner");
        _;
    }
    constructor() public {
        owner = msg.sender;
    }
    function changeOwner(address newOwner) public { // BUG: access-control
        owner = newOwner;
    }
    function changeOwnerSafe(address newOwner) public onlyOwner { // SAFE: access-control
        owner = newOwner;
    }
}

contract Admins_dac2_0426 {
    mapping(address => bool) public admins;
    constructor() public {
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

contract LogicForgot_dac3_0426 {
    address public owner;
    bool public initialized;
    function initialize(address o) public { // BUG: access-control
        require(!initialized);
        owner = o;
    }
}

contract LogicInit_dac3_0426 {
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

contract Killable_dac4_0426 {
    address public owner;
    constructor() public {
        owner = msg.sender;
    }
    function kill() public { // BUG: access-control
        selfdestruct(msg.sender);
    }
}

contract KillableOwned_dac4_0426 {
    address public owner;
    constructor() public {
        owner = msg.sender;
    }
    function kill() public { // SAFE: access-control
        require(msg.sender == owner);
        selfdestruct(owner);
    }
}

contract Treasury_dac5_0426 {
    address public owner;
    constructor() public {
        owner = msg.sender;
    }
    function withdrawAll(address to) public { // BUG: access-control
        to.transfer(address(this).balance);
    }
    function withdrawAllOwner(address to) public { // SAFE: access-control
        require(msg.sender == owner);
        to.transfer(address(this).balance);
    }
}

contract BaseOwnable_dac6_0426 {
    address private _owner;
    constructor() public {
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

contract Pool_dac6_0426 is BaseOwnable_dac6_0426 {
    address public operator;
    address public guardian;
    function setGuardian(address g) public onlyOwner { // SAFE: access-control
        guardian = g;
    }
    function setOperator(address op) public { // BUG: access-control
        operator = op;
    }
}
