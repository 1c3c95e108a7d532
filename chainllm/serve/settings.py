"""What a server is started with: one frozen dataclass, validated once (every problem at once)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from chainllm.errors import BadInputError

SCOPES = ("score", "audit", "generate")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class JwtSettings:
    """OAuth 2.0 bearer tokens: signed by ``issuer``'s keys at ``jwks_url``, for ``audience``."""

    jwks_url: str
    issuer: str
    audience: str
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    leeway_s: float = 0.0


@dataclass(frozen=True)
class Limits:
    rate: float = 10.0  # tokens per second per principal
    burst: int = 20  # bucket size
    max_body_bytes: int = 1_000_000
    request_timeout_s: float = 30.0
    max_inflight: int = 8  # synchronous score/audit requests working at once; more get 503
    max_jobs: int = 1  # generation jobs running at once
    queue_size: int = 8  # generation jobs waiting; a full queue is a 503
    max_hashes: int = 100
    max_source_bytes: int = 200_000  # per Solidity file
    max_files: int = 20
    max_prompt_chars: int = 2_000
    header_timeout_s: float = 10.0  # a client must finish its request headers in this time
    keep_alive_s: float = 5.0
    max_connections: int = 256  # uvicorn answers 503 beyond this
    job_ttl_s: float = 3600.0  # finished jobs are kept this long
    max_finished_jobs: int = 1000

    def problems(self) -> list[str]:
        out = []
        for name in ("rate", "request_timeout_s", "header_timeout_s", "keep_alive_s", "job_ttl_s"):
            if not getattr(self, name) > 0:
                out.append(f"{name} must be > 0")
        for name in ("burst", "max_body_bytes", "max_inflight", "max_jobs", "max_hashes",
                     "max_source_bytes", "max_files", "max_prompt_chars", "max_connections"):  # fmt: skip
            if getattr(self, name) < 1:
                out.append(f"{name} must be >= 1")
        if self.queue_size < 0:
            out.append("queue_size must be >= 0")
        return out


@dataclass(frozen=True)
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    rpc: tuple[str, ...] = ()
    model_dir: Path | None = None  # a `train fraud` folder; None: rules only
    model_cid: str | None = None  # set when model_dir was pulled (verified) by CID
    model_provenance: dict[str, str] = field(default_factory=dict)  # registry, publisher, ...
    ipfs_url: str | None = None  # checked by /readyz when set
    no_auth: bool = False
    keys_file: Path | None = None  # default: <data dir>/serve/keys.json
    jwt: JwtSettings | None = None
    limits: Limits = field(default_factory=Limits)
    score_cache: bool = True
    score_trace: bool = True
    score_timeout_s: float = 10.0  # per RPC request
    generate_backend: str = "template"
    generate_base: str = "smollm2-135m"
    generate_adapter: str | None = None
    generate_base_url: str | None = None
    generate_model: str | None = None
    log_level: str = "info"

    def __post_init__(self) -> None:
        problems = self.limits.problems()
        if self.no_auth and not is_loopback(self.host):
            problems.append(f"--no-auth is for loopback only, not --host {self.host}")
        if not 0 <= self.port < 65536:
            problems.append(f"--port {self.port} is not a TCP port")
        if self.generate_backend not in {"local", "openai", "template"}:
            problems.append(f"unknown generation backend {self.generate_backend!r}")
        if self.jwt is not None:
            for name in ("jwks_url", "issuer", "audience"):
                if not getattr(self.jwt, name):
                    problems.append(f"JWT auth needs --jwt-{name.replace('_', '-')}")
        if problems:
            raise BadInputError("bad serve settings: " + "; ".join(problems))
