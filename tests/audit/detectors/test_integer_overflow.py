from __future__ import annotations

from chainllm.audit.detectors.integer_overflow import IntegerOverflow

SOURCE = """
library SafeMathT {
    function add(uint256 a, uint256 b) internal pure returns (uint256) {
        uint256 c = a + b;
        require(c >= a);
        return c;
    }
    function mul(uint256 a, uint256 b) internal pure returns (uint256) {
        if (a == 0) return 0;
        uint256 c = a * b;
        require(c / a == b);
        return c;
    }
}

contract Bank {
    using SafeMathT for uint256;
    mapping(address => uint256) public balance;
    mapping(address => uint256) public unlockAt;
    uint256 public fee = 10;

    function deposit() public payable {
        balance[msg.sender] += msg.value;
    }
    function burn(uint256 amount) public {
        balance[msg.sender] -= amount; // HIT
    }
    function burnChecked(uint256 amount) public {
        require(balance[msg.sender] >= amount, "balance");
        balance[msg.sender] -= amount;
    }
    function extend(uint256 secs) public {
        unlockAt[msg.sender] += secs; // HIT
    }
    function extendCapped(uint256 secs) public {
        if (secs > 30 days) {
            revert();
        }
        unlockAt[msg.sender] += secs;
    }
    function quote(uint256 units, uint256 price) public pure returns (uint256) {
        return units * price; // HIT
    }
    function quoteSafe(uint256 units, uint256 price) public pure returns (uint256) {
        return units.mul(price);
    }
    function total(uint256 a) public view returns (uint256) {
        return fee + 1;
    }
    function plus(uint256 a) public view returns (uint256) {
        return a.add(fee);
    }
}
"""


def test_pre_08_arithmetic_on_inputs(check):  # type: ignore[no-untyped-def]
    results = check(SOURCE, "0.4.26", IntegerOverflow)
    assert all(r["check"] == "integer-overflow" for r in results)


UNCHECKED = """
contract Counter {
    mapping(address => uint8) public votes;
    function vote(uint8 w) public {
        unchecked { votes[msg.sender] += w; } // HIT
    }
    function voteChecked(uint8 w) public {
        votes[msg.sender] += w;
    }
    function cost(uint256 qty, uint256 price) public payable returns (uint256 total) {
        unchecked { total = qty * price; } // HIT
        require(total <= msg.value, "a later bound is no overflow check");
    }
    function costChecked(uint256 qty, uint256 price) public payable returns (uint256 total) {
        unchecked { total = qty * price; }
        require(price == 0 || total / price == qty);
    }
    function countdown(uint256 n) public pure returns (uint256 s) {
        for (uint256 i = n; i > 0; ) {
            unchecked { i--; }
            s += 1;
        }
    }
}
"""


def test_unchecked_blocks_after_08(check):  # type: ignore[no-untyped-def]
    check(UNCHECKED, "0.8.28", IntegerOverflow)


# Shapes that raised ~200 false alarms on OpenZeppelin 2.x/3.x and Uniswap v2/v3 (audited by
# hand from their npm tarballs): library helpers whose operands come from callers, and
# SafeMath's post-check of a difference against the minuend. A public function passing an
# input to raw arithmetic is still reported.
LIBRARIES = """
library CountersT {
    struct Counter { uint256 _value; }
    function increment(Counter storage counter) internal { counter._value += 1; }
    function average(uint256 a, uint256 b) internal pure returns (uint256) {
        return (a / 2) + (b / 2) + ((a % 2 + b % 2) / 2);
    }
}

library DsMathT {
    function sub(uint x, uint y) internal pure returns (uint z) {
        require((z = x - y) <= x, "ds-math-sub-underflow");
    }
}

contract Ledger {
    using CountersT for CountersT.Counter;
    using DsMathT for uint;
    CountersT.Counter private ids;
    mapping(address => uint) public balance;

    function next() public returns (uint256) {
        ids.increment();
        return CountersT.average(1, 3);
    }
    function spend(uint amount) public {
        balance[msg.sender] = balance[msg.sender].sub(amount);
    }
    function spendChecked(uint amount) public {
        uint left = balance[msg.sender] - amount;
        require(left <= balance[msg.sender], "underflow");
        balance[msg.sender] = left;
    }
    function spendRaw(uint amount) public {
        balance[msg.sender] = balance[msg.sender] - amount; // HIT
    }
}
"""


def test_library_helpers_and_post_checked_differences_are_quiet(check):  # type: ignore[no-untyped-def]
    check(LIBRARIES, "0.5.17", IntegerOverflow)


# Value moved within one mapping (solmate's ERC20: the checked debit bounds the unchecked
# credit) and a storage-pointer parameter (OpenZeppelin 3.x ERC20Snapshot's private helper
# pushing to the arrays it points at) are quiet; a credit with no debit is not.
MOVES = """
contract Ledger {
    mapping(address => uint256) public balanceOf;
    mapping(address => uint256) public points;
    function transfer(address to, uint256 amount) external {
        balanceOf[msg.sender] -= amount;
        unchecked { balanceOf[to] += amount; }
    }
    function award(address to, uint256 amount) external {
        balanceOf[msg.sender] -= amount;
        unchecked { points[to] += amount; } // HIT
    }
}
"""

POINTERS = """
contract Snap {
    struct Marks { uint256[] ids; uint256[] values; }
    mapping(address => Marks) private marks;
    function _record(Marks storage m, uint256 id, uint256 value) private {
        m.ids.push(id);
        m.values.push(value);
    }
    function note(uint256 id, uint256 value) public {
        _record(marks[msg.sender], id, value);
    }
    function addUp(uint256 a, uint256 b) public pure returns (uint256) {
        return a + b; // HIT
    }
}
"""


def test_moves_within_a_mapping(check):  # type: ignore[no-untyped-def]
    check(MOVES, "0.8.28", IntegerOverflow)


def test_storage_pointer_parameters(check):  # type: ignore[no-untyped-def]
    check(POINTERS, "0.6.12", IntegerOverflow)
