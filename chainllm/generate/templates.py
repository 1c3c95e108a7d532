"""Solidity for the IR kinds beyond the OpenZeppelin Wizard's (storage, auctions, crowdfunding...).

Each renderer is deterministic: the IR's params fix every number and option. Shared rules keep
Slither quiet for real reasons, not by suppression: ETH only ever leaves to ``msg.sender`` (pull
payments: sellers, winners and payees withdraw what they are owed), state changes before
external calls plus ``nonReentrant``, SafeERC20 for tokens, no strict equality on balances or
timestamps, multiplication before division.
"""

from __future__ import annotations

from collections.abc import Callable

from chainllm.errors import BadInputError
from chainllm.generate.compose import OZ, PRAGMA
from chainllm.generate.ir import ContractIR


def _head(imports: list[str], notice: list[str]) -> str:
    lines = ["// SPDX-License-Identifier: MIT", f"pragma solidity {PRAGMA};", ""]
    for sym, path in sorted(set((i.split(":")[0], i.split(":")[1]) for i in imports), key=lambda x: x[1]):
        lines.append(f'import {{{sym}}} from "{OZ}/{path}";')
    if imports:
        lines.append("")
    lines += [f"/// {n}" for n in notice]
    return "\n".join(lines) + "\n"


OWNABLE = "Ownable:access/Ownable.sol"
GUARD = "ReentrancyGuard:utils/ReentrancyGuard.sol"
IERC20_ = "IERC20:token/ERC20/IERC20.sol"
SAFE = "SafeERC20:token/ERC20/utils/SafeERC20.sol"
IERC721_ = "IERC721:token/ERC721/IERC721.sol"
ERC721_ = "ERC721:token/ERC721/ERC721.sol"
VOTES = "IVotes:governance/utils/IVotes.sol"

PAY = """
    /// @notice Sends the caller everything this contract owes them (pull payment).
    function withdraw() external nonReentrant {
        uint256 amount = owed[msg.sender];
        if (amount == 0) revert NothingOwed();
        owed[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
"""
PAY_DECL = """    mapping(address account => uint256) public owed;
    error NothingOwed();
    error TransferFailed();
    event Withdrawn(address indexed account, uint256 amount);
"""

SEND = """        (bool ok, ) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert TransferFailed();
"""


def _sol_str(s: str) -> str:
    return '"' + s.replace("\\", "").replace('"', "'").replace("\n", " ")[:64] + '"'


def storage(ir: ContractIR) -> str:
    p = ir.params
    owner_only = bool(p.get("owner_only"))
    vtype = str(p.get("value_type", "uint256"))
    mem = " memory" if vtype == "string" else ""
    parent = " is Ownable" if owner_only else ""
    ctor = "    constructor(address initialOwner) Ownable(initialOwner) {}\n\n" if owner_only else ""
    guard = " onlyOwner" if owner_only else ""
    return (
        _head(
            [OWNABLE] if owner_only else [],
            [
                "Stores one value; "
                + ("only the owner can change it, " if owner_only else "anyone can change it, ")
                + "anyone can read it."
            ],
        )
        + f"""contract {ir.name}{parent} {{
    {vtype} private _value;

    event ValueChanged(address indexed by, {vtype} value);

{ctor}    function set({vtype}{mem} newValue) external{guard} {{
        _value = newValue;
        emit ValueChanged(msg.sender, newValue);
    }}

    function get() external view returns ({vtype}{mem}) {{
        return _value;
    }}
}}
"""
    )


def ownership(ir: ContractIR) -> str:
    return (
        _head(
            [OWNABLE],
            [
                "Ownership management: the deployer-chosen owner can transfer or renounce ownership",
                "(OpenZeppelin Ownable); owner() tells anyone who the owner is.",
            ],
        )
        + f"""contract {ir.name} is Ownable {{
    event OwnerActionPerformed(address indexed owner, uint256 count);

    uint256 public ownerActions;

    constructor(address initialOwner) Ownable(initialOwner) {{}}

    /// @notice An example of an owner-only action; reverts for anyone else.
    function ownerAction() external onlyOwner {{
        ownerActions += 1;
        emit OwnerActionPerformed(msg.sender, ownerActions);
    }}
}}
"""
    )


def hello_world(ir: ContractIR) -> str:
    p = ir.params
    owner_only = bool(p.get("owner_only"))
    guard = " onlyOwner" if owner_only else ""
    parent = " is Ownable" if owner_only else ""
    ctor_args = "address initialOwner" if owner_only else ""
    ctor_mod = " Ownable(initialOwner)" if owner_only else ""
    return (
        _head([OWNABLE] if owner_only else [], ["A greeter: returns a greeting that can be changed."])
        + f"""contract {ir.name}{parent} {{
    string public greeting = {_sol_str(str(p.get("greeting", "Hello, World!")))};

    event GreetingChanged(address indexed by, string greeting);

    constructor({ctor_args}){ctor_mod} {{}}

    function greet() external view returns (string memory) {{
        return greeting;
    }}

    function setGreeting(string calldata newGreeting) external{guard} {{
        greeting = newGreeting;
        emit GreetingChanged(msg.sender, newGreeting);
    }}
}}
"""
    )


def counter(ir: ContractIR) -> str:
    return (
        _head([OWNABLE], ["A counter: anyone increments or decrements (never below zero); the owner resets."])
        + f"""contract {ir.name} is Ownable {{
    uint256 public count;

    error BelowZero();
    event CountChanged(address indexed by, uint256 count);

    constructor(address initialOwner) Ownable(initialOwner) {{}}

    function increment() external {{
        count += 1;
        emit CountChanged(msg.sender, count);
    }}

    function decrement() external {{
        if (count < 1) revert BelowZero();
        count -= 1;
        emit CountChanged(msg.sender, count);
    }}

    function reset() external onlyOwner {{
        count = 0;
        emit CountChanged(msg.sender, 0);
    }}
}}
"""
    )


