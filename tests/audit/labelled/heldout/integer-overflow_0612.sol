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

contract TimeLock_hio1_0612 {
    mapping(address => uint256) public balances;
    mapping(address => uint256) public lockTime;
    function deposit() public payable {
        balances[msg.sender] += msg.value; // SAFE: integer-overflow
        lockTime[msg.sender] = now + 1 weeks;
    }
    function increaseLockTime(uint256 secondsToIncrease) public {
        lockTime[msg.sender] += secondsToIncrease; // BUG: integer-overflow
    }
    function increaseLockTimeCapped(uint256 secondsToIncrease) public {
        require(secondsToIncrease <= 365 days);
        lockTime[msg.sender] += secondsToIncrease; // SAFE: integer-overflow
    }
    function withdraw() public {
        require(balances[msg.sender] > 0);
        require(now > lockTime[msg.sender]);
        uint256 amount = balances[msg.sender];
        balances[msg.sender] = 0;
        msg.sender.transfer(amount);
    }
}

contract BatchToken_hio2_0612 {
    using SafeMathLib for uint256;
    mapping(address => uint256) public balances;
    function batchTransfer(address[] memory receivers, uint256 value) public returns (bool) {
        uint256 cnt = receivers.length;
        uint256 amount;
        amount = cnt * value; // BUG: integer-overflow
        require(cnt > 0 && cnt <= 20);
        require(value > 0 && balances[msg.sender] >= amount);
        balances[msg.sender] = balances[msg.sender].sub(amount);
        for (uint256 i = 0; i < cnt; i++) {
            balances[receivers[i]] = balances[receivers[i]].add(value);
        }
        return true;
    }
}

contract BatchTokenSafe_hio2_0612 {
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

contract Credit_hio3_0612 {
    mapping(address => uint256) public credit;
    function deposit() public payable {
        credit[msg.sender] += msg.value; // SAFE: integer-overflow
    }
    function withdraw(uint256 amount) public {
        credit[msg.sender] -= amount; // BUG: integer-overflow
        msg.sender.transfer(amount);
    }
    function withdrawChecked(uint256 amount) public {
        require(credit[msg.sender] >= amount);
        credit[msg.sender] -= amount; // SAFE: integer-overflow
        msg.sender.transfer(amount);
    }
}

contract TokenSale_hio4_0612 {
    using SafeMathLib for uint256;
    mapping(address => uint256) public balanceOf;
    uint256 constant PRICE_PER_TOKEN = 1 ether;
    function buy(uint256 numTokens) public payable {
        uint256 cost;
        cost = numTokens * PRICE_PER_TOKEN; // BUG: integer-overflow
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
