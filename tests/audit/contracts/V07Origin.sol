// SPDX-License-Identifier: MIT
pragma solidity ^0.7.0;

// tx.origin authorisation and an arbitrary ETH send on the 0.7 compiler.
contract V07Origin {
    address public owner;

    constructor() { owner = msg.sender; }

    function sweep(address payable to) external {
        require(tx.origin == owner, "not owner");
        to.transfer(address(this).balance);
    }

    function pay(address payable to, uint256 amount) external {
        to.transfer(amount);
    }

    receive() external payable {}
}
