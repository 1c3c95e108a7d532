// SPDX-License-Identifier: MIT
// Family C money: a hand-written ERC20 base (no library), an EIP-2612 coin with a minter,
// and wrapped ether. Exact compiler pin and custom errors: another code style from A and B.
// File names sort so that a file only imports files before it: the artifact loader needs that.
pragma solidity 0.8.19;

interface IToken {
    function balanceOf(address) external view returns (uint256);
    function allowance(address, address) external view returns (uint256);
    function transfer(address, uint256) external returns (bool);
    function transferFrom(address, address, uint256) external returns (bool);
    function approve(address, uint256) external returns (bool);
}

library Sig {
    error BadSignature();

    function recover(bytes32 digest, bytes memory sig) internal pure returns (address who) {
        if (sig.length != 65) revert BadSignature();
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
        who = ecrecover(digest, v, r, s);
        if (who == address(0)) revert BadSignature();
    }

    function domain(string memory name, address self) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256(bytes(name)),
                keccak256(bytes("1")),
                block.chainid,
                self
            )
        );
    }
}

library SafeMove {
    error MoveFailed();

    function pull(address token, address from, address to, uint256 amount) internal {
        (bool ok, bytes memory ret) = token.call(abi.encodeWithSelector(IToken.transferFrom.selector, from, to, amount));
        if (!ok || (ret.length > 0 && !abi.decode(ret, (bool)))) revert MoveFailed();
    }

    function push(address token, address to, uint256 amount) internal {
        (bool ok, bytes memory ret) = token.call(abi.encodeWithSelector(IToken.transfer.selector, to, amount));
        if (!ok || (ret.length > 0 && !abi.decode(ret, (bool)))) revert MoveFailed();
    }

    function eth(address to, uint256 amount) internal {
        (bool ok,) = payable(to).call{value: amount}("");
        if (!ok) revert MoveFailed();
    }
}

abstract contract CoinBase {
    string public name;
    string public symbol;
    uint8 public constant decimals = 18;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    error NotEnough(address who, uint256 have, uint256 want);

    constructor(string memory name_, string memory symbol_) {
        name = name_;
        symbol = symbol_;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        _approve(msg.sender, spender, value);
        return true;
    }

    function increaseAllowance(address spender, uint256 added) external returns (bool) {
        _approve(msg.sender, spender, allowance[msg.sender][spender] + added);
        return true;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _move(msg.sender, to, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert NotEnough(msg.sender, allowed, value);
            allowance[from][msg.sender] = allowed - value;
        }
        _move(from, to, value);
        return true;
    }

    function _approve(address owner, address spender, uint256 value) internal {
        allowance[owner][spender] = value;
        emit Approval(owner, spender, value);
    }

    function _move(address from, address to, uint256 value) internal virtual {
        _debit(from, value);
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }

    function _debit(address from, uint256 value) internal {
        uint256 have = balanceOf[from];
        if (have < value) revert NotEnough(from, have, value);
        unchecked {
            balanceOf[from] = have - value;
        }
    }

    function _mint(address to, uint256 value) internal {
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    function _burn(address from, uint256 value) internal {
        _debit(from, value);
        totalSupply -= value;
        emit Transfer(from, address(0), value);
    }
}

/// A stable or project coin: EIP-2612 permits, a minter that can hand the role on or drop it.
contract Coin is CoinBase {
    bytes32 private constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    bytes32 public immutable DOMAIN_SEPARATOR;
    address public minter;
    mapping(address => uint256) public nonces;

    error Expired();
    error NotMinter();

    constructor(string memory name_, string memory symbol_, uint256 supply, address holder) CoinBase(name_, symbol_) {
        DOMAIN_SEPARATOR = Sig.domain(name_, address(this));
        minter = msg.sender;
        _mint(holder, supply);
    }

    function mint(address to, uint256 value) external {
        if (msg.sender != minter) revert NotMinter();
        _mint(to, value);
    }

    function setMinter(address next) external {
        if (msg.sender != minter) revert NotMinter();
        minter = next;
    }

    function burn(uint256 value) external {
        _burn(msg.sender, value);
    }

    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        if (block.timestamp > deadline) revert Expired();
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                DOMAIN_SEPARATOR,
                keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonces[owner]++, deadline))
            )
        );
        if (Sig.recover(digest, abi.encodePacked(r, s, v)) != owner) revert Sig.BadSignature();
        _approve(owner, spender, value);
    }
}

contract WrappedEther is CoinBase {
    event Deposit(address indexed who, uint256 amount);
    event Withdrawal(address indexed who, uint256 amount);

    constructor() CoinBase("Wrapped Ether", "WETH") {}

    receive() external payable {
        deposit();
    }

    function deposit() public payable {
        balanceOf[msg.sender] += msg.value;
        totalSupply += msg.value;
        emit Deposit(msg.sender, msg.value);
        emit Transfer(address(0), msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external {
        _burn(msg.sender, amount);
        emit Withdrawal(msg.sender, amount);
        SafeMove.eth(msg.sender, amount);
    }
}
