// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

interface IERC20Like {
    function transfer(address to, uint256 amount) external returns (bool);
}

// Reentrancy, suicidal and an unchecked token transfer on the 0.8 compiler.
contract V08Bank {
    mapping(address => uint256) public balances;

    function deposit() external payable { balances[msg.sender] += msg.value; }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
        balances[msg.sender] = 0;
    }

    function rescue(IERC20Like token, uint256 amount) external {
        token.transfer(msg.sender, amount);
    }

    function close() external {
        selfdestruct(payable(msg.sender));
    }
}
