// SPDX-License-Identifier: MIT
// Written for solc 0.5/0.6 (`.call.value()`), under an open pragma that 0.8 and 0.7 reject.
pragma solidity >=0.5.11;
contract Old {
    mapping(address => uint) balances;
    function deposit() public payable { balances[msg.sender] += msg.value; }
    function withdraw() public {
        uint amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call.value(amount)("");
        require(ok);
        balances[msg.sender] = 0;
    }
}
