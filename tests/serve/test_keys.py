"""API keys through the CLI (`chainllm serve keys`), the token bucket, and settings checks."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chainllm.cli import cli
from chainllm.errors import BadInputError, ToolchainError
from chainllm.serve import require_extra
from chainllm.serve.keys import KeyStore
from chainllm.serve.limits import RateLimiter
from chainllm.serve.settings import Limits, ServeConfig


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["serve", "keys", *args])


def test_keys_add_list_revoke(tmp_path: Path) -> None:
    f = tmp_path / "serve" / "keys.json"
    res = _run("add", "ci", "--scope", "score,audit", "--keys-file", str(f))
    assert res.exit_code == 0, res.output
    key = res.stdout.strip()
    assert key.startswith("cllm_") and "not shown again" in res.stderr
    text = f.read_text()
    assert key not in text and key[18:] not in text  # only the hash is kept
    assert hashlib.sha256(key.encode()).hexdigest() in text
    assert stat.S_IMODE(f.stat().st_mode) == 0o600 and stat.S_IMODE(f.parent.stat().st_mode) == 0o700
    listed = _run("list", "--keys-file", str(f), "--json")
    recs = json.loads(listed.stdout)
    assert [(r["name"], r["scopes"], r["revoked"]) for r in recs] == [("ci", ["audit", "score"], None)]
    assert "sha256" not in listed.stdout
    store = KeyStore(f)
    assert store.verify(key) is not None and store.verify(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert _run("revoke", recs[0]["id"], "--keys-file", str(f)).exit_code == 0
    assert store.verify(key) is None  # the store notices the file changed
    again = _run("revoke", recs[0]["id"], "--keys-file", str(f))
    assert again.exit_code == 2 and "no active key" in again.output


def test_keys_bad_input(tmp_path: Path) -> None:
    f = tmp_path / "keys.json"
    bad = _run("add", "ci", "--scope", "score,root", "--keys-file", str(f))
    assert bad.exit_code == 2 and "root" in bad.output and not f.exists()
    assert _run("add", "bad name!", "--keys-file", str(f)).exit_code == 2
    f.write_text("{not json")
    broken = _run("list", "--keys-file", str(f))
    assert broken.exit_code == 2 and str(f) in broken.output


def test_token_bucket() -> None:
    rl = RateLimiter(rate=2.0, burst=3)
    assert [rl.take("a", now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert rl.take("a", now=100.0) == pytest.approx(0.5)  # one token back in 0.5 s
    assert rl.take("b", now=100.0) == 0.0  # per principal
    assert rl.take("a", now=100.5) == 0.0
    assert rl.take("a", now=100.5) > 0


def test_settings_are_checked_at_once() -> None:
    with pytest.raises(BadInputError) as exc:
        ServeConfig(host="10.0.0.5", no_auth=True, limits=Limits(rate=0, max_hashes=0))
    msg = str(exc.value)
    assert "loopback only" in msg and "rate must be > 0" in msg and "max_hashes must be >= 1" in msg


def test_missing_extra_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "uvicorn" else real(n, *a))
    with pytest.raises(ToolchainError, match=r"chainllm\[serve\]"):
        require_extra()


def test_unreachable_issuer_is_503_not_401() -> None:
    """When the issuer's JWKS cannot be fetched, no token can be judged: say so (503)."""
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    from chainllm.serve.auth import Authenticator, AuthFailure
    from chainllm.serve.settings import JwtSettings
    from chainllm.services.manager import free_port

    dead = f"http://127.0.0.1:{free_port()}/.well-known/jwks.json"  # nothing listens there
    auth = Authenticator(None, JwtSettings(jwks_url=dead, issuer="https://iss/", audience="api"))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode({"sub": "a", "aud": "api", "iss": "https://iss/", "exp": 2**31}, key, algorithm="RS256",
                       headers={"kid": "k1"})  # fmt: skip
    with pytest.raises(AuthFailure) as exc:
        auth.authenticate({"authorization": f"Bearer {token}"}, "127.0.0.1")
    assert exc.value.status == 503 and exc.value.reason == "jwks_down"
    with pytest.raises(AuthFailure) as exc:
        auth.authenticate({}, "127.0.0.1")
    assert exc.value.status == 401 and exc.value.reason == "missing"
