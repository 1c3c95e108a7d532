"""Recorded model answers: the key a chat-completions request is stored under, the outcome a
generation reached, and replay of a recording (owned by gen-model this round).

scripts/record_freehand.py records a real model's answers to the requests the freehand loop
sends; tests replay them through a loopback stand-in server, so the openai backend's whole path
(HTTP, extraction, compile, Slither, repair, behaviour on anvil) runs on real model text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chainllm.errors import BadInputError
from chainllm.io import canonical_json, sha256_bytes


def key_of(path: str, body: dict[str, Any]) -> str:
    """Requests with the same path and body get the same key (JSON key order does not matter)."""
    return sha256_bytes(canonical_json({"path": path, "body": body}))


def outcome(result: Any) -> dict[str, Any]:
    """The parts of a ``GenerationResult`` a replay must reproduce (no timings, no paths)."""
    b = result.behaviour
    return {
        "status": result.status,
        "source_sha256": sha256_bytes(result.source.encode()) if result.source else None,
        "attempts": [
            {
                "round": a.round,
                "origin": a.origin,
                "compiled": a.compiled,
                "rejected": list(a.rejected),
                "errors": len(a.errors),
                "worst": (w.label if (w := a.worst()) is not None else None),
            }
            for a in result.attempts
        ],
        "behaviour": None
        if b is None
        else {"status": b.status, "checks": {c.name: c.status for c in b.checks}},
    }


class Recording:
    """A recording file: answers looked up by request key."""

    def __init__(self, path: Path) -> None:
        try:
            data = json.loads(Path(path).read_text())
            self.provenance: dict[str, Any] = data["provenance"]
            self.runs: list[dict[str, Any]] = data["runs"]
            self.answers: dict[str, dict[str, Any]] = {x["key"]: x["response"] for x in data["exchanges"]}
            self.exchanges: list[dict[str, Any]] = data["exchanges"]
            self.model = str(self.exchanges[0]["request"]["model"]) if self.exchanges else ""
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise BadInputError(f"{path}: not a chainllm recording ({exc})") from None
        self.misses: list[dict[str, Any]] = []

    def answer(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """The recorded reply, or None (and the request kept in ``misses``) when never recorded."""
        got = self.answers.get(key_of(path, body))
        if got is None:
            self.misses.append(body)
        return got
