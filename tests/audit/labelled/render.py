"""Render the labelled audit corpus from its family templates (``python -m`` or ``main()``).

Each family is one vulnerable or safe pattern, written by hand from the SWC definitions and
public post-mortems, rendered for several solc versions (0.4 to 0.8). Labels are markers on
the lines themselves: ``// BUG: <class>`` (a labelled bug) and ``// SAFE: <class>`` (a safe
look-alike). Placeholders keep one template valid across compiler versions:

  {N}        contract-name suffix (unique per rendered family)
  {CPUB}     ``public`` on constructors before 0.7
  {PAY}      ``address`` (0.4) / ``address payable`` (0.5+)
  {SENDER_P} ``msg.sender`` / ``payable(msg.sender)`` (0.8)
  {NOW}      ``now`` before 0.7, ``block.timestamp`` after
  {U} {/U}   ``unchecked {`` ... ``}`` on 0.8, nothing before (checked math starts at 0.8)

Families whose bug only exists on some versions say so: ``bug_before`` turns BUG markers into
SAFE markers from that version on (the same code, now a safe look-alike), and on 0.8 every
family using {U} also yields a checked-math twin (BUG -> SAFE, no ``unchecked``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSIONS = ("0.4.24", "0.4.26", "0.5.17", "0.6.12", "0.7.6", "0.8.28")

PRELUDE = """
library SafeMathLib {
    function add(uint256 a, uint256 b) internal pure returns (uint256) {
        uint256 c = a + b;
        require(c >= a);
        return c;
    }
    function sub(uint256 a, uint256 b) internal pure returns (uint256) {
        require(b <= a);
        return a - b;
    }
    function mul(uint256 a, uint256 b) internal pure returns (uint256) {
        if (a == 0) return 0;
        uint256 c = a * b;
        require(c / a == b);
        return c;
    }
}
"""


@dataclass(frozen=True)
class Family:
    id: str
    cls: str
    code: str
    versions: tuple[str, ...] = VERSIONS
    bug_before: str | None = None  # BUG markers become SAFE from this version on


def _vt(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


def render_code(code: str, v: str, *, checked_twin: bool = False) -> str:
    t = _vt(v)
    out = code
    out = out.replace("{CPUB}", "public" if t < (0, 7) else "")
    out = out.replace("{PAY}", "address" if t < (0, 5) else "address payable")
    out = out.replace("{SENDER_P}", "payable(msg.sender)" if t >= (0, 8) else "msg.sender")
    out = out.replace("{NOW}", "now" if t < (0, 7) else "block.timestamp")
    unchecked = t >= (0, 8) and not checked_twin
    out = out.replace("{U}", "unchecked { " if unchecked else "").replace("{/U}", " }" if unchecked else "")
    if checked_twin:
        out = out.replace("// BUG:", "// SAFE:")
    return out


def render_family(fam: Family, v: str, suffix: str) -> list[str]:
    blocks = []
    code = fam.code.replace("{N}", suffix)
    if fam.bug_before and _vt(v) >= _vt(fam.bug_before):
        code = code.replace("// BUG:", "// SAFE:")
    blocks.append(render_code(code, v))
    if _vt(v) >= (0, 8) and "{U}" in fam.code:
        blocks.append(render_code(fam.code.replace("{N}", suffix + "Checked"), v, checked_twin=True))
    return blocks


def render_split(families: list[Family], split: str, out_root: Path = HERE) -> dict[str, int]:
    """Write one file per (class, version); returns label counts."""
    folder = out_root / split
    folder.mkdir(parents=True, exist_ok=True)
    counts = {"bug": 0, "safe": 0, "files": 0}
    classes = sorted({f.cls for f in families})
    for cls in classes:
        for v in VERSIONS:
            fams = [f for f in families if f.cls == cls and v in f.versions]
            if not fams:
                continue
            tag = v.replace(".", "")
            body = [f"// SPDX-License-Identifier: MIT\npragma solidity {v};\n", PRELUDE]
            for fam in fams:
                body += render_family(fam, v, f"_{fam.id}_{tag}")
            text = "\n".join(b.strip("\n") + "\n" for b in body)
            name = f"{cls}_{tag}.sol"
            (folder / name).write_text(text)
            counts["files"] += 1
            counts["bug"] += len(re.findall(r"// BUG:", text))
            counts["safe"] += len(re.findall(r"// SAFE:", text))
    return counts


def main() -> None:
    sys.path.insert(0, str(HERE))
    import families_heldout

    print("heldout", render_split(families_heldout.FAMILIES, "heldout"))
    try:
        import families_heldout2

        print("heldout2", render_split(families_heldout2.FAMILIES, "heldout2"))
    except ImportError:
        pass
    try:
        import families_dev
    except ImportError:
        return
    print("dev", render_split(families_dev.FAMILIES, "dev"))


if __name__ == "__main__":
    main()
