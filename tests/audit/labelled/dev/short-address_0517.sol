// SPDX-License-Identifier: MIT
pragma solidity 0.5.17;

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

contract FromToken_dsa1_0517 {
    mapping(address => uint256) public balances;
    mapping(address => mapping(address => uint256)) public allowed;
    function transferFrom(address from, address to, uint256 value) public returns (bool) { // SAFE: short-address
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

contract ApproveToken_dsa2_0517 {
    mapping(address => uint256) public balances;
    mapping(address => bool) public frozen;
    mapping(address => mapping(address => uint256)) public allowed;
    function approve(address spender, uint256 value) public returns (bool) { // SAFE: short-address
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
