// SPDX-License-Identifier: MIT
pragma solidity >=0.6.0 <0.7.0;

// Controlled delegatecall and reentrancy on the 0.6 compiler.
contract V06Delegate {
    mapping(address => uint256) public balances;

    function run(address lib, bytes memory data) public {
        (bool ok, ) = lib.delegatecall(data);
        require(ok, "failed");
    }

    function deposit() external payable { balances[msg.sender] += msg.value; }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "send failed");
        balances[msg.sender] = 0;
    }
}
