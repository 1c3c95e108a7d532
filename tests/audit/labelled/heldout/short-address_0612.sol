// SPDX-License-Identifier: MIT
pragma solidity 0.6.12;

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

contract ShortToken_hsa1_0612 {
    mapping(address => uint256) public balances;
    function transfer(address to, uint256 value) public returns (bool) { // SAFE: short-address
        require(balances[msg.sender] >= value);
        balances[msg.sender] -= value;
        balances[to] += value;
        return true;
    }
}

contract ShortTokenChecked_hsa1_0612 {
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

contract Escrow_hsa2_0612 {
    mapping(address => uint256) public owed;
    mapping(uint256 => address) public recipientOf;
    function deposit() public payable {
        owed[msg.sender] += msg.value;
    }
    function assign(address to, uint256 amount) public { // SAFE: short-address
        require(owed[msg.sender] >= amount);
        owed[msg.sender] -= amount;
        owed[to] += amount;
    }
    function setRecipient(uint256 id, address who) public { // SAFE: short-address
        require(recipientOf[id] == address(0));
        recipientOf[id] = who;
    }
}
