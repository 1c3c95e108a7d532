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

contract Lottery_hrnd1_0426 {
    address[] public players;
    address public manager;
    constructor() public {
        manager = msg.sender;
    }
    function enter() public payable {
        require(msg.value == 0.1 ether);
        players.push(msg.sender);
    }
    function pickWinner() public {
        require(msg.sender == manager);
        uint256 index = uint256(keccak256(abi.encodePacked(block.difficulty, now, players.length))) % players.length; // BUG: bad-randomness
        players[index].transfer(address(this).balance);
    }
}

contract LotteryOracle_hrnd1_0426 {
    address[] public players;
    address public coordinator;
    constructor(address c) public {
        coordinator = c;
    }
    function enter() public payable {
        require(msg.value == 0.1 ether);
        players.push(msg.sender);
    }
    function fulfillRandomness(bytes32 requestId, uint256 randomness) public {
        require(msg.sender == coordinator);
        require(requestId != bytes32(0));
        uint256 index = randomness % players.length; // SAFE: bad-randomness
        players[index].transfer(address(this).balance);
    }
}

contract CoinFlip_hrnd2_0426 {
    mapping(address => uint256) public wins;
    uint256 lastHash;
    uint256 constant FACTOR = 57896044618658097711785492504343953926634992332820282019728792003956564819968;
    function flip(bool guess) public returns (bool) {
        uint256 blockValue = uint256(blockhash(block.number - 1));
        require(lastHash != blockValue);
        lastHash = blockValue;
        bool side = (blockValue / FACTOR) == 1; // BUG: bad-randomness
        if (side == guess) {
            wins[msg.sender] += 1;
            return true;
        }
        wins[msg.sender] = 0;
        return false;
    }
}

contract Faucet_hrnd2_0426 {
    mapping(address => uint256) public lastDrip;
    function drip() public {
        require(block.number > lastDrip[msg.sender] + 100); // SAFE: bad-randomness
        lastDrip[msg.sender] = block.number;
        msg.sender.transfer(0.001 ether);
    }
}

contract Raffle_hrnd3_0426 {
    uint256 private seed;
    mapping(address => bool) public entered;
    function enter() public payable {
        require(msg.value == 1 ether);
        entered[msg.sender] = true;
        seed = uint256(keccak256(abi.encodePacked(seed, block.timestamp, msg.sender)));
    }
    function draw(uint256 ticket) public {
        require(entered[msg.sender]);
        entered[msg.sender] = false;
        if (seed % 10 == ticket) { // BUG: bad-randomness
            msg.sender.transfer(address(this).balance);
        }
    }
}

contract RaffleOracleSeed_hrnd3_0426 {
    uint256 private seed;
    address public oracle;
    mapping(address => bool) public entered;
    constructor(address o) public {
        oracle = o;
    }
    function setSeed(uint256 s) public {
        require(msg.sender == oracle);
        seed = s;
    }
    function enter() public payable {
        require(msg.value == 1 ether);
        entered[msg.sender] = true;
    }
    function draw(uint256 ticket) public {
        require(entered[msg.sender]);
        entered[msg.sender] = false;
        if (seed % 10 == ticket) { // SAFE: bad-randomness
            msg.sender.transfer(address(this).balance);
        }
    }
}
