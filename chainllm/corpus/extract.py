"""Per-file processing: decode, scrub secrets from comments, normalise, and pull out metadata
(SPDX licence, pragma, contract names and kinds, NatSpec, function signatures).

One regex pass splits a source into code, strings and comments; everything else works on
those segments, so strings that look like comments (and vice versa) are never confused.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

from chainllm.corpus.licenses import find_spdx

_SEG_RE = re.compile(r"//[^\n]*|/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.S)
_WS_RE = re.compile(r"\s+")
_DECL_RE = re.compile(r"\b(abstract\s+contract|contract|interface|library)\s+([A-Za-z_$][\w$]*)")
_FUNC_RE = re.compile(r"\bfunction\s+([A-Za-z_$][\w$]*)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
_PRAGMA_RE = re.compile(r"\bpragma\s+solidity\s+([^;]+);")
_SOLIDITY_HINT_RE = re.compile(
    r"\b(pragma|contract|interface|library|import|function|struct|enum|error|event|using|type)\b"
)
_LOCATIONS = {"memory", "storage", "calldata", "indexed"}
_NOT_NAMES = {"payable", "memory", "storage", "calldata"}

# Secrets and personal data, searched in comments only (code constants are legitimate data).
_EMAIL_RE = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_HEX64_RE = re.compile(r"\b(?:0x)?[0-9a-fA-F]{64}\b")
_KEY_CONTEXT_RE = re.compile(
    r"priv|secret|\bpk\b|\bkey\b|mnemonic|wallet|signer|deployer|PRIVATE_KEY|anvil|hardhat|ganache", re.I
)
_HEX_BENIGN_RE = re.compile(
    r"keccak|hash|slot|bytes32|selector|root|sha|digest|topic|typehash|salt|id\b", re.I
)
_API_KEY_RES = (
    re.compile(r"infura\.io/v3/[0-9a-fA-F]{32}"),
    re.compile(r"alchemy(?:api)?\.(?:io|com)/v2/[A-Za-z0-9_-]{20,}"),
    re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"),
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    re.compile(r"(?i)\b(?:api[_-]?key|apikey|secret|token|password)\s*[:=]\s*[\"']?[A-Za-z0-9_\-]{16,}"),
    # Etherscan-style keys: 34 upper-case letters and digits, both present.
    re.compile(r"\b(?=[A-Z0-9]{34}\b)(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{34}\b"),
)

# Cheap pre-checks (literal-first patterns, substring tests): most files have nothing to scrub,
# and one combined case-insensitive regex costs more than all the rest of the processing.
_QUICK_RES = (
    re.compile(r"[\w.%+-]@[A-Za-z0-9-]+\.[A-Za-z]{2,}"),
    re.compile(r"[0-9a-fA-F]{64}"),
    re.compile(r"[A-Z0-9]{34}"),
)
_QUICK_SUBSTRINGS = ("infura.io/v3/", "alchemy", "sk-", "AKIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_")
_QUICK_KEYWORD_RE = re.compile(r"(?:api[_-]?key|apikey|secret|token|password)\s*[:=]")


def _may_need_scrub(text: str) -> bool:
    return (
        any(s in text for s in _QUICK_SUBSTRINGS)
        or any(rx.search(text) for rx in _QUICK_RES)
        or bool(_QUICK_KEYWORD_RE.search(text.lower()))
    )


@dataclass(frozen=True)
class Metadata:
    license: str | None
    pragma: str | None
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    natspec: str
    functions: tuple[str, ...]


@dataclass(frozen=True)
class Processed:
    """One file ready for the corpus (before licence policy and dedup)."""

    path: str
    origin: str
    content: str  # scrubbed
    normalized: str
    id: str  # sha256 of ``normalized``
    sha256: str  # of the original bytes
    meta: Metadata
    scrubbed: dict[str, int]


def decode(data: bytes) -> tuple[str | None, str]:
    """(text, "") or (None, reason) for bytes that are not Solidity text."""
    head = data[:8192]
    if b"\x00" in head:
        return None, "binary"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "binary" if _looks_binary(head) else "not UTF-8"
    if _looks_binary(head):
        return None, "binary"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return None, "empty"
    if not _SOLIDITY_HINT_RE.search(text[:65536]):
        return None, "not Solidity"
    return text, ""


_CTRL = bytes(b for b in range(32) if b < 9 or 13 < b < 32)


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    ctrl = len(head) - len(head.translate(None, _CTRL))
    return ctrl / len(head) > 0.05


def _random_looking(hex_text: str) -> bool:
    """Keys are random: many distinct digits, no long runs (unlike masks, padding, 0xFF..)."""
    h = hex_text.lower().removeprefix("0x")
    return len(set(h)) >= 10 and not re.search(r"(.)\1{5}", h)


def _scrub_comment(text: str, counts: Counter[str], before: str = "") -> str:
    def email(m: re.Match[str]) -> str:
        counts["email"] += 1
        return "<email>"

    text = _EMAIL_RE.sub(email, text)
    for rx in _API_KEY_RES:
        text, n = rx.subn("<api-key>", text)
        counts["api_key"] += n
    if _HEX64_RE.search(text):
        # A random 32-byte value is a private key only in a key-like context (same or previous
        # line); hashes, checksums and schema ids look identical otherwise.
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if not _HEX64_RE.search(line):
                continue
            context = (before if i == 0 else lines[i - 1]) + "\n" + line
            if not _KEY_CONTEXT_RE.search(context) or _HEX_BENIGN_RE.search(line):
                continue

            def key(m: re.Match[str]) -> str:
                if not _random_looking(m.group(0)):
                    return m.group(0)
                counts["private_key"] += 1
                return "<private-key>"

            lines[i] = _HEX64_RE.sub(key, line)
        text = "\n".join(lines)
    return text


def scrub(text: str) -> tuple[str, dict[str, int]]:
    """Replace emails, private-key-looking hex and API keys inside comments."""
    if not _may_need_scrub(text):  # most files: skip the per-comment pass
        return text, {}
    counts: Counter[str] = Counter()
    out: list[str] = []
    last = 0
    prev_line, prev_end = "", -1
    for m in _SEG_RE.finditer(text):
        seg = m.group(0)
        if seg[0] == "/":
            # The comment on the line just above gives context ("// deployer key:" then the hex).
            gap = text[prev_end : m.start()] if prev_end >= 0 else "\n\n"
            before = prev_line if not gap.strip() and gap.count("\n") <= 1 else ""
            out.append(text[last : m.start()])
            out.append(_scrub_comment(seg, counts, before))
            last = m.end()
            prev_line, prev_end = seg.rsplit("\n", 1)[-1], m.end()
    if last == 0:
        return text, {}
    out.append(text[last:])
    return "".join(out), {k: v for k, v in counts.items() if v}


def split_segments(text: str) -> tuple[str, str, list[str]]:
    """(code with comments removed, code with comments and strings blanked, comments)."""
    no_comments: list[str] = []
    blanked: list[str] = []
    comments: list[str] = []
    last = 0
    for m in _SEG_RE.finditer(text):
        seg = m.group(0)
        between = text[last : m.start()]
        no_comments.append(between)
        blanked.append(between)
        if seg[0] == "/":
            comments.append(seg)
            no_comments.append(" ")
            blanked.append(" ")
        else:
            no_comments.append(seg)
            blanked.append('""')
        last = m.end()
    no_comments.append(text[last:])
    blanked.append(text[last:])
    return "".join(no_comments), "".join(blanked), comments


def natspec_of(comments: list[str]) -> str:
    parts: list[str] = []
    for c in comments:
        if c.startswith("///") and not c.startswith("////"):
            parts.append(c[3:].strip())
        elif c.startswith("/**") and not c.startswith("/***") and c != "/**/":
            body = c[3:-2] if c.endswith("*/") else c[3:]
            lines = [ln.strip().lstrip("*").strip() for ln in body.split("\n")]
            parts.append("\n".join(ln for ln in lines if ln))
    return "\n".join(p for p in parts if p)


def _param_type(param: str) -> str:
    toks = param.split()
    toks = [t for t in toks if t not in _LOCATIONS]
    if len(toks) >= 2 and re.fullmatch(r"[A-Za-z_$][\w$]*", toks[-1]) and toks[-1] not in _NOT_NAMES:
        toks = toks[:-1]
    if toks and toks[-1] == "payable" and len(toks) > 1:
        toks = toks[:-1]
    return " ".join(toks)


def _split_params(params: str) -> list[str]:
    if "(" not in params and "[" not in params:
        return [p.strip() for p in params.split(",") if p.strip()]
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in params:
        if ch == "," and depth == 0:
            out.append("".join(cur))
            cur = []
            continue
        depth += ch in "(["
        depth -= ch in ")]"
        cur.append(ch)
    out.append("".join(cur))
    return [p.strip() for p in out if p.strip()]


def metadata(text: str, blanked: str, comments: list[str]) -> Metadata:
    names, kinds = [], []
    for m in _DECL_RE.finditer(blanked):
        kind = "abstract" if m.group(1).startswith("abstract") else m.group(1)
        names.append(m.group(2))
        kinds.append(kind)
    functions = list(
        dict.fromkeys(
            f"{m.group(1)}({','.join(_param_type(p) for p in _split_params(m.group(2)))})"
            for m in _FUNC_RE.finditer(blanked)
        )
    )
    pragmas = [_WS_RE.sub(" ", m.group(1)).strip() for m in _PRAGMA_RE.finditer(blanked)]
    return Metadata(
        license=find_spdx(text),
        pragma=" ".join(dict.fromkeys(pragmas)) or None,
        names=tuple(names),
        kinds=tuple(kinds),
        natspec=natspec_of(comments),
        functions=tuple(functions),
    )


def normalize(code_without_comments: str) -> str:
    return _WS_RE.sub(" ", code_without_comments).strip()


def process(path: str, origin: str, data: bytes) -> Processed | str:
    """A processed file, or the reason it cannot be used."""
    text, reason = decode(data)
    if text is None:
        return reason
    clean, counts = scrub(text)
    no_comments, blanked, comments = split_segments(clean)
    norm = normalize(no_comments)
    if not norm:
        return "only comments"
    # The licence is read from the original text: scrubbing never touches SPDX lines.
    meta = metadata(clean, blanked, comments)
    return Processed(
        path=path,
        origin=origin,
        content=clean,
        normalized=norm,
        id=hashlib.sha256(norm.encode("utf-8")).hexdigest(),
        sha256=hashlib.sha256(data).hexdigest(),
        meta=meta,
        scrubbed=counts,
    )