def voting(ir: ContractIR) -> str:
    p = ir.params
    names: list[str] = list(p.get("proposal_names") or ["Yes", "No"])
    reg = bool(p.get("registration"))
    dur = int(p.get("duration_seconds") or 0)
    pushes = "\n".join(f"        _proposals.push(Proposal({_sol_str(n)}, 0));" for n in names)
    deadline_decl = "    uint256 public immutable votingEnds;\n" if dur else ""
    deadline_set = f"        votingEnds = block.timestamp + {dur};\n" if dur else ""
    deadline_chk = "        if (block.timestamp > votingEnds) revert VotingClosed();\n" if dur else ""
    reg_chk = "        if (!canVote[msg.sender]) revert NotRegistered(msg.sender);\n" if reg else ""
    reg_fn = (
        """
    /// @notice The chairperson (owner) gives an address the right to vote once.
    function giveRightToVote(address voter) external onlyOwner {
        canVote[voter] = true;
        emit VoterRegistered(voter);
    }
"""
        if reg
        else ""
    )
    return (
        _head(
            [OWNABLE],
            [
                "A ballot: "
                + ("the chairperson registers voters; each registered voter" if reg else "each address")
                + " votes once for one proposal"
                + (f"; voting closes {dur} seconds after deployment" if dur else "")
                + "; winningProposal() reports the leader (ties: lowest index).",
            ],
        )
        + f"""contract {ir.name} is Ownable {{
    struct Proposal {{
        string name;
        uint256 voteCount;
    }}

    Proposal[] private _proposals;
    mapping(address voter => bool) public hasVoted;
    mapping(address voter => bool) public canVote;
{deadline_decl}
    error AlreadyVoted(address voter);
    error NotRegistered(address voter);
    error NoSuchProposal(uint256 proposal);
    error VotingClosed();
    event VoterRegistered(address indexed voter);
    event Voted(address indexed voter, uint256 indexed proposal);

    constructor(address initialOwner) Ownable(initialOwner) {{
{pushes}
{deadline_set}    }}
{reg_fn}
    function vote(uint256 proposal) external {{
{deadline_chk}{reg_chk}        if (hasVoted[msg.sender]) revert AlreadyVoted(msg.sender);
        if (proposal >= _proposals.length) revert NoSuchProposal(proposal);
        hasVoted[msg.sender] = true;
        _proposals[proposal].voteCount += 1;
        emit Voted(msg.sender, proposal);
    }}

    function proposalCount() external view returns (uint256) {{
        return _proposals.length;
    }}

    function proposalName(uint256 proposal) external view returns (string memory) {{
        return _proposals[proposal].name;
    }}

    function votesFor(uint256 proposal) external view returns (uint256) {{
        return _proposals[proposal].voteCount;
    }}

    function winningProposal() external view returns (uint256 winner) {{
        uint256 best = 0;
        for (uint256 i = 0; i < _proposals.length; i++) {{
            if (_proposals[i].voteCount > best) {{
                best = _proposals[i].voteCount;
                winner = i;
            }}
        }}
    }}
}}
"""
    )


def english_auction(ir: ContractIR) -> str:
    dur = int(ir.params.get("duration_seconds") or 3 * 86400)
    reserve = int(ir.params.get("min_bid_wei") or 0)
    return (
        _head(
            [OWNABLE, GUARD],
            [
                f"An English auction for one item: bids in ETH for {dur} seconds, each higher than the last;",
                "outbid bidders withdraw their ETH; after end() the seller (owner) withdraws the highest bid.",
            ],
        )
        + f"""contract {ir.name} is Ownable, ReentrancyGuard {{
    uint256 public immutable auctionEnd;
    uint256 public constant MIN_BID = {reserve};
    address public highestBidder;
    uint256 public highestBid;
    bool public ended;
{PAY_DECL}
    error AuctionClosed();
    error AuctionStillOpen();
    error BidTooLow(uint256 bid, uint256 needed);
    error AlreadyEnded();
    event BidPlaced(address indexed bidder, uint256 amount);
    event AuctionEnded(address winner, uint256 amount);

    constructor(address initialOwner) Ownable(initialOwner) {{
        auctionEnd = block.timestamp + {dur};
    }}

    function bid() external payable {{
        if (block.timestamp > auctionEnd) revert AuctionClosed();
        if (msg.value <= highestBid || msg.value < MIN_BID) revert BidTooLow(msg.value, highestBid + 1);
        if (highestBidder != address(0)) {{
            owed[highestBidder] += highestBid;
        }}
        highestBidder = msg.sender;
        highestBid = msg.value;
        emit BidPlaced(msg.sender, msg.value);
    }}

    /// @notice Closes the auction after its end time and credits the seller with the highest bid.
    function end() external {{
        if (block.timestamp <= auctionEnd) revert AuctionStillOpen();
        if (ended) revert AlreadyEnded();
        ended = true;
        owed[owner()] += highestBid;
        emit AuctionEnded(highestBidder, highestBid);
    }}
{PAY}}}
"""
    )


def dutch_auction(ir: ContractIR) -> str:
    p = ir.params
    start = int(p.get("start_price_wei") or 10**18)
    floor = int(p.get("floor_price_wei") or 0)
    dur = int(p.get("duration_seconds") or 86400)
    supply = int(p.get("supply") or 1)
    nft = bool(p.get("nft"))
    parents = ("ERC721, " if nft else "") + "Ownable, ReentrancyGuard"
    ctor_mod = (
        f" ERC721({_sol_str(str(p.get('token_name', ir.name)))}, {_sol_str(str(p.get('symbol', 'ITEM')))})"
        if nft
        else ""
    )
    deliver = "        _safeMint(msg.sender, sold);\n" if nft else "        buyerOf[sold] = msg.sender;\n"
    buyer_decl = "" if nft else "    mapping(uint256 unit => address) public buyerOf;\n"
    return (
        _head(
            [OWNABLE, GUARD] + ([ERC721_] if nft else []),
            [
                f"A Dutch auction of {supply} unit(s){' (NFTs minted on purchase)' if nft else ''}: the price falls linearly from",
                f"{start} wei to {floor} wei over {dur} seconds and then stays at the floor; a buyer pays the",
                "current price (any excess is owed back and withdrawable); the owner withdraws proceeds.",
            ],
        )
        + f"""contract {ir.name} is {parents} {{
    uint256 public constant START_PRICE = {start};
    uint256 public constant FLOOR_PRICE = {floor};
    uint256 public constant DURATION = {dur};
    uint256 public constant SUPPLY = {supply};
    uint256 public immutable startTime;
    uint256 public sold;
{buyer_decl}{PAY_DECL}
    error SoldOut();
    error Underpaid(uint256 sent, uint256 price);
    event Bought(address indexed buyer, uint256 indexed unit, uint256 price);

    constructor(address initialOwner){ctor_mod} Ownable(initialOwner) {{
        startTime = block.timestamp;
    }}

    function currentPrice() public view returns (uint256) {{
        uint256 elapsed = block.timestamp - startTime;
        if (elapsed >= DURATION) return FLOOR_PRICE;
        return START_PRICE - ((START_PRICE - FLOOR_PRICE) * elapsed) / DURATION;
    }}

    function buy() external payable nonReentrant {{
        if (sold >= SUPPLY) revert SoldOut();
        uint256 price = currentPrice();
        if (msg.value < price) revert Underpaid(msg.value, price);
        sold += 1;
        owed[owner()] += price;
        if (msg.value > price) owed[msg.sender] += msg.value - price;
        emit Bought(msg.sender, sold, price);
{deliver}    }}
{PAY}}}
"""
    )


