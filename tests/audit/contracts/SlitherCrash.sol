// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

// `uint[~~3]` is valid Solidity (solc folds it to 3), but Slither 0.11's constant folder
// raises NotConstant on the double bitwise-not while parsing Folded.f: without chainllm's
// partial-failure handling the whole file gets no result.
contract Open {
    function kill() external { selfdestruct(payable(msg.sender)); }
}

contract Folded {
    function f() external pure returns (uint256) {
        uint256[~~3] memory a;
        return a[0];
    }

    function g(address payable to) external {
        to.transfer(address(this).balance);
    }
}
