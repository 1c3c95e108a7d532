// SPDX-License-Identifier: MIT
pragma solidity 0.4.24;

// Uninitialised storage pointer, reentrancy and tx.origin auth on the 0.4 compiler.
contract V04Storage {
    struct Entry { address who; uint256 amount; }
    address public owner;
    mapping(address => uint256) public balances;
    Entry[] public entries;

    constructor() public { owner = msg.sender; }

    function record(uint256 amount) public {
        Entry storage e;
        e.who = msg.sender;
        e.amount = amount;
        entries.push(e);
    }

    function deposit() public payable { balances[msg.sender] += msg.value; }

    function withdraw() public {
        uint256 amount = balances[msg.sender];
        require(msg.sender.call.value(amount)());
        balances[msg.sender] = 0;
    }

    function transferOwnership(address next) public {
        require(tx.origin == owner);
        owner = next;
    }
}