def crowdfunding(ir: ContractIR) -> str:
    p = ir.params
    goal = int(p.get("goal_wei") or 10 * 10**18)
    dur = int(p.get("duration_seconds") or 30 * 86400)
    return (
        _head(
            [OWNABLE, GUARD],
            [
                f"A crowdfunding campaign: contributions in ETH until the deadline ({dur} s after deployment);",
                f"if at least {goal} wei is raised the creator (owner) withdraws it, otherwise",
                "after the deadline every contributor can reclaim their contribution.",
            ],
        )
        + f"""contract {ir.name} is Ownable, ReentrancyGuard {{
    uint256 public constant GOAL = {goal};
    uint256 public immutable deadline;
    uint256 public totalRaised;
    bool public claimed;
    mapping(address contributor => uint256) public contributions;

    error CampaignOver();
    error CampaignRunning();
    error GoalNotReached();
    error GoalReached();
    error NothingToRefund();
    error AlreadyClaimed();
    error ZeroContribution();
    error TransferFailed();
    event Contributed(address indexed contributor, uint256 amount);
    event Refunded(address indexed contributor, uint256 amount);
    event FundsClaimed(address indexed owner, uint256 amount);

    constructor(address initialOwner) Ownable(initialOwner) {{
        deadline = block.timestamp + {dur};
    }}

    function contribute() external payable {{
        if (block.timestamp > deadline) revert CampaignOver();
        if (msg.value < 1) revert ZeroContribution();
        contributions[msg.sender] += msg.value;
        totalRaised += msg.value;
        emit Contributed(msg.sender, msg.value);
    }}

    /// @notice The creator takes the funds once the goal is reached.
    function withdraw() external onlyOwner nonReentrant {{
        if (totalRaised < GOAL) revert GoalNotReached();
        if (claimed) revert AlreadyClaimed();
        claimed = true;
        // Everything the contract holds: once the goal is reached no refunds are possible.
        uint256 amount = address(this).balance;
        emit FundsClaimed(msg.sender, amount);
{SEND}    }}

    /// @notice After a missed deadline, a contributor takes back what they sent.
    function refund() external nonReentrant {{
        if (block.timestamp <= deadline) revert CampaignRunning();
        if (totalRaised >= GOAL) revert GoalReached();
        uint256 amount = contributions[msg.sender];
        if (amount == 0) revert NothingToRefund();
        contributions[msg.sender] = 0;
        emit Refunded(msg.sender, amount);
{SEND}    }}
}}
"""
    )


def payment_splitter(ir: ContractIR) -> str:
    return (
        _head(
            [GUARD],
            [
                "Splits every ETH payment it receives among fixed payees by shares; each payee",
                "withdraws their part with release() (pull payment).",
            ],
        )
        + f"""contract {ir.name} is ReentrancyGuard {{
    uint256 public totalShares;
    uint256 public totalReleased;
    mapping(address payee => uint256) public shares;
    mapping(address payee => uint256) public released;
    address[] public payees;

    error LengthMismatch();
    error NotPayee(address account);
    error BadPayee();
    error NothingDue();
    error TransferFailed();
    event PaymentReceived(address indexed from, uint256 amount);
    event PaymentReleased(address indexed to, uint256 amount);

    constructor(address[] memory payees_, uint256[] memory shares_) {{
        if (payees_.length != shares_.length || payees_.length < 1) revert LengthMismatch();
        for (uint256 i = 0; i < payees_.length; i++) {{
            if (payees_[i] == address(0) || shares_[i] < 1 || shares[payees_[i]] > 0) revert BadPayee();
            payees.push(payees_[i]);
            shares[payees_[i]] = shares_[i];
            totalShares += shares_[i];
        }}
    }}

    receive() external payable {{
        emit PaymentReceived(msg.sender, msg.value);
    }}

    function releasable(address account) public view returns (uint256) {{
        uint256 totalReceived = address(this).balance + totalReleased;
        return (totalReceived * shares[account]) / totalShares - released[account];
    }}

    /// @notice A payee withdraws what they are owed so far.
    function release() external nonReentrant {{
        if (shares[msg.sender] < 1) revert NotPayee(msg.sender);
        uint256 amount = releasable(msg.sender);
        if (amount < 1) revert NothingDue();
        released[msg.sender] += amount;
        totalReleased += amount;
        emit PaymentReleased(msg.sender, amount);
{SEND}    }}
}}
"""
    )


