from __future__ import annotations

from chainllm.audit.detectors.short_address import ShortAddress

SOURCE = """
contract Token {
    mapping(address => uint256) public balances;
    mapping(uint256 => address) public byId;
    modifier onlyPayloadSize(uint256 size) {
        require(msg.data.length >= size + 4);
        _;
    }
    function transfer(address to, uint256 value) public returns (bool) { // HIT
        require(balances[msg.sender] >= value);
        balances[msg.sender] -= value;
        balances[to] += value;
        return true;
    }
    function transferChecked(address to, uint256 value) public onlyPayloadSize(64) returns (bool) {
        require(balances[msg.sender] >= value);
        balances[msg.sender] -= value;
        balances[to] += value;
        return true;
    }
    function assign(uint256 id, address who) public {
        byId[id] = who;
    }
    function balanceOfAt(address who, uint256 id) public view returns (uint256) {
        return balances[who] + id;
    }
}
"""


def test_pre_05_only(check):  # type: ignore[no-untyped-def]
    check(SOURCE, "0.4.26", ShortAddress)
    safe = "\n".join(line.replace("// HIT", "") for line in SOURCE.splitlines())
    check(safe, "0.5.17", ShortAddress)  # the ABI decoder rejects short calldata from 0.5.0
