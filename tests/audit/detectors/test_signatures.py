from __future__ import annotations

from chainllm.audit.detectors.ecrecover_zero import EcrecoverZero
from chainllm.audit.detectors.signature_replay import SignatureReplay

SOURCE = """
contract Sigs {
    address public signer;
    address public immutable founder;
    mapping(address => uint256) public nonces;
    mapping(bytes32 => bool) public used;
    constructor() { founder = msg.sender; }
    function setSigner(address s) external {
        require(msg.sender == founder);
        signer = s;
    }
    function replayable(uint256 amount, uint8 v, bytes32 r, bytes32 s) external {
        bytes32 h = keccak256(abi.encodePacked(msg.sender, amount));
        address who = ecrecover(h, v, r, s); // REPLAY
        require(who != address(0) && who == signer);
        payable(msg.sender).transfer(amount);
    }
    function withNonce(uint256 amount, uint8 v, bytes32 r, bytes32 s) external {
        bytes32 h = keccak256(abi.encodePacked(msg.sender, amount, nonces[msg.sender]));
        nonces[msg.sender]++;
        address who = ecrecover(h, v, r, s);
        require(who != address(0) && who == signer);
        payable(msg.sender).transfer(amount);
    }
    function withUsed(uint256 amount, uint8 v, bytes32 r, bytes32 s) external {
        bytes32 h = keccak256(abi.encodePacked(msg.sender, amount));
        require(!used[h]);
        used[h] = true;
        require(ecrecover(h, v, r, s) == signer); // ZERO
        payable(msg.sender).transfer(amount);
    }
    function byFounder(bytes32 h, uint8 v, bytes32 r, bytes32 s) external view returns (bool) {
        return ecrecover(h, v, r, s) == founder;
    }
}
"""


def _only(marker: str) -> str:
    return "\n".join(
        line.replace(f"// {marker}", "// HIT") if marker in line else line.split(" // ")[0]
        for line in SOURCE.splitlines()
    )


def test_replay_without_nonce_or_used_record(check):  # type: ignore[no-untyped-def]
    check(_only("REPLAY"), "0.8.28", SignatureReplay)


def test_ecrecover_zero_address(check):  # type: ignore[no-untyped-def]
    results = check(_only("ZERO"), "0.8.28", EcrecoverZero)
    assert "address(0)" in results[0]["description"]


# A nonce kept in a library struct (OpenZeppelin 3/4's Counters shape): the write happens
# inside the library, through the storage reference. And a mapping the digest's fields index
# (the allowance being set) is no used-signature record.
LIBRARY_NONCE = """
library Tally {
    struct Count { uint256 n; }
    function value(Count storage c) internal view returns (uint256) { return c.n; }
    function bump(Count storage c) internal { c.n += 1; }
}
contract Permits {
    using Tally for Tally.Count;
    mapping(address => Tally.Count) private seq;
    mapping(address => mapping(address => uint256)) public allowance;
    function permit(address holder, address spender, uint256 amount, uint8 v, bytes32 r, bytes32 s) external {
        bytes32 digest = keccak256(abi.encode(holder, spender, amount, seq[holder].value()));
        address who = ecrecover(digest, v, r, s);
        require(who != address(0) && who == holder);
        seq[holder].bump();
        allowance[holder][spender] = amount;
    }
    function permitStale(address holder, address spender, uint256 amount, uint8 v, bytes32 r, bytes32 s) external {
        bytes32 digest = keccak256(abi.encode(holder, spender, amount, seq[holder].value()));
        address who = ecrecover(digest, v, r, s); // HIT
        require(who != address(0) && who == holder);
        allowance[holder][spender] = amount;
    }
}
"""


def test_library_nonce_counts_and_an_unchecked_mapping_does_not(check):  # type: ignore[no-untyped-def]
    check(LIBRARY_NONCE, "0.8.28", SignatureReplay)


# OpenZeppelin 4.x shapes: `_useNonce` increments through a local storage pointer into a
# library, and delegateBySig checks the signed nonce against `_useNonce(signer)` after
# recovering. Both consume the nonce.
HELPER_NONCES = """
library Tally {
    struct Count { uint256 n; }
    function value(Count storage c) internal view returns (uint256) { return c.n; }
    function bump(Count storage c) internal { c.n += 1; }
}
contract Votes {
    using Tally for Tally.Count;
    mapping(address => Tally.Count) private seq;
    mapping(address => address) public delegates;
    function _useNonce(address who) internal returns (uint256 current) {
        Tally.Count storage c = seq[who];
        current = c.value();
        c.bump();
    }
    function permitLike(address holder, address to, uint8 v, bytes32 r, bytes32 s) external {
        bytes32 digest = keccak256(abi.encode(holder, to, _useNonce(holder)));
        require(ecrecover(digest, v, r, s) == holder && holder != address(0));
        delegates[holder] = to;
    }
    function delegateBySig(address to, uint256 nonce, uint8 v, bytes32 r, bytes32 s) external {
        address signer = ecrecover(keccak256(abi.encode(to, nonce)), v, r, s);
        require(signer != address(0));
        require(nonce == _useNonce(signer), "bad nonce");
        delegates[signer] = to;
    }
    function delegateStale(address to, uint256 nonce, uint8 v, bytes32 r, bytes32 s) external {
        address signer = ecrecover(keccak256(abi.encode(to, nonce)), v, r, s); // HIT
        require(signer != address(0));
        require(nonce == seq[signer].value(), "bad nonce");
        delegates[signer] = to;
    }
}
"""


def test_nonce_helpers_and_checked_nonces(check):  # type: ignore[no-untyped-def]
    check(HELPER_NONCES, "0.8.28", SignatureReplay)


# Comparisons that cannot pass with address(0): msg.sender (Gnosis Safe's approved-hash
# branch) and a value the function requires to be non-zero (Aave v3's permit).
NONZERO = """
contract Permit {
    mapping(address => uint256) public nonces;
    mapping(address => mapping(address => uint256)) public allowance;
    function permit(address owner, address spender, uint256 value, uint8 v, bytes32 r, bytes32 s) external {
        require(owner != address(0), "zero owner");
        uint256 n = nonces[owner];
        bytes32 digest = keccak256(abi.encode(owner, spender, value, n));
        require(owner == ecrecover(digest, v, r, s), "bad signature");
        nonces[owner] = n + 1;
        allowance[owner][spender] = value;
    }
    function permitUnchecked(address owner, address spender, uint256 value, uint8 v, bytes32 r, bytes32 s) external {
        uint256 n = nonces[owner];
        bytes32 digest = keccak256(abi.encode(owner, spender, value, n));
        require(owner == ecrecover(digest, v, r, s), "bad signature"); // HIT
        nonces[owner] = n + 1;
        allowance[owner][spender] = value;
    }
    function bySender(bytes32 h, uint8 v, bytes32 r, bytes32 s) external view returns (bool) {
        return msg.sender == ecrecover(h, v, r, s);
    }
}
"""


def test_ecrecover_compared_with_values_that_cannot_be_zero(check):  # type: ignore[no-untyped-def]
    check(NONZERO, "0.8.28", EcrecoverZero)
