"""A general contract IR: what a request asks for, independent of how it is written in Solidity.

The parser (``chainllm.generate.kinds``) maps a request onto a ``ContractIR``; the composer
renders it; ``chainllm.generate.behaviour`` deploys the result to anvil and runs the IR's
``checks``. The IR is what ``--explain`` prints and what ``--spec FILE`` takes back, so every
field is plain JSON (``to_dict``/``from_dict`` round-trip).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from chainllm.errors import BadInputError

ASSETS = ("none", "eth", "erc20", "erc721", "erc1155")


@dataclass(frozen=True)
class Function:
    """One external function: who may call it, what it changes, what it emits."""

    name: str
    guard: str = "anyone"  # anyone | owner | role:<name> | member | payee | beneficiary | ...
    effect: str = ""  # one line, in words
    event: str = ""
    payable: bool = False
    time: str = ""  # time condition in words ("after deadline"), empty when none

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "guard": self.guard,
            "effect": self.effect,
            "event": self.event,
            "payable": self.payable,
            "time": self.time,
        }


@dataclass(frozen=True)
class Requirement:
    """A requirement read from the request and how the contract meets it (``met_by`` empty:
    not met, named in the report and the command exits 1)."""

    text: str
    met_by: str = ""

    @property
    def met(self) -> bool:
        return bool(self.met_by)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "met_by": self.met_by, "met": self.met}


@dataclass(frozen=True)
class ContractIR:
    kind: str
    name: str  # Solidity identifier of the main contract
    params: dict[str, Any] = field(default_factory=dict)  # numbers/strings the request fixed
    roles: tuple[str, ...] = ()
    assets: tuple[str, ...] = ("none",)
    state: tuple[str, ...] = ()  # state variables, "type name" in words
    functions: tuple[Function, ...] = ()
    events: tuple[str, ...] = ()
    invariants: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()  # behaviour checks run on anvil (see behaviour.CHECKS)
    requirements: tuple[Requirement, ...] = ()
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # what the parser assumed

    def __post_init__(self) -> None:
        problems = []
        if not re.fullmatch(r"[A-Z][A-Za-z0-9_]{0,63}", self.name):
            problems.append(f"name {self.name!r} is not a Solidity contract identifier")
        bad = [a for a in self.assets if a not in ASSETS]
        if bad:
            problems.append(f"assets {bad} are not among {', '.join(ASSETS)}")
        if problems:
            raise BadInputError("invalid contract IR: " + "; ".join(problems))

    @property
    def unmet(self) -> tuple[Requirement, ...]:
        return tuple(r for r in self.requirements if not r.met)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "params": dict(self.params),
            "roles": list(self.roles),
            "assets": list(self.assets),
            "state": list(self.state),
            "functions": [f.to_dict() for f in self.functions],
            "events": list(self.events),
            "invariants": list(self.invariants),
            "checks": list(self.checks),
            "requirements": [r.to_dict() for r in self.requirements],
            "warnings": list(self.warnings),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ContractIR:
        if not isinstance(d, dict) or "kind" not in d or "name" not in d:
            raise BadInputError("a contract IR needs at least 'kind' and 'name'")
        try:
            return cls(
                kind=str(d["kind"]),
                name=str(d["name"]),
                params=dict(d.get("params") or {}),
                roles=tuple(d.get("roles") or ()),
                assets=tuple(d.get("assets") or ("none",)),
                state=tuple(d.get("state") or ()),
                functions=tuple(Function(**f) for f in d.get("functions") or ()),
                events=tuple(d.get("events") or ()),
                invariants=tuple(d.get("invariants") or ()),
                checks=tuple(d.get("checks") or ()),
                requirements=tuple(
                    Requirement(str(r["text"]), str(r.get("met_by") or ""))
                    for r in d.get("requirements") or ()
                ),
                warnings=tuple(d.get("warnings") or ()),
                notes=tuple(d.get("notes") or ()),
            )
        except (TypeError, KeyError) as exc:
            raise BadInputError(f"malformed contract IR: {exc}") from None
