// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

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

contract Crowdsale_hdos1_0828 {
    address payable[] public investors;
    mapping(address => uint256) public invested;
    address public owner;
    constructor()  {
        owner = msg.sender;
    }
    function invest() public payable {
        investors.push(payable(msg.sender));
        invested[msg.sender] += msg.value;
    }
    function refundAll() public {
        require(msg.sender == owner);
        for (uint256 i = 0; i < investors.length; i++) { // BUG: dos
            investors[i].transfer(invested[investors[i]]);
        }
    }
    function refund() public { // SAFE: dos
        uint256 amount = invested[msg.sender];
        invested[msg.sender] = 0;
        payable(msg.sender).transfer(amount);
    }
}

contract Members_hdos2_0828 {
    address[] public members;
    mapping(address => uint256) public credits;
    function join() public {
        members.push(msg.sender);
    }
    function payDividends() public {
        for (uint256 i = 0; i < members.length; i++) { // BUG: dos
            credits[members[i]] += 1;
        }
    }
}

contract MembersCapped_hdos2_0828 {
    address[] public members;
    mapping(address => uint256) public credits;
    function join() public {
        require(members.length < 50);
        members.push(msg.sender);
    }
    function payDividends() public {
        for (uint256 i = 0; i < members.length; i++) { // SAFE: dos
            credits[members[i]] += 1;
        }
    }
}

contract MembersOwned_hdos2_0828 {
    address public owner;
    address[] public members;
    mapping(address => uint256) public credits;
    constructor()  {
        owner = msg.sender;
    }
    function addMember(address who) public {
        require(msg.sender == owner);
        members.push(who);
    }
    function payDividends() public {
        for (uint256 i = 0; i < members.length; i++) { // SAFE: dos
            credits[members[i]] += 1;
        }
    }
}

contract King_hdos3_0828 {
    address payable public king;
    uint256 public prize;
    function claim() public payable {
        require(msg.value > prize);
        king.transfer(prize); // BUG: dos
        king = payable(msg.sender);
        prize = msg.value;
    }
}

contract KingPull_hdos3_0828 {
    address public king;
    uint256 public prize;
    mapping(address => uint256) public pending;
    function claim() public payable {
        require(msg.value > prize);
        pending[king] += prize; // SAFE: dos
        king = msg.sender;
        prize = msg.value;
    }
    function withdraw() public {
        uint256 amount = pending[msg.sender];
        pending[msg.sender] = 0;
        payable(msg.sender).transfer(amount);
    }
}
