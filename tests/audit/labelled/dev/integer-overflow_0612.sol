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

contract PlainToken_dio1_0612 {
    mapping(address => uint256) public balances;
    function transfer(address to, uint256 value) public returns (bool) {
        balances[msg.sender] -= value; // BUG: integer-overflow
        balances[to] += value;
        return true;
    }
}

contract PlainTokenChecked_dio1_0612 {
    mapping(address => uint256) public balances;
    function transfer(address to, uint256 value) public returns (bool) {
        require(balances[msg.sender] >= value, "balance");
        balances[msg.sender] -= value; // SAFE: integer-overflow
        balances[to] += value;
        return true;
    }
}

contract Votes_dio2_0612 {
    mapping(address => uint8) public votes;
    function vote(uint8 weight) public {
        votes[msg.sender] += weight; // BUG: integer-overflow
    }
    function voteChecked(uint8 weight) public {
        uint8 updated = votes[msg.sender] + weight; // SAFE: integer-overflow
        require(updated >= votes[msg.sender]);
        votes[msg.sender] = updated;
    }
}

contract Staking_dio3_0612 {
    using SafeMathLib for uint256;
    mapping(address => uint256) public reward;
    function stake(uint256 amount, uint256 multiplier) public {
        reward[msg.sender] = amount * multiplier; // BUG: integer-overflow
    }
    function stakeSafe(uint256 amount, uint256 multiplier) public {
        reward[msg.sender] = amount.mul(multiplier); // SAFE: integer-overflow
    }
}

contract Shop_dio4_0612 {
    uint256 public basePrice = 1 ether;
    mapping(address => uint256) public bought;
    function buy(uint256 discount) public payable {
        uint256 price;
        price = basePrice - discount; // BUG: integer-overflow
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

contract Order_dio5_0612 {
    uint256 public price = 1 ether;
    mapping(address => uint256) public items;
    function order(uint256 qty) public payable {
        uint256 total;
        total = qty * price; // BUG: integer-overflow
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
        next = items[msg.sender] + qty; // BUG: integer-overflow
        require(next < 1000000, "limit");
        items[msg.sender] = next;
    }
}