def staking(ir: ContractIR) -> str:
    rate = int(ir.params.get("reward_rate") or 10**16)
    return (
        _head(
            [IERC20_, SAFE, GUARD, OWNABLE],
            [
                f"Staking with rewards: users stake the staking token and earn {rate} reward-token units per",
                "second, shared pro rata among stakers (Synthetix-style accounting); they unstake at any time",
                "and claim rewards; the owner funds the reward token balance.",
            ],
        )
        + f"""contract {ir.name} is Ownable, ReentrancyGuard {{
    using SafeERC20 for IERC20;

    IERC20 public immutable stakingToken;
    IERC20 public immutable rewardToken;
    uint256 public constant REWARD_RATE = {rate};
    uint256 public totalStaked;
    uint256 public rewardPerTokenStored;
    uint256 public lastUpdate;
    mapping(address account => uint256) public balanceOf;
    mapping(address account => uint256) public userRewardPerTokenPaid;
    mapping(address account => uint256) public rewards;

    error ZeroAmount();
    error InsufficientStake(uint256 staked, uint256 wanted);
    error SameToken();
    event Staked(address indexed account, uint256 amount);
    event Unstaked(address indexed account, uint256 amount);
    event RewardPaid(address indexed account, uint256 amount);

    constructor(address initialOwner, IERC20 stakingToken_, IERC20 rewardToken_) Ownable(initialOwner) {{
        // One token for both would let reward claims spend other users' principal.
        if (address(stakingToken_) == address(rewardToken_)) revert SameToken();
        stakingToken = stakingToken_;
        rewardToken = rewardToken_;
        lastUpdate = block.timestamp;
    }}

    modifier updateReward(address account) {{
        rewardPerTokenStored = rewardPerToken();
        lastUpdate = block.timestamp;
        rewards[account] = earned(account);
        userRewardPerTokenPaid[account] = rewardPerTokenStored;
        _;
    }}

    function rewardPerToken() public view returns (uint256) {{
        if (totalStaked < 1) return rewardPerTokenStored;
        return rewardPerTokenStored + ((block.timestamp - lastUpdate) * REWARD_RATE * 1e18) / totalStaked;
    }}

    function earned(address account) public view returns (uint256) {{
        return (balanceOf[account] * (rewardPerToken() - userRewardPerTokenPaid[account])) / 1e18 + rewards[account];
    }}

    function stake(uint256 amount) external nonReentrant updateReward(msg.sender) {{
        if (amount < 1) revert ZeroAmount();
        totalStaked += amount;
        balanceOf[msg.sender] += amount;
        emit Staked(msg.sender, amount);
        stakingToken.safeTransferFrom(msg.sender, address(this), amount);
    }}

    function unstake(uint256 amount) external nonReentrant updateReward(msg.sender) {{
        if (amount < 1) revert ZeroAmount();
        if (balanceOf[msg.sender] < amount) revert InsufficientStake(balanceOf[msg.sender], amount);
        totalStaked -= amount;
        balanceOf[msg.sender] -= amount;
        emit Unstaked(msg.sender, amount);
        stakingToken.safeTransfer(msg.sender, amount);
    }}

    function claimRewards() external nonReentrant updateReward(msg.sender) {{
        uint256 reward = rewards[msg.sender];
        if (reward < 1) revert ZeroAmount();
        rewards[msg.sender] = 0;
        emit RewardPaid(msg.sender, reward);
        rewardToken.safeTransfer(msg.sender, reward);
    }}
}}
"""
    )


def lottery(ir: ContractIR) -> str:
    price = int(ir.params.get("ticket_wei") or 10**16)
    return (
        _head(
            [OWNABLE, GUARD],
            [
                f"A lottery: players enter by paying exactly {price} wei; the owner draws a winner who is",
                "credited the whole pot and withdraws it.",
                "WARNING: on-chain randomness is not secure. The winner comes from a seed the owner committed",
                "(keccak256) before the round and reveals at the draw, mixed with the entrants; the owner knows",
                "the seed, so players must trust the owner. Use Chainlink VRF or similar for real value.",
            ],
        )
        + f"""contract {ir.name} is Ownable, ReentrancyGuard {{
    uint256 public constant TICKET_PRICE = {price};
    address[] public players;
    bytes32 public seedCommitment;
    address public lastWinner;
{PAY_DECL}
    error WrongTicketPrice(uint256 sent);
    error NoPlayers();
    error BadSeed();
    event Entered(address indexed player);
    event WinnerDrawn(address indexed winner, uint256 pot);

    constructor(address initialOwner, bytes32 seedCommitment_) Ownable(initialOwner) {{
        seedCommitment = seedCommitment_;
    }}

    function enter() external payable {{
        if (msg.value != TICKET_PRICE) revert WrongTicketPrice(msg.value);
        players.push(msg.sender);
        emit Entered(msg.sender);
    }}

    function playerCount() external view returns (uint256) {{
        return players.length;
    }}

    /// @notice Reveals the committed seed, picks a winner, credits the pot, starts the next round.
    function draw(bytes32 seed, bytes32 nextCommitment) external onlyOwner {{
        if (players.length < 1) revert NoPlayers();
        if (keccak256(abi.encodePacked(seed)) != seedCommitment) revert BadSeed();
        uint256 pot = players.length * TICKET_PRICE;
        address winner = players[uint256(keccak256(abi.encode(seed, players))) % players.length];
        delete players;
        seedCommitment = nextCommitment;
        lastWinner = winner;
        owed[winner] += pot;
        emit WinnerDrawn(winner, pot);
    }}
{PAY}}}
"""
    )


def allowlist(ir: ContractIR) -> str:
    return (
        _head(
            [OWNABLE],
            [
                "An allowlist: the owner adds and removes addresses; allowlisted addresses may call allowlistedAction()."
            ],
        )
        + f"""contract {ir.name} is Ownable {{
    mapping(address account => bool) public isAllowlisted;
    uint256 public actions;

    error NotAllowlisted(address account);
    event Added(address indexed account);
    event Removed(address indexed account);
    event ActionPerformed(address indexed account);

    constructor(address initialOwner) Ownable(initialOwner) {{}}

    modifier onlyAllowlisted() {{
        if (!isAllowlisted[msg.sender]) revert NotAllowlisted(msg.sender);
        _;
    }}

    function add(address account) external onlyOwner {{
        isAllowlisted[account] = true;
        emit Added(account);
    }}

    function remove(address account) external onlyOwner {{
        isAllowlisted[account] = false;
        emit Removed(account);
    }}

    /// @notice The gated function: only allowlisted callers get through.
    function allowlistedAction() external onlyAllowlisted {{
        actions += 1;
        emit ActionPerformed(msg.sender);
    }}
}}
"""
    )


def username_registry(ir: ContractIR) -> str:
    return (
        _head(
            [],
            [
                "A username registry: each address registers at most one unique name (1-32 bytes),",
                "anyone looks up a name's owner, and the owner can release it.",
            ],
        )
        + f"""contract {ir.name} {{
    mapping(bytes32 nameHash => address) private _registrantOf;
    mapping(address account => string) public nameOf;

    error NameTaken(string name);
    error AlreadyHasName(address account);
    error BadName();
    error NoName();
    event Registered(address indexed account, string name);
    event Released(address indexed account, string name);

    function register(string calldata name) external {{
        uint256 len = bytes(name).length;
        if (len < 1 || len > 32) revert BadName();
        bytes32 h = keccak256(bytes(name));
        if (_registrantOf[h] != address(0)) revert NameTaken(name);
        if (bytes(nameOf[msg.sender]).length > 0) revert AlreadyHasName(msg.sender);
        _registrantOf[h] = msg.sender;
        nameOf[msg.sender] = name;
        emit Registered(msg.sender, name);
    }}

    function release() external {{
        string memory name = nameOf[msg.sender];
        if (bytes(name).length < 1) revert NoName();
        delete _registrantOf[keccak256(bytes(name))];
        delete nameOf[msg.sender];
        emit Released(msg.sender, name);
    }}

    function ownerOf(string calldata name) external view returns (address) {{
        return _registrantOf[keccak256(bytes(name))];
    }}
}}
"""
    )


