// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice A counter with nothing for Slither to flag at low severity or above.
contract Clean {
    uint256 public count;
    event Bumped(uint256 value);

    function bump() external {
        count += 1;
        emit Bumped(count);
    }
}
