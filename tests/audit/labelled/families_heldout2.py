"""Second held-out set (integer-overflow only), written after the first held-out run showed
post-checked products being missed and BEFORE the detector was changed: it measures that
change on cases nobody tuned on."""

from __future__ import annotations

from render import Family

FAMILIES = [
    Family(
        "h2io1",
        "integer-overflow",
        """
contract Staking{N} {
    mapping(address => uint256) public owed;
    function quote(uint256 stake, uint256 rate) public view returns (uint256) {
        uint256 reward;
        {U}reward = stake * rate;{/U} // BUG: integer-overflow
        require(reward <= address(this).balance, "pool too small");
        return reward;
    }
    function quoteChecked(uint256 stake, uint256 rate) public view returns (uint256) {
        uint256 reward = stake * rate; // SAFE: integer-overflow
        require(rate == 0 || reward / rate == stake);
        require(reward <= address(this).balance, "pool too small");
        return reward;
    }
    function accrue(uint256 stake, uint256 rate) public {
        uint256 reward;
        {U}reward = stake * rate;{/U} // BUG: integer-overflow
        require(reward > 0);
        owed[msg.sender] = reward;
    }
}
""",
    ),
    Family(
        "h2io2",
        "integer-overflow",
        """
contract Capped{N} {
    uint256 public constant CAP = 1000000 ether;
    mapping(address => uint256) public held;
    function credit(address to, uint256 amount) public {
        uint256 next;
        {U}next = held[to] + amount;{/U} // BUG: integer-overflow
        require(next <= CAP, "over cap");
        held[to] = next;
    }
    function creditChecked(address to, uint256 amount) public {
        uint256 next = held[to] + amount; // SAFE: integer-overflow
        require(next >= held[to] && next <= CAP, "over cap");
        held[to] = next;
    }
}
""",
    ),
]