def proof_of_existence(ir: ContractIR) -> str:
    return (
        _head(
            [],
            [
                "Proof of existence: records a document hash with who registered it and when; a hash is recorded once."
            ],
        )
        + f"""contract {ir.name} {{
    struct Record {{
        address registrant;
        uint256 timestamp;
    }}

    mapping(bytes32 documentHash => Record) private _records;

    error AlreadyRegistered(bytes32 documentHash);
    event DocumentRegistered(bytes32 indexed documentHash, address indexed registrant, uint256 timestamp);

    function register(bytes32 documentHash) external {{
        if (_records[documentHash].timestamp > 0) revert AlreadyRegistered(documentHash);
        _records[documentHash] = Record(msg.sender, block.timestamp);
        emit DocumentRegistered(documentHash, msg.sender, block.timestamp);
    }}

    /// @return registrant who registered the hash (zero if never)
    /// @return timestamp when (zero if never)
    function proofOf(bytes32 documentHash) external view returns (address registrant, uint256 timestamp) {{
        Record memory r = _records[documentHash];
        return (r.registrant, r.timestamp);
    }}
}}
"""
    )


def supply_chain(ir: ContractIR) -> str:
    stages: list[str] = list(ir.params.get("stages") or ["Created", "Shipped", "Received"])
    return (
        _head(
            [OWNABLE],
            [
                "Supply-chain tracking: the owner creates items and authorises handlers; a handler (or the owner)",
                f"advances an item one stage at a time ({' -> '.join(stages)}) and becomes its holder.",
            ],
        )
        + f"""contract {ir.name} is Ownable {{
    enum Stage {{ {", ".join(stages)} }}

    struct Item {{
        string name;
        Stage stage;
        address holder;
        uint256 updatedAt;
    }}

    Item[] private _items;
    mapping(address account => bool) public isHandler;

    error NotAuthorised(address account);
    error NoSuchItem(uint256 id);
    error FinalStage(uint256 id);
    event HandlerSet(address indexed account, bool allowed);
    event ItemCreated(uint256 indexed id, string name);
    event StageChanged(uint256 indexed id, Stage stage, address indexed holder);

    constructor(address initialOwner) Ownable(initialOwner) {{}}

    function setHandler(address account, bool allowed) external onlyOwner {{
        isHandler[account] = allowed;
        emit HandlerSet(account, allowed);
    }}

    function createItem(string calldata name) external onlyOwner returns (uint256 id) {{
        id = _items.length;
        _items.push(Item(name, Stage.{stages[0]}, msg.sender, block.timestamp));
        emit ItemCreated(id, name);
    }}

    function advance(uint256 id) external {{
        if (!isHandler[msg.sender] && msg.sender != owner()) revert NotAuthorised(msg.sender);
        if (id >= _items.length) revert NoSuchItem(id);
        Item storage it = _items[id];
        if (uint256(it.stage) >= {len(stages) - 1}) revert FinalStage(id);
        it.stage = Stage(uint256(it.stage) + 1);
        it.holder = msg.sender;
        it.updatedAt = block.timestamp;
        emit StageChanged(id, it.stage, msg.sender);
    }}

    function itemCount() external view returns (uint256) {{
        return _items.length;
    }}

    function stageOf(uint256 id) external view returns (uint256) {{
        return uint256(_items[id].stage);
    }}

    function holderOf(uint256 id) external view returns (address) {{
        return _items[id].holder;
    }}
}}
"""
    )


def loyalty_points(ir: ContractIR) -> str:
    return (
        _head(
            [OWNABLE],
            [
                "Loyalty points: the owner (shop) awards points, customers redeem them; points are not",
                "transferable (there is deliberately no transfer function).",
            ],
        )
        + f"""contract {ir.name} is Ownable {{
    mapping(address customer => uint256) public points;
    uint256 public totalPoints;

    error NotEnoughPoints(uint256 have, uint256 wanted);
    event Awarded(address indexed customer, uint256 amount);
    event Redeemed(address indexed customer, uint256 amount);

    constructor(address initialOwner) Ownable(initialOwner) {{}}

    function award(address customer, uint256 amount) external onlyOwner {{
        points[customer] += amount;
        totalPoints += amount;
        emit Awarded(customer, amount);
    }}

    function redeem(uint256 amount) external {{
        uint256 have = points[msg.sender];
        if (have < amount) revert NotEnoughPoints(have, amount);
        points[msg.sender] = have - amount;
        totalPoints -= amount;
        emit Redeemed(msg.sender, amount);
    }}
}}
"""
    )


def subscription(ir: ContractIR) -> str:
    fee = int(ir.params.get("fee_wei") or 10**16)
    period = int(ir.params.get("period_seconds") or 30 * 86400)
    return (
        _head(
            [OWNABLE, GUARD],
            [
                f"A subscription: paying exactly {fee} wei adds {period} seconds of access; the owner withdraws fees."
            ],
        )
        + f"""contract {ir.name} is Ownable, ReentrancyGuard {{
    uint256 public constant FEE = {fee};
    uint256 public constant PERIOD = {period};
    mapping(address subscriber => uint256) public expiresAt;

    error WrongFee(uint256 sent);
    error NothingToWithdraw();
    error TransferFailed();
    event Subscribed(address indexed subscriber, uint256 expiresAt);

    constructor(address initialOwner) Ownable(initialOwner) {{}}

    function subscribe() external payable {{
        if (msg.value != FEE) revert WrongFee(msg.value);
        uint256 from = expiresAt[msg.sender] > block.timestamp ? expiresAt[msg.sender] : block.timestamp;
        expiresAt[msg.sender] = from + PERIOD;
        emit Subscribed(msg.sender, from + PERIOD);
    }}

    function isActive(address subscriber) external view returns (bool) {{
        return expiresAt[subscriber] > block.timestamp;
    }}

    function withdraw() external onlyOwner nonReentrant {{
        uint256 amount = address(this).balance;
        if (amount < 1) revert NothingToWithdraw();
{SEND}    }}
}}
"""
    )


