from __future__ import annotations

from chainllm.audit.detectors.block_randomness import BlockRandomness

# Direct `block.timestamp % n` and blockhash modulo are Slither's weak-prng: not repeated here.
SOURCE = """
contract Games {
    uint256 private seed;
    uint256 public startedAt;
    address public oracle;
    uint256 public oracleSeed;
    mapping(address => uint256) public last;
    function stir() public {
        seed = uint256(keccak256(abi.encodePacked(block.prevrandao, msg.sender)));
        startedAt = block.timestamp;
    }
    function win(uint256 ticket) public view returns (bool) {
        return seed == ticket; // HIT
    }
    function coin() public view returns (bool) {
        return uint256(blockhash(block.number - 1)) / 2 > 1000; // HIT
    }
    function miner() public view returns (bool) {
        return block.coinbase == msg.sender;
    }
    function lucky() public view returns (bool) {
        return uint256(keccak256(abi.encodePacked(block.gaslimit))) > 77; // HIT
    }
    function setOracleSeed(uint256 s) public {
        require(msg.sender == oracle);
        oracleSeed = s;
    }
    function fair(uint256 ticket) public view returns (bool) {
        return oracleSeed % 10 == ticket;
    }
    function cooldown() public {
        require(block.number > last[msg.sender] + 100);
        require(block.timestamp >= startedAt + 1 days);
        last[msg.sender] = block.number;
    }
}
"""


def test_block_data_randomness(check):  # type: ignore[no-untyped-def]
    check(SOURCE, "0.8.28", BlockRandomness)
