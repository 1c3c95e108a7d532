from __future__ import annotations

from chainllm.audit.detectors.push_payment import PushPayment
from chainllm.audit.detectors.unbounded_loop import UnboundedLoop

LOOPS = """
contract Lists {
    address public owner;
    address[] public open;
    address[] public capped;
    address[] public curated;
    mapping(address => uint256) public credit;
    constructor() { owner = msg.sender; }
    function join() external { open.push(msg.sender); }
    function joinCapped() external {
        require(capped.length < 100, "full");
        capped.push(msg.sender);
    }
    function curate(address a) external {
        require(msg.sender == owner);
        curated.push(a);
    }
    function creditOpen() external {
        for (uint256 i = 0; i < open.length; i++) { // HIT
            credit[open[i]] += 1;
        }
    }
    function creditCapped() external {
        for (uint256 i = 0; i < capped.length; i++) {
            credit[capped[i]] += 1;
        }
    }
    function creditCurated() external {
        for (uint256 i = 0; i < curated.length; i++) {
            credit[curated[i]] += 1;
        }
    }
    function creditBatch(address[] calldata who) external {
        for (uint256 i = 0; i < who.length; i++) {
            credit[who[i]] += 1;
        }
    }
}
"""


def test_loop_over_user_growable_array(check):  # type: ignore[no-untyped-def]
    check(LOOPS, "0.8.28", UnboundedLoop)


PUSH = """
contract Throne {
    address payable public king;
    address payable public owner;
    uint256 public prize;
    mapping(address => uint256) public owed;
    constructor() { owner = payable(msg.sender); }
    function claim() external payable {
        require(msg.value > prize);
        king.transfer(prize); // HIT
        king = payable(msg.sender);
        prize = msg.value;
    }
    function claimPull() external payable {
        require(msg.value > prize);
        owed[king] += prize;
        king = payable(msg.sender);
        prize = msg.value;
    }
    function tryPay() external {
        king.send(1);
    }
    function fees() external {
        owner.transfer(address(this).balance / 100);
    }
}
"""


def test_push_payment_to_takeable_address(check):  # type: ignore[no-untyped-def]
    check(PUSH, "0.8.28", PushPayment)
