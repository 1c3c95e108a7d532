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

contract AllowToken_htod1_0612 {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    function approve(address spender, uint256 value) public returns (bool) {
        allowance[msg.sender][spender] = value; // BUG: tod
        return true;
    }
    function transferFrom(address from, address to, uint256 value) public returns (bool) {
        require(balanceOf[from] >= value);
        require(allowance[from][msg.sender] >= value);
        allowance[from][msg.sender] -= value;
        balanceOf[from] -= value;
        balanceOf[to] += value;
        return true;
    }
}

contract AllowTokenSafe_htod1_0612 {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    function approve(address spender, uint256 value) public returns (bool) {
        require(value == 0 || allowance[msg.sender][spender] == 0);
        allowance[msg.sender][spender] = value; // SAFE: tod
        return true;
    }
    function transferFrom(address from, address to, uint256 value) public returns (bool) {
        require(balanceOf[from] >= value);
        require(allowance[from][msg.sender] >= value);
        allowance[from][msg.sender] -= value;
        balanceOf[from] -= value;
        balanceOf[to] += value;
        return true;
    }
}

contract Market_htod2_0612 {
    address public owner;
    uint256 public price;
    mapping(address => uint256) public stock;
    constructor() public {
        owner = msg.sender;
        price = 0.001 ether;
    }
    function setPrice(uint256 newPrice) public {
        require(msg.sender == owner);
        price = newPrice;
    }
    function buy() public payable {
        uint256 units = msg.value / price; // BUG: tod
        stock[msg.sender] += units;
    }
    function buyAtMost(uint256 maxPrice) public payable {
        require(price <= maxPrice);
        uint256 units = msg.value / price; // SAFE: tod
        stock[msg.sender] += units;
    }
}

contract Puzzle_htod3_0612 {
    bytes32 public answerHash;
    constructor(bytes32 h) public payable {
        answerHash = h;
    }
    function solve(string memory answer) public {
        require(keccak256(abi.encodePacked(answer)) == answerHash); // BUG: tod
        msg.sender.transfer(address(this).balance);
    }
}

contract PuzzleCommitReveal_htod3_0612 {
    bytes32 public answerHash;
    mapping(address => bytes32) public commits;
    mapping(address => uint256) public commitBlock;
    constructor(bytes32 h) public payable {
        answerHash = h;
    }
    function commit(bytes32 c) public {
        commits[msg.sender] = c;
        commitBlock[msg.sender] = block.number;
    }
    function reveal(string memory answer) public {
        require(commitBlock[msg.sender] > 0 && commitBlock[msg.sender] < block.number);
        require(commits[msg.sender] == keccak256(abi.encodePacked(msg.sender, answer))); // SAFE: tod
        require(keccak256(abi.encodePacked(answer)) == answerHash);
        msg.sender.transfer(address(this).balance);
    }
}
