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

contract Roulette_drnd1_0424 {
    uint256 public start;
    constructor() public payable {
        start = now;
    }
    function spin() public payable {
        require(msg.value == 1 ether);
        if (now % 2 == 0) { // BUG: bad-randomness
            msg.sender.transfer(2 ether);
        }
    }
    function close() public {
        require(now >= start + 1 days); // SAFE: bad-randomness
        start = 0;
    }
}

contract Dice_drnd2_0424 {
    mapping(address => uint8) public lastRoll;
    address public oracle;
    constructor(address o) public {
        oracle = o;
    }
    function roll() public payable {
        uint8 face = uint8(uint256(keccak256(abi.encodePacked(blockhash(block.number - 1), msg.sender))) % 6); // BUG: bad-randomness
        lastRoll[msg.sender] = face;
        if (face == 5) {
            msg.sender.transfer(msg.value * 5);
        }
    }
    function rollFromOracle(address player, uint256 randomness) public {
        require(msg.sender == oracle);
        uint8 face = uint8(randomness % 6); // SAFE: bad-randomness
        lastRoll[player] = face;
    }
}

contract Jackpot_drnd3_0424 {
    uint256 public nonce;
    mapping(uint256 => uint256) public createdAt;
    uint256 public count;
    function bump() public {
        nonce = block.number;
    }
    function payout() public {
        if (nonce % 3 == 0) { // BUG: bad-randomness
            msg.sender.transfer(address(this).balance / 10);
        }
    }
    function record() public {
        createdAt[count] = block.number; // SAFE: bad-randomness
        count += 1;
    }
}

contract MinerLottery_drnd5_0424 {
    address public lastWinner;
    mapping(address => bytes32) public secretOf;
    function play() public payable {
        require(msg.value == 0.01 ether);
        uint256 r = uint256(keccak256(abi.encodePacked(block.coinbase, block.gaslimit))) % 100; // BUG: bad-randomness
        if (r < 10) {
            lastWinner = msg.sender;
        }
    }
    function playRevealed(bytes32 a, bytes32 b) public {
        require(secretOf[msg.sender] == keccak256(abi.encodePacked(a)));
        uint256 r = uint256(keccak256(abi.encodePacked(a, b))) % 100; // SAFE: bad-randomness
        if (r < 10) {
            lastWinner = msg.sender;
        }
    }
}