def marketplace(ir: ContractIR) -> str:
    nft = bool(ir.params.get("nft"))
    if nft:
        item_fields = "        IERC721 nft;\n        uint256 tokenId;\n"
        list_sig = "function list(IERC721 nft, uint256 tokenId, uint256 price) external nonReentrant returns (uint256 id)"
        list_push = "        _listings.push(Listing(nft, tokenId, msg.sender, price, true));\n"
        list_after = "        nft.transferFrom(msg.sender, address(this), tokenId);\n"
        on_buy = "        l.nft.safeTransferFrom(address(this), msg.sender, l.tokenId);\n"
        on_cancel = "        l.nft.safeTransferFrom(address(this), msg.sender, l.tokenId);\n"
        what = "NFTs (held by the marketplace while listed)"
        imports = [GUARD, IERC721_]
    else:
        item_fields = "        string item;\n"
        list_sig = "function list(string calldata item, uint256 price) external returns (uint256 id)"
        list_push = "        _listings.push(Listing(item, msg.sender, price, true));\n"
        list_after = on_buy = on_cancel = ""
        what = "items described by a name"
        imports = [GUARD]
    return (
        _head(
            imports,
            [
                f"A marketplace for {what}: sellers list with an ETH price, a buyer pays exactly that price,",
                "the seller is credited and withdraws; sellers cancel unsold listings.",
            ],
        )
        + f"""contract {ir.name} is ReentrancyGuard {{
    struct Listing {{
{item_fields}        address seller;
        uint256 price;
        bool active;
    }}

    Listing[] private _listings;
{PAY_DECL}
    error NotActive(uint256 id);
    error WrongPrice(uint256 sent, uint256 price);
    error NotSeller(address account);
    error ZeroPrice();
    event Listed(uint256 indexed id, address indexed seller, uint256 price);
    event Sold(uint256 indexed id, address indexed buyer, uint256 price);
    event Cancelled(uint256 indexed id);

    {list_sig} {{
        if (price < 1) revert ZeroPrice();
        id = _listings.length;
{list_push}        emit Listed(id, msg.sender, price);
{list_after}    }}

    function buy(uint256 id) external payable nonReentrant {{
        Listing storage l = _listings[id];
        if (!l.active) revert NotActive(id);
        if (msg.value != l.price) revert WrongPrice(msg.value, l.price);
        l.active = false;
        owed[l.seller] += msg.value;
        emit Sold(id, msg.sender, msg.value);
{on_buy}    }}

    function cancel(uint256 id) external nonReentrant {{
        Listing storage l = _listings[id];
        if (l.seller != msg.sender) revert NotSeller(msg.sender);
        if (!l.active) revert NotActive(id);
        l.active = false;
        emit Cancelled(id);
{on_cancel}    }}

    function listingCount() external view returns (uint256) {{
        return _listings.length;
    }}

    function listing(uint256 id) external view returns (address seller, uint256 price, bool active) {{
        Listing storage l = _listings[id];
        return (l.seller, l.price, l.active);
    }}
{PAY}}}
"""
    )


def timelock_savings(ir: ContractIR) -> str:
    lock = int(ir.params.get("lock_seconds") or 365 * 86400)
    return (
        _head(
            [GUARD],
            [
                f"Time-locked savings: holds ETH for a beneficiary until {lock} seconds after deployment;",
                "only the beneficiary can withdraw, and only after the unlock time.",
            ],
        )
        + f"""contract {ir.name} is ReentrancyGuard {{
    address public immutable beneficiary;
    uint256 public immutable unlockTime;

    error NotBeneficiary(address account);
    error StillLocked(uint256 unlockTime);
    error NothingToWithdraw();
    error ZeroBeneficiary();
    error TransferFailed();
    event Deposited(address indexed from, uint256 amount);
    event Withdrawn(uint256 amount);

    constructor(address beneficiary_) payable {{
        if (beneficiary_ == address(0)) revert ZeroBeneficiary();
        beneficiary = beneficiary_;
        unlockTime = block.timestamp + {lock};
    }}

    receive() external payable {{
        emit Deposited(msg.sender, msg.value);
    }}

    function deposit() external payable {{
        emit Deposited(msg.sender, msg.value);
    }}

    function withdraw() external nonReentrant {{
        if (msg.sender != beneficiary) revert NotBeneficiary(msg.sender);
        if (block.timestamp < unlockTime) revert StillLocked(unlockTime);
        uint256 amount = address(this).balance;
        if (amount < 1) revert NothingToWithdraw();
        emit Withdrawn(amount);
{SEND}    }}
}}
"""
    )


