// SPDX-License-Identifier: MIT
pragma solidity 0.4.24;

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

contract Staking_h2io1_0424 {
    mapping(address => uint256) public owed;
    function quote(uint256 stake, uint256 rate) public view returns (uint256) {
        uint256 reward;
        reward = stake * rate; // BUG: integer-overflow
        require(reward <= address(this).balance, "pool too small");
        return reward;
    }
    function quoteChecked(uint256 stake, uint256 rate) public view returns (uint256) {
        uint256 reward = stake * rate; // SAFE: integer-overflow
        require(rate == 0 || reward / rate == stake);
        require(reward <= address(this).balance, "pool too small");
        return reward;
    }
    function accrue(uint256 stake, uint256 rate) public {
        uint256 reward;
        reward = stake * rate; // BUG: integer-overflow
        require(reward > 0);
        owed[msg.sender] = reward;
    }
}

contract Capped_h2io2_0424 {
    uint256 public constant CAP = 1000000 ether;
    mapping(address => uint256) public held;
    function credit(address to, uint256 amount) public {
        uint256 next;
        next = held[to] + amount; // BUG: integer-overflow
        require(next <= CAP, "over cap");
        held[to] = next;
    }
    function creditChecked(address to, uint256 amount) public {
        uint256 next = held[to] + amount; // SAFE: integer-overflow
        require(next >= held[to] && next <= CAP, "over cap");
        held[to] = next;
    }
}
