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

contract RewardGame_dtod1_0517 {
    address payable public owner;
    uint256 public reward;
    bool public claimed;
    constructor() public {
        owner = msg.sender;
    }
    function setReward() public payable {
        require(!claimed);
        require(msg.sender == owner);
        owner.transfer(reward);
        reward = msg.value;
    }
    function claimReward(uint256 submission) public {
        require(!claimed);
        require(submission < 10);
        msg.sender.transfer(reward); // BUG: tod
        claimed = true;
    }
}

contract FixedRewardGame_dtod1_0517 {
    uint256 public reward;
    bool public claimed;
    constructor() public payable {
        reward = msg.value;
    }
    function claimReward(uint256 submission) public {
        require(!claimed);
        require(submission < 10);
        claimed = true;
        msg.sender.transfer(reward); // SAFE: tod
    }
}

contract Exchange_dtod2_0517 {
    address public owner;
    uint256 public rate = 100;
    mapping(address => uint256) public tokens;
    constructor() public {
        owner = msg.sender;
    }
    function setRate(uint256 r) public {
        require(msg.sender == owner);
        rate = r;
    }
    function sell(uint256 amount) public {
        require(tokens[msg.sender] >= amount);
        tokens[msg.sender] -= amount;
        msg.sender.transfer(amount / rate); // BUG: tod
    }
    function sellMin(uint256 amount, uint256 minOut) public {
        require(tokens[msg.sender] >= amount);
        uint256 out = amount / rate;
        require(out >= minOut); // SAFE: tod
        tokens[msg.sender] -= amount;
        msg.sender.transfer(out);
    }
}

contract HashBounty_dtod3_0517 {
    bytes32 public target;
    address public winner;
    constructor(bytes32 t) public payable {
        target = t;
    }
    function claim(bytes32 preimage) public {
        require(winner == address(0));
        if (sha256(abi.encodePacked(preimage)) == target) { // BUG: tod
            winner = msg.sender;
            msg.sender.transfer(address(this).balance);
        }
    }
}

contract HashBountyCommit_dtod3_0517 {
    bytes32 public target;
    address public winner;
    mapping(address => bytes32) public commitment;
    constructor(bytes32 t) public payable {
        target = t;
    }
    function commit(bytes32 c) public {
        commitment[msg.sender] = c;
    }
    function claim(bytes32 preimage, bytes32 salt) public {
        require(winner == address(0));
        require(keccak256(abi.encodePacked(msg.sender, preimage, salt)) == commitment[msg.sender]);
        if (sha256(abi.encodePacked(preimage)) == target) { // SAFE: tod
            winner = msg.sender;
            msg.sender.transfer(address(this).balance);
        }
    }
}

contract IncToken_dtod4_0517 {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    function approve(address spender, uint256 value) public returns (bool) {
        allowance[msg.sender][spender] = value; // SAFE: tod
        return true;
    }
    function increaseAllowance(address spender, uint256 added) public returns (bool) {
        require(allowance[msg.sender][spender] + added >= added);
        allowance[msg.sender][spender] += added;
        return true;
    }
    function decreaseAllowance(address spender, uint256 removed) public returns (bool) {
        require(allowance[msg.sender][spender] >= removed);
        allowance[msg.sender][spender] -= removed;
        return true;
    }
}

contract RaceToken_dtod4_0517 {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) internal allowed;
    event Approval(address indexed owner, address indexed spender, uint256 value);
    function approve(address spender, uint256 amount) public returns (bool) {
        allowed[msg.sender][spender] = amount; // BUG: tod
        emit Approval(msg.sender, spender, amount);
        return true;
    }
}