def dao_treasury(ir: ContractIR) -> str:
    period = int(ir.params.get("voting_seconds") or 3 * 86400)
    return (
        _head(
            [GUARD, VOTES],
            [
                "A DAO treasury: holders of the governance token (ERC20Votes, delegated votes) propose ETH payouts;",
                f"members vote for {period} seconds with their votes at the proposal's snapshot block; a proposal",
                "with more for than against votes is executed after the vote and credits the recipient, who withdraws.",
            ],
        )
        + f"""contract {ir.name} is ReentrancyGuard {{
    struct Proposal {{
        address recipient;
        uint256 amount;
        string description;
        uint256 snapshot;
        uint256 voteEnd;
        uint256 forVotes;
        uint256 againstVotes;
        bool executed;
    }}

    IVotes public immutable token;
    uint256 public constant VOTING_PERIOD = {period};
    uint256 public reserved;
    Proposal[] private _proposals;
    mapping(uint256 id => mapping(address voter => bool)) public hasVoted;
{PAY_DECL}
    error NotMember(address account);
    error AlreadyVoted(address voter);
    error VotingOpen(uint256 id);
    error VotingClosed(uint256 id);
    error NotPassed(uint256 id);
    error AlreadyExecuted(uint256 id);
    error InsufficientTreasury(uint256 available, uint256 amount);
    event Deposited(address indexed from, uint256 amount);
    event Proposed(uint256 indexed id, address indexed proposer, address recipient, uint256 amount);
    event VoteCast(uint256 indexed id, address indexed voter, bool support, uint256 weight);
    event Executed(uint256 indexed id);

    constructor(IVotes token_) {{
        token = token_;
    }}

    receive() external payable {{
        emit Deposited(msg.sender, msg.value);
    }}

    function propose(address recipient, uint256 amount, string calldata description) external returns (uint256 id) {{
        if (token.getVotes(msg.sender) < 1) revert NotMember(msg.sender);
        id = _proposals.length;
        _proposals.push(Proposal(recipient, amount, description, block.number - 1, block.timestamp + VOTING_PERIOD, 0, 0, false));
        emit Proposed(id, msg.sender, recipient, amount);
    }}

    function vote(uint256 id, bool support) external {{
        Proposal storage p = _proposals[id];
        if (block.timestamp > p.voteEnd) revert VotingClosed(id);
        if (hasVoted[id][msg.sender]) revert AlreadyVoted(msg.sender);
        uint256 weight = token.getPastVotes(msg.sender, p.snapshot);
        if (weight < 1) revert NotMember(msg.sender);
        hasVoted[id][msg.sender] = true;
        if (support) p.forVotes += weight;
        else p.againstVotes += weight;
        emit VoteCast(id, msg.sender, support, weight);
    }}

    function execute(uint256 id) external {{
        Proposal storage p = _proposals[id];
        if (block.timestamp <= p.voteEnd) revert VotingOpen(id);
        if (p.executed) revert AlreadyExecuted(id);
        if (p.forVotes <= p.againstVotes) revert NotPassed(id);
        uint256 available = address(this).balance - reserved;
        if (available < p.amount) revert InsufficientTreasury(available, p.amount);
        p.executed = true;
        reserved += p.amount;
        owed[p.recipient] += p.amount;
        emit Executed(id);
    }}

    function proposalCount() external view returns (uint256) {{
        return _proposals.length;
    }}

    function withdraw() external nonReentrant {{
        uint256 amount = owed[msg.sender];
        if (amount < 1) revert NothingOwed();
        owed[msg.sender] = 0;
        reserved -= amount;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = payable(msg.sender).call{{value: amount}}("");
        if (!ok) revert TransferFailed();
    }}
}}
"""
    )


def faucet(ir: ContractIR) -> str:
    amount = int(ir.params.get("drip_amount") or 10**17)
    cooldown = int(ir.params.get("cooldown_seconds") or 86400)
    token = bool(ir.params.get("token"))
    if token:
        imports = [OWNABLE, GUARD, IERC20_, SAFE]
        decl = "    using SafeERC20 for IERC20;\n\n    IERC20 public immutable token;\n"
        ctor = "constructor(address initialOwner, IERC20 token_) Ownable(initialOwner) {\n        token = token_;\n    }"
        pay = "        token.safeTransfer(msg.sender, DRIP_AMOUNT);\n"
        recv = ""
        what = "token units"
    else:
        imports = [OWNABLE, GUARD]
        decl = ""
        ctor = "constructor(address initialOwner) Ownable(initialOwner) {}"
        pay = '        (bool ok, ) = payable(msg.sender).call{value: DRIP_AMOUNT}("");\n        if (!ok) revert TransferFailed();\n'
        recv = "\n    receive() external payable {\n        emit Funded(msg.sender, msg.value);\n    }\n"
        what = "wei"
    return (
        _head(
            imports,
            [
                f"A faucet: anyone claims {amount} {what} at most once every {cooldown} seconds; anyone can fund it."
            ],
        )
        + f"""contract {ir.name} is Ownable, ReentrancyGuard {{
{decl}    uint256 public constant DRIP_AMOUNT = {amount};
    uint256 public constant COOLDOWN = {cooldown};
    mapping(address account => uint256) public lastDrip;

    error TooSoon(uint256 nextAllowed);
    error TransferFailed();
    event Dripped(address indexed to, uint256 amount);
    event Funded(address indexed from, uint256 amount);

    {ctor}
{recv}
    function drip() external nonReentrant {{
        uint256 last = lastDrip[msg.sender];
        if (last > 0 && block.timestamp < last + COOLDOWN) revert TooSoon(last + COOLDOWN);
        lastDrip[msg.sender] = block.timestamp;
        emit Dripped(msg.sender, DRIP_AMOUNT);
{pay}    }}
}}
"""
    )


def donation(ir: ContractIR) -> str:
    return (
        _head(
            [OWNABLE, GUARD],
            [
                "Donations / tips: anyone sends ETH with a message (recorded per donor); only the owner withdraws."
            ],
        )
        + f"""contract {ir.name} is Ownable, ReentrancyGuard {{
    mapping(address donor => uint256) public donatedBy;
    uint256 public totalDonations;

    error ZeroDonation();
    error NothingToWithdraw();
    error TransferFailed();
    event Donated(address indexed donor, uint256 amount, string message);

    constructor(address initialOwner) Ownable(initialOwner) {{}}

    receive() external payable {{
        _donate("");
    }}

    function donate(string calldata message) external payable {{
        _donate(message);
    }}

    function _donate(string memory message) private {{
        if (msg.value < 1) revert ZeroDonation();
        donatedBy[msg.sender] += msg.value;
        totalDonations += msg.value;
        emit Donated(msg.sender, msg.value, message);
    }}

    function withdraw() external onlyOwner nonReentrant {{
        uint256 amount = address(this).balance;
        if (amount < 1) revert NothingToWithdraw();
{SEND}    }}
}}
"""
    )


def bank(ir: ContractIR) -> str:
    return (
        _head(
            [GUARD],
            [
                "A simple bank: each user deposits ETH, sees their balance and withdraws at most what they put in."
            ],
        )
        + f"""contract {ir.name} is ReentrancyGuard {{
    mapping(address account => uint256) public balanceOf;

    error ZeroAmount();
    error InsufficientBalance(uint256 balance, uint256 wanted);
    error TransferFailed();
    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

    function deposit() external payable {{
        if (msg.value < 1) revert ZeroAmount();
        balanceOf[msg.sender] += msg.value;
        emit Deposited(msg.sender, msg.value);
    }}

    function withdraw(uint256 amount) external nonReentrant {{
        uint256 bal = balanceOf[msg.sender];
        if (bal < amount) revert InsufficientBalance(bal, amount);
        balanceOf[msg.sender] = bal - amount;
        emit Withdrawn(msg.sender, amount);
{SEND}    }}
}}
"""
    )


