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

contract Airdrop_ddos1_0517 {
    address payable[] public holders;
    mapping(address => uint256) public owed;
    function register() public {
        holders.push(msg.sender);
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

contract Queue_ddos2_0517 {
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

interface IRewardToken_ddos3_0517 {
    function transfer(address to, uint256 value) external returns (bool);
}

contract Stakers_ddos3_0517 {
    address[] public stakers;
    IRewardToken_ddos3_0517 public rewardToken;
    mapping(address => uint256) public credits;
    constructor(IRewardToken_ddos3_0517 t) public {
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

contract Auction_ddos4_0517 {
    address payable public highestBidder;
    uint256 public highestBid;
    function bid() public payable {
        require(msg.value > highestBid);
        if (highestBid > 0) {
            require(highestBidder.send(highestBid)); // BUG: dos
        }
        highestBidder = msg.sender;
        highestBid = msg.value;
    }
}

contract AuctionPull_ddos4_0517 {
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
        msg.sender.transfer(amount);
    }
}
