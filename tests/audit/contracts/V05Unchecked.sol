// SPDX-License-Identifier: MIT
pragma solidity ^0.5.0;

// Unchecked low-level call and arbitrary ETH send on the 0.5 compiler.
contract V05Unchecked {
    mapping(address => uint256) public credit;

    function deposit() external payable { credit[msg.sender] += msg.value; }

    function forward(address target, bytes calldata data) external {
        target.call(data);
    }

    function payout(address payable to) external {
        to.transfer(address(this).balance);
    }
}
