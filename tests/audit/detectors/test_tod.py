"""The three transaction-order detectors, on one file each (0.8 and 0.4 syntax)."""

from __future__ import annotations

from chainllm.audit.detectors.approve_race import ApproveRace
from chainllm.audit.detectors.tod_secret import SecretRace
from chainllm.audit.detectors.tod_state_value import StateValueRace

APPROVE = """
contract Racy {
    mapping(address => mapping(address => uint256)) public allowance;
    function approve(address spender, uint256 value) public returns (bool) {
        allowance[msg.sender][spender] = value; // HIT
        return true;
    }
}
contract ZeroFirst {
    mapping(address => mapping(address => uint256)) public allowance;
    function approve(address spender, uint256 value) public returns (bool) {
        require(spender != address(0));
        require(value == 0 || allowance[msg.sender][spender] == 0);
        allowance[msg.sender][spender] = value;
        return true;
    }
}
contract WithIncrease {
    mapping(address => mapping(address => uint256)) public allowance;
    function approve(address spender, uint256 value) public returns (bool) {
        allowance[msg.sender][spender] = value;
        return true;
    }
    function increaseAllowance(address spender, uint256 added) public returns (bool) {
        allowance[msg.sender][spender] += added;
        return true;
    }
}
"""


def test_approve_race(check):  # type: ignore[no-untyped-def]
    check(APPROVE, "0.8.28", ApproveRace)


STATE_VALUE = """
contract Shop {
    address public owner;
    uint256 public price = 1 ether;
    uint256 public constant FEE = 3;
    mapping(address => uint256) public units;
    constructor() { owner = msg.sender; }
    function setPrice(uint256 p) external {
        require(msg.sender == owner);
        price = p;
    }
    function buy() external payable {
        units[msg.sender] += msg.value / price; // HIT
    }
    function buyBounded(uint256 maxPrice) external payable {
        require(price <= maxPrice, "price moved");
        units[msg.sender] += msg.value / price;
    }
    function buyFee() external payable {
        units[msg.sender] += msg.value / FEE;
    }
}
contract Bounty {
    uint256 public reward;
    address public owner;
    constructor() payable { owner = msg.sender; }
    function setReward(uint256 r) external {
        require(msg.sender == owner);
        reward = r;
    }
    function claim() external {
        payable(msg.sender).transfer(reward); // HIT
    }
}
contract Withdraw {
    mapping(address => uint256) public credit;
    function deposit() external payable { credit[msg.sender] += msg.value; }
    function withdraw() external {
        uint256 amount = credit[msg.sender];
        credit[msg.sender] = 0;
        payable(msg.sender).transfer(amount);
    }
}
contract Split {
    // the total is written only by a private helper the constructor calls (OpenZeppelin
    // 2.x PaymentSplitter's shape): no later transaction can change it
    uint256 private total;
    mapping(address => uint256) public share;
    mapping(address => uint256) public paid;
    constructor(address[] memory who, uint256[] memory parts) payable {
        for (uint256 i = 0; i < who.length; i++) _add(who[i], parts[i]);
    }
    function _add(address a, uint256 part) private {
        share[a] = part;
        total += part;
    }
    function release(address payable a) external {
        uint256 due = address(this).balance * share[a] / total - paid[a];
        paid[a] += due;
        a.transfer(due);
    }
}
contract OpenSplit {
    uint256 private total;
    address public owner;
    mapping(address => uint256) public share;
    constructor() { owner = msg.sender; }
    function _add(address a, uint256 part) private {
        share[a] = part;
        total += part;
    }
    function addPayee(address a, uint256 part) external {
        require(msg.sender == owner);
        _add(a, part);
    }
    function release(address payable a) external {
        a.transfer(address(this).balance * share[a] / total); // HIT
    }
}
"""


def test_state_dependent_price_and_reward(check):  # type: ignore[no-untyped-def]
    check(STATE_VALUE, "0.8.28", StateValueRace)


SECRET = """
contract Riddle {
    bytes32 public answer;
    constructor(bytes32 a) public payable { answer = a; }
    function guess(string memory word) public {
        if (keccak256(abi.encodePacked(word)) == answer) { // HIT
            msg.sender.transfer(address(this).balance);
        }
    }
    function check(string memory word) public view returns (bool) {
        return keccak256(abi.encodePacked(word)) == answer;
    }
}
contract Committed {
    bytes32 public answer;
    mapping(address => bytes32) public commitOf;
    constructor(bytes32 a) public payable { answer = a; }
    function commit(bytes32 c) public { commitOf[msg.sender] = c; }
    function reveal(string memory word) public {
        require(commitOf[msg.sender] == keccak256(abi.encodePacked(msg.sender, word)));
        if (keccak256(abi.encodePacked(word)) == answer) {
            msg.sender.transfer(address(this).balance);
        }
    }
}
contract Signed {
    address public signer;
    function act(bytes32 h, uint8 v, bytes32 r, bytes32 s) public {
        require(ecrecover(keccak256(abi.encodePacked(h)), v, r, s) == signer);
        msg.sender.transfer(1);
    }
}
"""


def test_hash_secret(check):  # type: ignore[no-untyped-def]
    check(SECRET, "0.4.26", SecretRace)
