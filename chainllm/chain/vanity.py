"""Look-alike addresses for address-poisoning scenarios, with real private keys.

Attackers grind keys until an address shares the first and last hex digits of one the
victim trusts. A full secp256k1 scalar multiplication per key costs ~0.4 ms in pure Python;
walking k, k+1, k+2, ... needs one point addition per key instead, and running 256 such
walks side by side shares one modular inverse among them (Montgomery's batch inversion):
~10 µs a key, with every target searched in the same sweep.
"""

from __future__ import annotations

from Crypto.Hash import keccak as _keccak_mod
from eth_keys import keys
from eth_utils import keccak, to_checksum_address

_P = 2**256 - 2**32 - 977
_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_GX = 0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798
_GY = 0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8


def _keccak(data: bytes) -> bytes:
    return _keccak_mod.new(digest_bits=256, data=data).digest()


def _batch_inverse(values: list[int]) -> list[int]:
    prefix = [1] * (len(values) + 1)
    for i, v in enumerate(values):
        prefix[i + 1] = prefix[i] * v % _P
    inv = pow(prefix[-1], -1, _P)
    out = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        out[i] = prefix[i] * inv % _P
        inv = inv * values[i] % _P
    return out


def find_lookalikes(
    targets: list[str],
    *,
    seed: bytes,
    prefix: int = 2,
    suffix: int = 2,
    max_tries: int = 4_000_000,
    walkers: int = 256,
) -> dict[str, tuple[str, bytes]]:
    """For each target address, a (checksummed address, private key) whose address matches the
    target's first ``prefix`` and last ``suffix`` hex digits. Deterministic for ``seed``;
    targets not matched within ``max_tries`` keys are left out."""
    want: dict[tuple[str, str], list[str]] = {}
    for t in targets:
        h = t.lower().removeprefix("0x")
        want.setdefault((h[:prefix], h[len(h) - suffix :]), []).append(t)
    found: dict[str, tuple[str, bytes]] = {}
    stride = 2**64  # walkers never overlap within max_tries
    k0 = int.from_bytes(keccak(b"chainllm-vanity:" + seed), "big") % (_N - walkers * stride - 1) + 1
    starts = [k0 + j * stride for j in range(walkers)]
    xs, ys = [], []
    for k in starts:
        pub = keys.PrivateKey(k.to_bytes(32, "big")).public_key.to_bytes()
        xs.append(int.from_bytes(pub[:32], "big"))
        ys.append(int.from_bytes(pub[32:], "big"))
    for step in range(max_tries // walkers + 1):
        for j in range(walkers):
            h = _keccak(xs[j].to_bytes(32, "big") + ys[j].to_bytes(32, "big"))[12:].hex()
            hit = want.pop((h[:prefix], h[40 - suffix :]), None)
            if hit:
                for t in hit:
                    found[t] = (to_checksum_address("0x" + h), (starts[j] + step).to_bytes(32, "big"))
        if not want:
            break
        # P_j + G for every walker, one shared inversion (x_j != GX: a walker never hits G)
        invs = _batch_inverse([(_GX - x) % _P for x in xs])
        for j in range(walkers):
            lam = (_GY - ys[j]) * invs[j] % _P
            x3 = (lam * lam - xs[j] - _GX) % _P
            ys[j] = (lam * (xs[j] - x3) - ys[j]) % _P
            xs[j] = x3
    return found