def inheritance(ir: ContractIR) -> str:
    timeout = int(ir.params.get("timeout_seconds") or 180 * 86400)
    return (
        _head(
            [OWNABLE, GUARD],
            [
                f"A dead man's switch: the owner holds ETH here and checks in; if {timeout} seconds pass without",
                "a check-in, the heir can claim everything.",
            ],
        )
        + f"""contract {ir.name} is Ownable, ReentrancyGuard {{
    address public immutable heir;
    uint256 public constant TIMEOUT = {timeout};
    uint256 public lastCheckIn;

    error NotHeir(address account);
    error OwnerStillActive(uint256 claimableAt);
    error NothingToClaim();
    error ZeroHeir();
    error TransferFailed();
    event CheckedIn(uint256 at);
    event Claimed(address indexed heir, uint256 amount);
    event Deposited(address indexed from, uint256 amount);

    constructor(address initialOwner, address heir_) Ownable(initialOwner) {{
        if (heir_ == address(0)) revert ZeroHeir();
        heir = heir_;
        lastCheckIn = block.timestamp;
    }}

    receive() external payable {{
        emit Deposited(msg.sender, msg.value);
    }}

    function checkIn() external onlyOwner {{
        lastCheckIn = block.timestamp;
        emit CheckedIn(block.timestamp);
    }}

    /// @notice The owner takes funds back at any time (and checks in by doing so).
    function ownerWithdraw(uint256 amount) external onlyOwner nonReentrant {{
        lastCheckIn = block.timestamp;
{SEND}    }}

    function claim() external nonReentrant {{
        if (msg.sender != heir) revert NotHeir(msg.sender);
        if (block.timestamp <= lastCheckIn + TIMEOUT) revert OwnerStillActive(lastCheckIn + TIMEOUT);
        uint256 amount = address(this).balance;
        if (amount < 1) revert NothingToClaim();
        emit Claimed(msg.sender, amount);
{SEND}    }}
}}
"""
    )


def todo_list(ir: ContractIR) -> str:
    return (
        _head([], ["A to-do list per address: add tasks, toggle them completed, read them back."])
        + f"""contract {ir.name} {{
    struct Task {{
        string text;
        bool completed;
    }}

    mapping(address account => Task[]) private _tasks;

    error NoSuchTask(uint256 id);
    event TaskAdded(address indexed account, uint256 indexed id, string text);
    event TaskToggled(address indexed account, uint256 indexed id, bool completed);

    function addTask(string calldata text) external returns (uint256 id) {{
        id = _tasks[msg.sender].length;
        _tasks[msg.sender].push(Task(text, false));
        emit TaskAdded(msg.sender, id, text);
    }}

    function toggleCompleted(uint256 id) external {{
        if (id >= _tasks[msg.sender].length) revert NoSuchTask(id);
        Task storage t = _tasks[msg.sender][id];
        t.completed = !t.completed;
        emit TaskToggled(msg.sender, id, t.completed);
    }}

    function taskCount(address account) external view returns (uint256) {{
        return _tasks[account].length;
    }}

    function getTask(address account, uint256 id) external view returns (string memory text, bool completed) {{
        Task storage t = _tasks[account][id];
        return (t.text, t.completed);
    }}
}}
"""
    )


def airdrop(ir: ContractIR) -> str:
    amount = int(ir.params.get("amount") or 100 * 10**18)
    return (
        _head(
            [OWNABLE, IERC20_, SAFE],
            [
                f"An airdrop of {amount} token units per address from this contract's token balance: the owner",
                "sends to a list in one call, or allowlists addresses that claim once; no address receives twice.",
            ],
        )
        + f"""contract {ir.name} is Ownable {{
    using SafeERC20 for IERC20;

    IERC20 public immutable token;
    uint256 public constant AMOUNT = {amount};
    mapping(address account => bool) public received;
    mapping(address account => bool) public canClaim;

    error AlreadyReceived(address account);
    error NotEligible(address account);
    event Airdropped(address indexed to, uint256 amount);
    event Allowlisted(address indexed account);

    constructor(address initialOwner, IERC20 token_) Ownable(initialOwner) {{
        token = token_;
    }}

    function airdrop(address[] calldata recipients) external onlyOwner {{
        for (uint256 i = 0; i < recipients.length; i++) {{
            if (received[recipients[i]]) revert AlreadyReceived(recipients[i]);
            received[recipients[i]] = true;
            emit Airdropped(recipients[i], AMOUNT);
        }}
        for (uint256 i = 0; i < recipients.length; i++) {{
            token.safeTransfer(recipients[i], AMOUNT);
        }}
    }}

    function allowClaims(address[] calldata accounts) external onlyOwner {{
        for (uint256 i = 0; i < accounts.length; i++) {{
            canClaim[accounts[i]] = true;
            emit Allowlisted(accounts[i]);
        }}
    }}

    function claim() external {{
        if (!canClaim[msg.sender]) revert NotEligible(msg.sender);
        if (received[msg.sender]) revert AlreadyReceived(msg.sender);
        received[msg.sender] = true;
        emit Airdropped(msg.sender, AMOUNT);
        token.safeTransfer(msg.sender, AMOUNT);
    }}
}}
"""
    )


RENDERERS: dict[str, Callable[[ContractIR], str]] = {
    "storage": storage,
    "ownership": ownership,
    "hello_world": hello_world,
    "counter": counter,
    "voting": voting,
    "english_auction": english_auction,
    "dutch_auction": dutch_auction,
    "crowdfunding": crowdfunding,
    "payment_splitter": payment_splitter,
    "staking": staking,
    "lottery": lottery,
    "allowlist": allowlist,
    "username_registry": username_registry,
    "proof_of_existence": proof_of_existence,
    "supply_chain": supply_chain,
    "loyalty_points": loyalty_points,
    "subscription": subscription,
    "marketplace": marketplace,
    "timelock_savings": timelock_savings,
    "dao_treasury": dao_treasury,
    "faucet": faucet,
    "donation": donation,
    "bank": bank,
    "inheritance": inheritance,
    "todo_list": todo_list,
    "airdrop": airdrop,
}


def render(ir: ContractIR) -> str:
    """Solidity for an IR of one of the ``RENDERERS`` kinds."""
    fn = RENDERERS.get(ir.kind)
    if fn is None:
        raise BadInputError(
            f"no composer for kind {ir.kind!r}", hint="kinds: " + ", ".join(sorted(RENDERERS))
        )
    return fn(ir)
