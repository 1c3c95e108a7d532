"""Emit Solidity for a ``ContractSpec`` from OpenZeppelin 5.x building blocks.

The standard parts (token logic, access control, pausing, voting, governance) are never
written by a model: they are inherited from the audited library, as the OpenZeppelin Wizard
does, and only the glue (constructor, the overrides Solidity demands, small owner functions)
is emitted here. Custom functions arrive as complete Solidity text from a backend, or as a
library ``Snippet`` with the declarations it needs, and are spliced in; the loop compiles and
audits the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chainllm.generate.snippets import Snippet
from chainllm.generate.spec import ContractSpec

PRAGMA = "^0.8.24"  # solc 0.8.24 and 0.8.28 (bundled) satisfy it; the newest is picked
OZ = "@openzeppelin/contracts"


@dataclass
class _Override:
    """A function several parents define: Solidity wants it overridden with all of them."""

    signature: str  # e.g. "_update(address from, address to, uint256 value)"
    visibility: str  # "internal" | "public"
    mutability: str  # "" | "view" | "pure"
    returns: str  # "" or "(uint256)"
    bases: list[str] = field(default_factory=list)

    def render(self) -> str:
        name, _, params = self.signature.partition("(")
        arg_names = [p.split()[-1] for p in params.rstrip(")").split(",") if p.strip()]
        call = f"super.{name}({', '.join(arg_names)})"
        mut = f" {self.mutability}" if self.mutability else ""
        ret = f" returns {self.returns}" if self.returns else ""
        body = f"return {call};" if self.returns else f"{call};"
        return (
            f"    function {self.signature}\n        {self.visibility}{mut}\n"
            f"        override({', '.join(self.bases)})\n{'        ' + ret.strip() + chr(10) if ret else ''}"
            f"    {{\n        {body}\n    }}"
        )


@dataclass
class _Builder:
    name: str
    imports: dict[str, str] = field(default_factory=dict)  # symbol -> path
    parents: list[str] = field(default_factory=list)
    parent_args: dict[str, str] = field(default_factory=dict)
    using: list[str] = field(default_factory=list)
    state: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ctor_params: list[str] = field(default_factory=list)
    ctor_body: list[str] = field(default_factory=list)
    ctor_payable: bool = False
    functions: list[str] = field(default_factory=list)
    modifiers: list[str] = field(default_factory=list)
    overrides: dict[str, _Override] = field(default_factory=dict)
    natspec: list[str] = field(default_factory=list)

    def parent(self, symbol: str, path: str, args: str | None = None) -> None:
        self.imports[symbol] = path
        if symbol not in self.parents:
            self.parents.append(symbol)
        if args is not None:
            self.parent_args[symbol] = args

    def imp(self, symbol: str, path: str) -> None:
        self.imports[symbol] = path

    def override(
        self,
        signature: str,
        bases: list[str],
        *,
        visibility: str = "internal",
        mutability: str = "",
        returns: str = "",
    ) -> None:
        o = self.overrides.setdefault(signature, _Override(signature, visibility, mutability, returns))
        for b in bases:
            if b not in o.bases:
                o.bases.append(b)

    def function(self, text: str) -> None:
        self.functions.append(text.rstrip())

    def render(self) -> str:
        lines = ["// SPDX-License-Identifier: MIT", f"pragma solidity {PRAGMA};", ""]
        by_path: dict[str, list[str]] = {}
        for sym, path in self.imports.items():
            by_path.setdefault(path, []).append(sym)
        for path in sorted(by_path):
            lines.append(f'import {{{", ".join(sorted(by_path[path]))}}} from "{path}";')
        lines.append("")
        lines.extend(f"/// {n}" for n in self.natspec)
        head = f"contract {self.name}"
        if self.parents:
            head += " is " + ", ".join(self.parents)
        lines.append(head + " {")
        body: list[str] = []
        for u in self.using:
            body.append(f"    using {u};")
        if self.using:
            body.append("")
        for group in (self.errors, self.events, self.state):
            body.extend(f"    {x}" for x in group)
            if group:
                body.append("")
        body.extend(self.modifiers)
        if self.modifiers:
            body.append("")
        order = [p for p in self.parents if p in self.parent_args]
        order += [p for p in self.parent_args if p not in self.parents]
        ctor_mods = [f"{p}({self.parent_args[p]})" for p in order]
        sig = f"    constructor({', '.join(self.ctor_params)})"
        if self.ctor_payable:
            sig += " payable"
        if ctor_mods:
            sig += "\n        " + "\n        ".join(ctor_mods) + "\n    {"
        else:
            sig += " {"
        body.append(sig)
        body.extend(f"        {x}" for x in self.ctor_body)
        body.append("    }")
        for fn in self.functions:
            body.append("")
            body.append(fn)
        multi = [o for o in self.overrides.values() if len(o.bases) > 1]
        if multi:
            body.append("")
            body.append("    // The following functions are overrides required by Solidity.")
            for o in multi:
                body.append("")
                body.append(o.render())
        lines.extend(body)
        lines.append("}")
        return "\n".join(lines) + "\n"


CUSTOM_MARKER = "    // custom functions"


def _access(b: _Builder, spec: ContractSpec, role: str | None) -> str:
    """Set up access control; returns the modifier text to guard an owner-only function."""
    if spec.access == "ownable":
        b.parent("Ownable", f"{OZ}/access/Ownable.sol", "initialOwner")
        if "address initialOwner" not in b.ctor_params:
            b.ctor_params.append("address initialOwner")
        return "onlyOwner"
    if spec.access == "roles":
        b.parent("AccessControl", f"{OZ}/access/AccessControl.sol")
        if "address defaultAdmin" not in b.ctor_params:
            b.ctor_params.insert(0, "address defaultAdmin")
            b.ctor_body.insert(0, "_grantRole(DEFAULT_ADMIN_ROLE, defaultAdmin);")
        if role is None:
            return "onlyRole(DEFAULT_ADMIN_ROLE)"
        const = f'bytes32 public constant {role} = keccak256("{role}");'
        if const not in b.state:
            b.state.append(const)
            words = role.removesuffix("_ROLE").lower().split("_")
            param = words[0] + "".join(w.capitalize() for w in words[1:])  # URI_SETTER_ROLE -> uriSetter
            b.ctor_params.append(f"address {param}")
            b.ctor_body.append(f"_grantRole({role}, {param});")
        return f"onlyRole({role})"
    return ""


def _pause_functions(b: _Builder, guard: str) -> None:
    for fn in ("pause", "unpause"):
        b.function(f"    function {fn}() public {guard} {{\n        _{fn}();\n    }}")


def _amount(whole: int, decimals_expr: str) -> str:
    return f"{whole:_} * 10 ** {decimals_expr}"


def _wei(amount: int) -> str:
    """Literal for an amount of wei in the largest exact unit (Slither flags long digit runs)."""
    for unit, scale in (("ether", 10**18), ("gwei", 10**9)):
        if amount >= scale // 1000 and (amount * 1000) % scale == 0:
            whole, frac = divmod(amount, scale)
            text = (
                str(whole) if not frac else f"{whole}.{str(frac).rjust(len(str(scale)) - 1, '0').rstrip('0')}"
            )
            return f"{text} {unit}"
    return f"{amount:_}"


def _erc20(spec: ContractSpec) -> _Builder:
    b = _Builder(spec.name)
    f = spec.features
    b.parent("ERC20", f"{OZ}/token/ERC20/ERC20.sol", f'"{spec.token_name}", "{spec.symbol}"')
    base = ["ERC20"]
    if "burnable" in f:
        b.parent("ERC20Burnable", f"{OZ}/token/ERC20/extensions/ERC20Burnable.sol")
    if "pausable" in f:
        b.parent("ERC20Pausable", f"{OZ}/token/ERC20/extensions/ERC20Pausable.sol")
        base.append("ERC20Pausable")
    if "capped" in f and spec.cap:
        b.parent(
            "ERC20Capped",
            f"{OZ}/token/ERC20/extensions/ERC20Capped.sol",
            _amount(spec.cap, str(spec.decimals)),
        )
        base.append("ERC20Capped")
    if "permit" in f or "votes" in f:
        b.parent("ERC20Permit", f"{OZ}/token/ERC20/extensions/ERC20Permit.sol", f'"{spec.token_name}"')
    if "votes" in f:
        b.parent("ERC20Votes", f"{OZ}/token/ERC20/extensions/ERC20Votes.sol")
        b.imp("Nonces", f"{OZ}/utils/Nonces.sol")
        base.append("ERC20Votes")
        b.override(
            "nonces(address holder)",
            ["ERC20Permit", "Nonces"],
            visibility="public",
            mutability="view",
            returns="(uint256)",
        )
    if "flashmint" in f:
        b.parent("ERC20FlashMint", f"{OZ}/token/ERC20/extensions/ERC20FlashMint.sol")
    guard_pause = _access(b, spec, "PAUSER_ROLE" if "pausable" in f else None) if "pausable" in f else ""
    guard_mint = _access(b, spec, "MINTER_ROLE") if "mintable" in f else ""
    guard_admin = _access(b, spec, None) if "blocklist" in f else ""
    if spec.premint:
        b.ctor_params.append("address recipient")
        decimals = "decimals()" if spec.decimals == 18 else str(spec.decimals)
        b.ctor_body.append(f"_mint(recipient, {_amount(spec.premint, decimals)});")
    if spec.decimals != 18:
        b.function(
            f"    function decimals() public pure override returns (uint8) {{\n        return {spec.decimals};\n    }}"
        )
    if "pausable" in f:
        _pause_functions(b, guard_pause)
    if "mintable" in f:
        b.function(
            f"    function mint(address to, uint256 amount) public {guard_mint} {{\n        _mint(to, amount);\n    }}"
        )
    update_body = None
    if "blocklist" in f:
        b.state.append("mapping(address account => bool) public blocked;")
        b.events.append("event Blocked(address indexed account, bool isBlocked);")
        b.errors.append("error AccountBlocked(address account);")
        b.function(
            f"    function setBlocked(address account, bool isBlocked) public {guard_admin} {{\n"
            "        blocked[account] = isBlocked;\n        emit Blocked(account, isBlocked);\n    }"
        )
        update_body = (
            "        if (blocked[from]) revert AccountBlocked(from);\n"
            "        if (blocked[to]) revert AccountBlocked(to);\n"
            "        super._update(from, to, value);"
        )
    if "airdrop" in f:
        b.errors.append("error LengthMismatch(uint256 recipients, uint256 amounts);")
        b.function(
            "    /// Sends tokens from the caller to many recipients in one transaction.\n"
            "    function airdrop(address[] calldata recipients, uint256[] calldata amounts) external {\n"
            "        if (recipients.length != amounts.length) revert LengthMismatch(recipients.length, amounts.length);\n"
            "        for (uint256 i = 0; i < recipients.length; ++i) {\n"
            "            _transfer(_msgSender(), recipients[i], amounts[i]);\n"
            "        }\n    }"
        )
    if update_body is not None:
        bases = base if len(base) > 1 else ["ERC20"]
        ov = f"override({', '.join(bases)})" if len(bases) > 1 else "override"
        b.function(
            f"    function _update(address from, address to, uint256 value) internal {ov} {{\n{update_body}\n    }}"
        )
    elif len(base) > 1:
        b.override("_update(address from, address to, uint256 value)", base)
    return b


def _erc721(spec: ContractSpec) -> _Builder:
    b = _Builder(spec.name)
    f = spec.features
    b.parent("ERC721", f"{OZ}/token/ERC721/ERC721.sol", f'"{spec.token_name}", "{spec.symbol}"')
    upd = ["ERC721"]
    inc = ["ERC721"]
    iface = ["ERC721"]
    if "enumerable" in f:
        b.parent("ERC721Enumerable", f"{OZ}/token/ERC721/extensions/ERC721Enumerable.sol")
        upd.append("ERC721Enumerable")
        inc.append("ERC721Enumerable")
        iface.append("ERC721Enumerable")
    if "uristorage" in f:
        b.parent("ERC721URIStorage", f"{OZ}/token/ERC721/extensions/ERC721URIStorage.sol")
        iface.append("ERC721URIStorage")
        b.override(
            "tokenURI(uint256 tokenId)",
            ["ERC721", "ERC721URIStorage"],
            visibility="public",
            mutability="view",
            returns="(string memory)",
        )
    if "pausable" in f:
        b.parent("ERC721Pausable", f"{OZ}/token/ERC721/extensions/ERC721Pausable.sol")
        upd.append("ERC721Pausable")
    if "burnable" in f:
        b.parent("ERC721Burnable", f"{OZ}/token/ERC721/extensions/ERC721Burnable.sol")
    if "royalty" in f:
        b.parent("ERC721Royalty", f"{OZ}/token/ERC721/extensions/ERC721Royalty.sol")
        iface.append("ERC721Royalty")
    if "votes" in f:
        b.parent("EIP712", f"{OZ}/utils/cryptography/EIP712.sol", f'"{spec.token_name}", "1"')
        b.parent("ERC721Votes", f"{OZ}/token/ERC721/extensions/ERC721Votes.sol")
        upd.append("ERC721Votes")
        inc.append("ERC721Votes")
    owner_guard = _access(b, spec, None)
    if "pausable" in f:
        g = _access(b, spec, "PAUSER_ROLE")
        _pause_functions(b, g)
    if spec.base_uri:
        b.function(
            f'    function _baseURI() internal pure override returns (string memory) {{\n        return "{spec.base_uri}";\n    }}'
        )
    if "royalty" in f:
        if spec.access == "ownable":
            b.ctor_body.append(f"_setDefaultRoyalty(initialOwner, {spec.royalty_bps});")
        else:
            b.ctor_params.append("address royaltyReceiver")
            b.ctor_body.append(f"_setDefaultRoyalty(royaltyReceiver, {spec.royalty_bps});")
    auto = "autoincrement" in f
    if auto:
        b.state.append("uint256 private _nextTokenId;")
    if spec.cap:
        b.state.append(f"uint256 public constant MAX_SUPPLY = {spec.cap};")
        b.errors.append("error SoldOut();")
    cap_check = "        if (_nextTokenId >= MAX_SUPPLY) revert SoldOut();\n" if spec.cap and auto else ""
    uri_param = ", string memory uri" if "uristorage" in f else ""
    set_uri = "        _setTokenURI(tokenId, uri);\n" if "uristorage" in f else ""
    if "mintable" in f:
        g = _access(b, spec, "MINTER_ROLE")
        if auto:
            b.function(
                f"    function safeMint(address to{uri_param}) public {g} returns (uint256) {{\n{cap_check}"
                f"        uint256 tokenId = _nextTokenId++;\n{set_uri}        _safeMint(to, tokenId);\n"
                "        return tokenId;\n    }"
            )
        else:
            b.function(
                f"    function safeMint(address to, uint256 tokenId{uri_param}) public {g} {{\n"
                f"{set_uri}        _safeMint(to, tokenId);\n    }}"
            )
    if "publicmint" in f:
        b.imp("Address", f"{OZ}/utils/Address.sol")
        b.state.append(f"uint256 public constant MINT_PRICE = {_wei(spec.mint_price_wei)};")
        b.errors.append("error WrongPayment(uint256 sent, uint256 price);")
        b.function(
            f"    /// Anyone can mint one token by paying exactly MINT_PRICE.\n"
            f"    function mint({uri_param.lstrip(', ')}) external payable returns (uint256) {{\n"
            "        if (msg.value != MINT_PRICE) revert WrongPayment(msg.value, MINT_PRICE);\n"
            f"{cap_check}        uint256 tokenId = _nextTokenId++;\n{set_uri}        _safeMint(_msgSender(), tokenId);\n"
            "        return tokenId;\n    }"
        )
        recipient = "payable(owner())" if spec.access == "ownable" else "payable(_msgSender())"
        b.function(
            f"    /// Sends the mint proceeds to {'the owner' if spec.access == 'ownable' else 'the admin calling it'}.\n"
            f"    function withdraw() external {owner_guard} {{\n"
            f"        Address.sendValue({recipient}, address(this).balance);\n    }}"
        )
    if len(upd) > 1:
        b.override("_update(address to, uint256 tokenId, address auth)", upd, returns="(address)")
    if len(inc) > 1:
        b.override("_increaseBalance(address account, uint128 value)", inc)
    if spec.access == "roles":
        iface.append("AccessControl")
    if len(iface) > 1:
        b.override(
            "supportsInterface(bytes4 interfaceId)",
            iface,
            visibility="public",
            mutability="view",
            returns="(bool)",
        )
    return b


def _erc1155(spec: ContractSpec) -> _Builder:
    b = _Builder(spec.name)
    f = spec.features
    uri = spec.base_uri or f"https://example.com/api/{spec.name.lower()}/{{id}}.json"
    b.parent("ERC1155", f"{OZ}/token/ERC1155/ERC1155.sol", f'"{uri}"')
    upd = ["ERC1155"]
    if "pausable" in f:
        b.parent("ERC1155Pausable", f"{OZ}/token/ERC1155/extensions/ERC1155Pausable.sol")
        upd.append("ERC1155Pausable")
    if "burnable" in f:
        b.parent("ERC1155Burnable", f"{OZ}/token/ERC1155/extensions/ERC1155Burnable.sol")
    if "supply" in f:
        b.parent("ERC1155Supply", f"{OZ}/token/ERC1155/extensions/ERC1155Supply.sol")
        upd.append("ERC1155Supply")
    _access(b, spec, None)
    if "updatableuri" in f:
        g = _access(b, spec, "URI_SETTER_ROLE")
        b.function(
            f"    function setURI(string memory newuri) public {g} {{\n        _setURI(newuri);\n    }}"
        )
    if "pausable" in f:
        g = _access(b, spec, "PAUSER_ROLE")
        _pause_functions(b, g)
    if "mintable" in f:
        g = _access(b, spec, "MINTER_ROLE")
        b.function(
            f"    function mint(address account, uint256 id, uint256 amount, bytes memory data) public {g} {{\n"
            "        _mint(account, id, amount, data);\n    }"
        )
        b.function(
            "    function mintBatch(address to, uint256[] memory ids, uint256[] memory amounts, bytes memory data)\n"
            f"        public\n        {g}\n    {{\n        _mintBatch(to, ids, amounts, data);\n    }}"
        )
    if len(upd) > 1:
        b.override("_update(address from, address to, uint256[] memory ids, uint256[] memory values)", upd)
    if spec.access == "roles":
        b.override(
            "supportsInterface(bytes4 interfaceId)",
            ["ERC1155", "AccessControl"],
            visibility="public",
            mutability="view",
            returns="(bool)",
        )
    return b


def _governor(spec: ContractSpec) -> _Builder:
    b = _Builder(spec.name)
    g = "@openzeppelin/contracts/governance"
    b.parent("Governor", f"{g}/Governor.sol", f'"{spec.name}"')
    b.parent(
        "GovernorSettings",
        f"{g}/extensions/GovernorSettings.sol",
        f"{spec.voting_delay_blocks}, {spec.voting_period_blocks}, 0",
    )
    b.parent("GovernorCountingSimple", f"{g}/extensions/GovernorCountingSimple.sol")
    b.parent("GovernorVotes", f"{g}/extensions/GovernorVotes.sol", "token_")
    b.parent(
        "GovernorVotesQuorumFraction",
        f"{g}/extensions/GovernorVotesQuorumFraction.sol",
        str(spec.quorum_percent),
    )
    b.imp("IVotes", f"{g}/utils/IVotes.sol")
    b.ctor_params.append("IVotes token_")
    for fn in ("votingDelay()", "votingPeriod()", "proposalThreshold()"):
        b.override(
            fn, ["Governor", "GovernorSettings"], visibility="public", mutability="view", returns="(uint256)"
        )
    b.override(
        "quorum(uint256 blockNumber)",
        ["Governor", "GovernorVotesQuorumFraction"],
        visibility="public",
        mutability="view",
        returns="(uint256)",
    )
    if "timelock" in spec.features:
        t = ["Governor", "GovernorTimelockControl"]
        b.parent("GovernorTimelockControl", f"{g}/extensions/GovernorTimelockControl.sol", "timelock_")
        b.imp("TimelockController", f"{g}/TimelockController.sol")
        b.ctor_params.append("TimelockController timelock_")
        b.override(
            "state(uint256 proposalId)", t, visibility="public", mutability="view", returns="(ProposalState)"
        )
        b.override(
            "proposalNeedsQueuing(uint256 proposalId)",
            t,
            visibility="public",
            mutability="view",
            returns="(bool)",
        )
        arrays = "address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 descriptionHash"
        b.override(f"_queueOperations(uint256 proposalId, {arrays})", t, returns="(uint48)")
        b.override(f"_executeOperations(uint256 proposalId, {arrays})", t)
        b.override(f"_cancel({arrays})", t, returns="(uint256)")
        b.override("_executor()", t, mutability="view", returns="(address)")
    return b


def _vault(spec: ContractSpec) -> _Builder:
    b = _Builder(spec.name)
    b.parent("ERC4626", f"{OZ}/token/ERC20/extensions/ERC4626.sol", "asset_")
    # ERC20 is an indirect base: give it constructor arguments without listing it (as the Wizard does).
    b.imp("ERC20", f"{OZ}/token/ERC20/ERC20.sol")
    b.parent_args["ERC20"] = f'"{spec.token_name}", "{spec.symbol}"'
    b.imp("IERC20", f"{OZ}/token/ERC20/IERC20.sol")
    b.ctor_params.append("IERC20 asset_")
    # Virtual shares make the first-depositor inflation attack unprofitable (OZ's advice).
    b.function(
        "    /// Virtual shares (10**6 per asset unit) blunt the first-depositor inflation attack.\n"
        "    function _decimalsOffset() internal pure override returns (uint8) {\n        return 6;\n    }"
    )
    if "pausable" in spec.features:
        b.parent("Pausable", f"{OZ}/utils/Pausable.sol")
        g = _access(b, spec, "PAUSER_ROLE")
        _pause_functions(b, g)
        b.function(
            "    function _deposit(address caller, address receiver, uint256 assets, uint256 shares)\n"
            "        internal\n        override\n        whenNotPaused\n    {\n"
            "        super._deposit(caller, receiver, assets, shares);\n    }"
        )
        b.function(
            "    function _withdraw(address caller, address receiver, address assetOwner, uint256 assets, uint256 shares)\n"
            "        internal\n        override\n        whenNotPaused\n    {\n"
            "        super._withdraw(caller, receiver, assetOwner, assets, shares);\n    }"
        )
    if "capped" in spec.features and spec.cap:
        b.state.append("uint256 public immutable depositCap;")
        b.ctor_params.append("uint256 depositCap_")
        b.ctor_body.append("depositCap = depositCap_;")
        b.function(
            "    /// Deposits stop once the vault holds depositCap assets.\n"
            "    function maxDeposit(address) public view override returns (uint256) {\n"
            "        uint256 held = totalAssets();\n        return held >= depositCap ? 0 : depositCap - held;\n    }"
        )
        b.function(
            "    function maxMint(address receiver) public view override returns (uint256) {\n"
            "        return _convertToShares(maxDeposit(receiver), Math.Rounding.Floor);\n    }"
        )
        b.imp("Math", f"{OZ}/utils/math/Math.sol")
    return b


def _escrow(spec: ContractSpec) -> _Builder:
    b = _Builder(spec.name)
    token = "token" in spec.features
    deadline = "deadline" in spec.features
    b.parent("ReentrancyGuard", f"{OZ}/utils/ReentrancyGuard.sol")
    b.natspec.append(
        "Holds a payment from the buyer until the buyer or the arbiter releases it to the seller,"
    )
    b.natspec.append("or the seller or the arbiter refunds it to the buyer.")
    b.state += [
        "enum State { AwaitingPayment, AwaitingDelivery, Released, Refunded }",
        "",
        "address public immutable buyer;",
        "address public immutable seller;",
        "address public immutable arbiter;",
        "uint256 public immutable amount;",
        "State public state;",
    ]
    if token:
        b.imp("IERC20", f"{OZ}/token/ERC20/IERC20.sol")
        b.imp("SafeERC20", f"{OZ}/token/ERC20/utils/SafeERC20.sol")
        b.using.append("SafeERC20 for IERC20")
        b.state.append("IERC20 public immutable token;")
    else:
        b.imp("Address", f"{OZ}/utils/Address.sol")
    if deadline:
        b.state.append("uint256 public immutable deadline;")
    b.errors += [
        "error NotAllowed(address caller);",
        "error WrongState(State current);",
        "error WrongAmount(uint256 sent, uint256 expected);",
    ]
    if deadline:
        b.errors.append("error DeadlineNotReached(uint256 deadline);")
    b.errors.append("error ZeroAddress();")
    b.events += [
        "event Deposited(address indexed buyer, uint256 amount);",
        "event Released(address indexed seller, uint256 amount);",
        "event Refunded(address indexed buyer, uint256 amount);",
    ]
    params = ["address buyer_", "address seller_", "address arbiter_", "uint256 amount_"]
    if token:
        params.append("IERC20 token_")
    if deadline:
        params.append("uint256 deadline_")
    b.ctor_params += params
    b.ctor_body += [
        "if (buyer_ == address(0) || seller_ == address(0) || arbiter_ == address(0)) revert ZeroAddress();",
        "buyer = buyer_;",
        "seller = seller_;",
        "arbiter = arbiter_;",
        "amount = amount_;",
    ]
    if token:
        b.ctor_body.append("token = token_;")
    if deadline:
        b.ctor_body.append("deadline = deadline_;")
    b.modifiers.append(
        "    modifier inState(State expected) {\n        if (state != expected) revert WrongState(state);\n        _;\n    }"
    )
    if token:
        b.function(
            "    /// The buyer pays `amount` tokens in (approve this contract first).\n"
            "    function deposit() external nonReentrant inState(State.AwaitingPayment) {\n"
            "        if (msg.sender != buyer) revert NotAllowed(msg.sender);\n"
            "        state = State.AwaitingDelivery;\n"
            "        emit Deposited(msg.sender, amount);\n"
            "        token.safeTransferFrom(msg.sender, address(this), amount);\n    }"
        )
        pay_seller = "token.safeTransfer(seller, amount);"
        pay_buyer = "token.safeTransfer(buyer, amount);"
    else:
        b.function(
            "    /// The buyer pays exactly `amount` wei in.\n"
            "    function deposit() external payable nonReentrant inState(State.AwaitingPayment) {\n"
            "        if (msg.sender != buyer) revert NotAllowed(msg.sender);\n"
            "        if (msg.value != amount) revert WrongAmount(msg.value, amount);\n"
            "        state = State.AwaitingDelivery;\n"
            "        emit Deposited(msg.sender, msg.value);\n    }"
        )
        pay_seller = "Address.sendValue(payable(seller), amount);"
        pay_buyer = "Address.sendValue(payable(buyer), amount);"
    b.function(
        "    function release() external nonReentrant inState(State.AwaitingDelivery) {\n"
        "        if (msg.sender != buyer && msg.sender != arbiter) revert NotAllowed(msg.sender);\n"
        "        state = State.Released;\n"
        "        emit Released(seller, amount);\n"
        f"        {pay_seller}\n    }}"
    )
    refund_rule = (
        "        if (msg.sender != seller && msg.sender != arbiter) revert NotAllowed(msg.sender);\n"
    )
    if deadline:
        refund_rule = (
            "        bool late = block.timestamp > deadline && msg.sender == buyer;\n"
            "        if (msg.sender != seller && msg.sender != arbiter && !late) revert NotAllowed(msg.sender);\n"
        )
    b.function(
        "    function refund() external nonReentrant inState(State.AwaitingDelivery) {\n"
        f"{refund_rule}"
        "        state = State.Refunded;\n"
        "        emit Refunded(buyer, amount);\n"
        f"        {pay_buyer}\n    }}"
    )
    return b


def _multisig(spec: ContractSpec) -> _Builder:
    b = _Builder(spec.name)
    b.parent("ReentrancyGuard", f"{OZ}/utils/ReentrancyGuard.sol")
    b.natspec.append(
        f"A {spec.threshold}-of-N multisig wallet: owners submit, confirm and execute transactions."
    )
    b.state += [
        "struct Transaction {\n        address to;\n        uint256 value;\n        bytes data;\n        bool executed;\n        uint256 confirmations;\n    }",
        "",
        "address[] public owners;",
        "mapping(address account => bool) public isOwner;",
        "uint256 public immutable threshold;",
        "Transaction[] public transactions;",
        "mapping(uint256 txId => mapping(address owner => bool)) public confirmed;",
    ]
    b.errors += [
        "error NotOwner(address caller);",
        "error InvalidOwners();",
        "error InvalidThreshold(uint256 threshold, uint256 owners);",
        "error UnknownTransaction(uint256 txId);",
        "error AlreadyExecuted(uint256 txId);",
        "error AlreadyConfirmed(uint256 txId);",
        "error NotConfirmed(uint256 txId);",
        "error NotEnoughConfirmations(uint256 txId, uint256 confirmations);",
        "error CallFailed(uint256 txId);",
    ]
    b.events += [
        "event Deposit(address indexed sender, uint256 amount);",
        "event Submitted(uint256 indexed txId, address indexed owner, address indexed to, uint256 value);",
        "event Confirmed(uint256 indexed txId, address indexed owner);",
        "event Revoked(uint256 indexed txId, address indexed owner);",
        "event Executed(uint256 indexed txId);",
    ]
    b.modifiers.append(
        "    modifier onlyOwners() {\n        if (!isOwner[msg.sender]) revert NotOwner(msg.sender);\n        _;\n    }"
    )
    b.modifiers.append(
        "    modifier pending(uint256 txId) {\n"
        "        if (txId >= transactions.length) revert UnknownTransaction(txId);\n"
        "        if (transactions[txId].executed) revert AlreadyExecuted(txId);\n        _;\n    }"
    )
    b.ctor_params += ["address[] memory owners_", "uint256 threshold_"]
    b.ctor_body += [
        "if (owners_.length == 0) revert InvalidOwners();",
        "if (threshold_ == 0 || threshold_ > owners_.length) revert InvalidThreshold(threshold_, owners_.length);",
        "for (uint256 i = 0; i < owners_.length; ++i) {",
        "    address owner = owners_[i];",
        "    if (owner == address(0) || isOwner[owner]) revert InvalidOwners();",
        "    isOwner[owner] = true;",
        "    owners.push(owner);",
        "}",
        "threshold = threshold_;",
    ]
    b.function("    receive() external payable {\n        emit Deposit(msg.sender, msg.value);\n    }")
    b.function(
        "    function submit(address to, uint256 value, bytes calldata data) external onlyOwners returns (uint256 txId) {\n"
        "        txId = transactions.length;\n"
        "        transactions.push(Transaction({to: to, value: value, data: data, executed: false, confirmations: 0}));\n"
        "        emit Submitted(txId, msg.sender, to, value);\n    }"
    )
    b.function(
        "    function confirm(uint256 txId) external onlyOwners pending(txId) {\n"
        "        if (confirmed[txId][msg.sender]) revert AlreadyConfirmed(txId);\n"
        "        confirmed[txId][msg.sender] = true;\n"
        "        transactions[txId].confirmations += 1;\n"
        "        emit Confirmed(txId, msg.sender);\n    }"
    )
    b.function(
        "    function revoke(uint256 txId) external onlyOwners pending(txId) {\n"
        "        if (!confirmed[txId][msg.sender]) revert NotConfirmed(txId);\n"
        "        confirmed[txId][msg.sender] = false;\n"
        "        transactions[txId].confirmations -= 1;\n"
        "        emit Revoked(txId, msg.sender);\n    }"
    )
    b.function(
        "    /// Runs a transaction once `threshold` owners confirmed it; marked executed before the call.\n"
        "    function execute(uint256 txId) external onlyOwners pending(txId) nonReentrant {\n"
        "        Transaction storage txn = transactions[txId];\n"
        "        if (txn.confirmations < threshold) revert NotEnoughConfirmations(txId, txn.confirmations);\n"
        "        txn.executed = true;\n"
        "        emit Executed(txId);\n"
        "        (bool ok, ) = txn.to.call{value: txn.value}(txn.data);\n"
        "        if (!ok) revert CallFailed(txId);\n    }"
    )
    b.function(
        "    function transactionCount() external view returns (uint256) {\n        return transactions.length;\n    }"
    )
    return b


def _timelock(spec: ContractSpec) -> _Builder:
    b = _Builder(spec.name)
    b.parent(
        "TimelockController",
        f"{OZ}/governance/TimelockController.sol",
        "minDelay, proposers, executors, admin",
    )
    b.natspec.append(
        f"Delays proposed operations by at least minDelay seconds (suggested: {spec.delay_seconds})."
    )
    b.ctor_params += [
        "uint256 minDelay",
        "address[] memory proposers",
        "address[] memory executors",
        "address admin",
    ]
    return b


def _vesting(spec: ContractSpec) -> _Builder:
    b = _Builder(spec.name)
    b.parent(
        "VestingWallet", f"{OZ}/finance/VestingWallet.sol", "beneficiary, startTimestamp, durationSeconds"
    )
    b.ctor_params += ["address beneficiary", "uint64 startTimestamp", "uint64 durationSeconds"]
    if "cliff" in spec.features:
        b.parent("VestingWalletCliff", f"{OZ}/finance/VestingWalletCliff.sol", "cliffSeconds")
        b.ctor_params.append("uint64 cliffSeconds")
        b.natspec.append(f"Nothing vests before the cliff (suggested: {spec.cliff_seconds} seconds).")
        b.override(
            "_vestingSchedule(uint256 totalAllocation, uint64 timestamp)",
            ["VestingWallet", "VestingWalletCliff"],
            mutability="view",
            returns="(uint256)",
        )
    return b


def _custom(spec: ContractSpec) -> _Builder:
    b = _Builder(spec.name)
    if spec.access != "none":
        _access(b, spec, None)
    if "pausable" in spec.features:
        b.parent("Pausable", f"{OZ}/utils/Pausable.sol")
        g = _access(b, spec, "PAUSER_ROLE")
        _pause_functions(b, g)
    return b


_KIND_BUILDERS = {
    "erc20": _erc20,
    "erc721": _erc721,
    "erc1155": _erc1155,
    "governor": _governor,
    "vault": _vault,
    "escrow": _escrow,
    "multisig": _multisig,
    "timelock": _timelock,
    "vesting": _vesting,
    "custom": _custom,
}


def compose(spec: ContractSpec, custom_code: Mapping[str, str | Snippet] | None = None) -> str:
    """Solidity source for ``spec``; ``custom_code`` maps custom function name -> its full text
    (from a model) or a library ``Snippet`` (its state, events and errors are added too)."""
    b = _KIND_BUILDERS[spec.kind](spec)
    if spec.custom and spec.access != "none":
        # Custom functions usually need an admin ("lets the owner ..."): give them onlyOwner/roles.
        _access(b, spec, None)
    for fn in spec.custom:
        code = (custom_code or {}).get(fn.name)
        if not code:
            continue
        doc = f"    /// {fn.description}\n"
        if isinstance(code, Snippet):
            _declare(b, code)
            doc += f"    /// {code.doc}\n" if code.doc else ""
        b.function(doc + _indent(function_text(code).strip()))
    return b.render()


def function_text(code: str | Snippet) -> str:
    return code.function if isinstance(code, Snippet) else code


def _declare(b: _Builder, snip: Snippet) -> None:
    """Add a snippet's declarations once (two snippets may share an event or error)."""
    for sym, path in snip.imports:
        b.imp(sym, path)
    for group, new in (
        (b.using, snip.using),
        (b.state, snip.state),
        (b.events, snip.events),
        (b.errors, snip.errors),
    ):
        group.extend(x for x in new if x not in group)


def skeleton(spec: ContractSpec) -> str:
    """The composed contract without custom functions: context for a model prompt."""
    return compose(spec, {})


def _indent(code: str) -> str:
    """Code that starts at column 0 moves to contract-body level."""
    return "\n".join(("    " + line) if line.strip() else "" for line in code.splitlines())
