"""What a contract's runtime bytecode can do: the selectors its dispatcher matches (PUSH4
constants) and the opcodes present, skipping PUSH data. Pattern groups name the owner
powers behind honeypots and rug pulls (blacklists, adjustable fees, minting, pausing)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from chainllm.fraud.decode import selector

DELEGATECALL, SELFDESTRUCT, CALLCODE, CREATE, CREATE2, CALL = 0xF4, 0xFF, 0xF2, 0xF0, 0xF5, 0xF1
ORIGIN, SSTORE = 0x32, 0x55
EIP1967_IMPL = "360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc"
EIP1167_PREFIX = "363d3d373d3d3d363d73"

# Owner powers by selector. Real tokens name these many ways; these are common spellings,
# deliberately not the names used by the scenario contracts (the evaluation would flatter).
PATTERNS: dict[str, tuple[str, ...]] = {
    "blacklist": ("blacklist(address)", "addBlacklist(address)", "setBlacklist(address,bool)",
                  "addBots(address[])", "setBots(address[])", "blockAddress(address)",
                  "isBlacklisted(address)", "setSniper(address,bool)", "setBot(address,bool)"),
    "fee": ("setFee(uint256)", "setFees(uint256,uint256)", "setTaxFee(uint256)", "setSellFee(uint256)",
            "setTax(uint256)", "updateFees(uint256,uint256)", "setMaxTxAmount(uint256)",
            "setTaxes(uint256,uint256)", "setSwapFee(uint256)"),
    "mint": ("mint(address,uint256)", "mint(uint256)", "issue(uint256)", "rebase(uint256)"),
    "pause": ("pause()", "unpause()", "setTradingEnabled(bool)", "enableTrading()", "setPaused(bool)"),
    # Names seen on real drainer / fake-claim contracts (ScamSniffer, PTXPhish write-ups).
    "drain": ("Claim()", "claim()", "SecurityUpdate()", "securityUpdate()", "claimRewards()",
              "multicall(address[],bytes[])", "withdraw()"),
    "pulls": ("transferFrom(address,address,uint256)", "safeTransferFrom(address,address,uint256)"),
    "erc20": ("transfer(address,uint256)", "approve(address,uint256)", "transferFrom(address,address,uint256)",
              "balanceOf(address)"),
    "erc721": ("setApprovalForAll(address,bool)", "ownerOf(uint256)", "safeTransferFrom(address,address,uint256)"),
    "ownable": ("owner()", "transferOwnership(address)", "renounceOwnership()"),
}  # fmt: skip
_PATTERN_SELECTORS = {k: {selector(s)[2:] for s in v} for k, v in PATTERNS.items()}


@dataclass(frozen=True)
class CodeFacts:
    size: int
    selectors: frozenset[str]  # 8 hex digits, no 0x
    opcodes: frozenset[int]
    proxy: str  # "" | "eip1167" | "eip1967" | "delegatecall"

    def has(self, pattern: str) -> int:
        """How many selectors of a pattern group the code matches."""
        return len(self.selectors & _PATTERN_SELECTORS[pattern])


EMPTY = CodeFacts(0, frozenset(), frozenset(), "")


@lru_cache(maxsize=4096)
def analyse(code_hex: str) -> CodeFacts:
    code = bytes.fromhex(code_hex.removeprefix("0x"))
    if not code:
        return EMPTY
    ops: set[int] = set()
    sels: set[str] = set()
    i, n = 0, len(code)
    while i < n:
        op = code[i]
        ops.add(op)
        if 0x60 <= op <= 0x7F:  # PUSH1..PUSH32: skip the immediate
            width = op - 0x5F
            if op == 0x63 and i + 5 <= n:  # PUSH4: dispatcher selector candidates
                sels.add(code[i + 1 : i + 5].hex())
            i += width
        i += 1
    h = code.hex()
    proxy = ""
    if h.startswith(EIP1167_PREFIX):
        proxy = "eip1167"
    elif EIP1967_IMPL in h:
        proxy = "eip1967"
    elif DELEGATECALL in ops and len(code) < 400:
        proxy = "delegatecall"  # a tiny contract that forwards everything
    return CodeFacts(len(code), frozenset(sels), frozenset(ops), proxy)
