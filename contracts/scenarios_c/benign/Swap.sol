// SPDX-License-Identifier: MIT
// Family C exchange: token/token pairs (ether trades through wrapped ether) that price from
// balances, so fee-on-transfer tokens trade too; a factory, a router, and a signature-transfer
// contract (Permit2-like: one standing approval, then a signed permit per transfer).
pragma solidity 0.8.19;

import {CoinBase, IToken, SafeMove, Sig, WrappedEther} from "./Money.sol";

contract SwapPair is CoinBase {
    address public immutable token0;
    address public immutable token1;
    uint256 public reserve0;
    uint256 public reserve1;

    event Sync(uint256 reserve0, uint256 reserve1);
    event Swap(address indexed sender, uint256 in0, uint256 in1, uint256 out0, uint256 out1, address indexed to);

    error Curve();
    error Empty();

    constructor(address a, address b) CoinBase("Pair Share", "PSH") {
        (token0, token1) = a < b ? (a, b) : (b, a);
    }

    function getReserves() external view returns (uint256, uint256) {
        return (reserve0, reserve1);
    }

    function _balances() private view returns (uint256, uint256) {
        return (IToken(token0).balanceOf(address(this)), IToken(token1).balanceOf(address(this)));
    }

    function _sync(uint256 b0, uint256 b1) private {
        reserve0 = b0;
        reserve1 = b1;
        emit Sync(b0, b1);
    }

    function _sqrt(uint256 y) private pure returns (uint256 z) {
        if (y > 3) {
            z = y;
            uint256 x = y / 2 + 1;
            while (x < z) {
                z = x;
                x = (y / x + x) / 2;
            }
        } else if (y != 0) {
            z = 1;
        }
    }

    function mint(address to) external returns (uint256 shares) {
        (uint256 b0, uint256 b1) = _balances();
        uint256 a0 = b0 - reserve0;
        uint256 a1 = b1 - reserve1;
        if (totalSupply == 0) {
            shares = _sqrt(a0 * a1) - 1000;
            _mint(address(0xdead), 1000);
        } else {
            uint256 s0 = (a0 * totalSupply) / reserve0;
            uint256 s1 = (a1 * totalSupply) / reserve1;
            shares = s0 < s1 ? s0 : s1;
        }
        if (shares == 0) revert Empty();
        _mint(to, shares);
        _sync(b0, b1);
    }

    function burn(address to) external returns (uint256 a0, uint256 a1) {
        (uint256 b0, uint256 b1) = _balances();
        uint256 shares = balanceOf[address(this)];
        a0 = (shares * b0) / totalSupply;
        a1 = (shares * b1) / totalSupply;
        if (a0 == 0 || a1 == 0) revert Empty();
        _burn(address(this), shares);
        SafeMove.push(token0, to, a0);
        SafeMove.push(token1, to, a1);
        (b0, b1) = _balances();
        _sync(b0, b1);
    }

    function swap(uint256 out0, uint256 out1, address to) external {
        if (out0 > 0) SafeMove.push(token0, to, out0);
        if (out1 > 0) SafeMove.push(token1, to, out1);
        (uint256 b0, uint256 b1) = _balances();
        uint256 in0 = b0 > reserve0 - out0 ? b0 - (reserve0 - out0) : 0;
        uint256 in1 = b1 > reserve1 - out1 ? b1 - (reserve1 - out1) : 0;
        if ((b0 * 1000 - in0 * 3) * (b1 * 1000 - in1 * 3) < reserve0 * reserve1 * 1_000_000) revert Curve();
        emit Swap(msg.sender, in0, in1, out0, out1, to);
        _sync(b0, b1);
    }
}

contract SwapFactory {
    mapping(address => mapping(address => address)) public getPair;
    address[] public allPairs;

    event PairCreated(address indexed token0, address indexed token1, address pair, uint256 index);

    function createPair(address a, address b) external returns (address pair) {
        require(a != b && getPair[a][b] == address(0), "pair exists");
        pair = address(new SwapPair(a, b));
        getPair[a][b] = pair;
        getPair[b][a] = pair;
        allPairs.push(pair);
        emit PairCreated(a < b ? a : b, a < b ? b : a, pair, allPairs.length);
    }

    function pairCount() external view returns (uint256) {
        return allPairs.length;
    }
}

/// Permit2-style signature transfers: owners approve this contract once; each transfer then
/// needs the owner's EIP-712 signature naming the spender (msg.sender), amount and a nonce.
contract SigTransfer {
    bytes32 public immutable DOMAIN_SEPARATOR;
    bytes32 private constant ONE_TYPEHASH =
        keccak256("TransferPermit(address token,uint256 amount,address spender,uint256 nonce,uint256 deadline)");
    bytes32 private constant MANY_TYPEHASH =
        keccak256("BatchTransferPermit(address[] tokens,uint256[] amounts,address spender,uint256 nonce,uint256 deadline)");
    mapping(address => mapping(uint256 => bool)) public nonceUsed;

    error Expired();
    error NonceUsed();

    constructor() {
        DOMAIN_SEPARATOR = Sig.domain("SigTransfer", address(this));
    }

    function _check(address owner, uint256 nonce, uint256 deadline, bytes32 structHash, bytes calldata sig) private {
        if (block.timestamp > deadline) revert Expired();
        if (nonceUsed[owner][nonce]) revert NonceUsed();
        nonceUsed[owner][nonce] = true;
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", DOMAIN_SEPARATOR, structHash));
        if (Sig.recover(digest, sig) != owner) revert Sig.BadSignature();
    }

    function permitTransferFrom(
        address token,
        uint256 amount,
        uint256 nonce,
        uint256 deadline,
        address owner,
        address to,
        bytes calldata sig
    ) external {
        _check(owner, nonce, deadline, keccak256(abi.encode(ONE_TYPEHASH, token, amount, msg.sender, nonce, deadline)), sig);
        SafeMove.pull(token, owner, to, amount);
    }

    function permitBatchTransferFrom(
        address[] calldata tokens,
        uint256[] calldata amounts,
        uint256 nonce,
        uint256 deadline,
        address owner,
        address to,
        bytes calldata sig
    ) external {
        bytes32 h = keccak256(
            abi.encode(
                MANY_TYPEHASH,
                keccak256(abi.encodePacked(tokens)),
                keccak256(abi.encodePacked(amounts)),
                msg.sender,
                nonce,
                deadline
            )
        );
        _check(owner, nonce, deadline, h, sig);
        for (uint256 i = 0; i < tokens.length; i++) {
            SafeMove.pull(tokens[i], owner, to, amounts[i]);
        }
    }
}

contract SwapRouter {
    SwapFactory public immutable factory;
    WrappedEther public immutable weth;
    SigTransfer public immutable sig;

    error Slippage(uint256 got, uint256 want);
    error Late();
    error NoPair();

    constructor(SwapFactory factory_, WrappedEther weth_, SigTransfer sig_) {
        factory = factory_;
        weth = weth_;
        sig = sig_;
    }

    receive() external payable {}

    modifier before(uint256 deadline) {
        if (block.timestamp > deadline) revert Late();
        _;
    }

    function _pair(address a, address b) private view returns (SwapPair p) {
        p = SwapPair(factory.getPair(a, b));
        if (address(p) == address(0)) revert NoPair();
    }

    function quote(address tokenIn, address tokenOut, uint256 amountIn) public view returns (uint256) {
        SwapPair p = _pair(tokenIn, tokenOut);
        (uint256 r0, uint256 r1) = p.getReserves();
        (uint256 rin, uint256 rout) = tokenIn == p.token0() ? (r0, r1) : (r1, r0);
        uint256 fee = amountIn * 997;
        return (fee * rout) / (rin * 1000 + fee);
    }

    /// Swap whatever arrived in the pair above its reserve (fee-on-transfer safe).
    function _settle(address tokenIn, address tokenOut, address to, uint256 minOut) private returns (uint256 out) {
        SwapPair p = _pair(tokenIn, tokenOut);
        bool zeroIn = tokenIn == p.token0();
        out = _out(p, tokenIn, zeroIn);
        if (out < minOut) revert Slippage(out, minOut);
        if (zeroIn) p.swap(0, out, to);
        else p.swap(out, 0, to);
    }

    function _out(SwapPair p, address tokenIn, bool zeroIn) private view returns (uint256) {
        (uint256 r0, uint256 r1) = p.getReserves();
        (uint256 rin, uint256 rout) = zeroIn ? (r0, r1) : (r1, r0);
        uint256 fee = (IToken(tokenIn).balanceOf(address(p)) - rin) * 997;
        return (fee * rout) / (rin * 1000 + fee);
    }

    function swapExactTokensForTokens(
        address tokenIn,
        address tokenOut,
        uint256 amountIn,
        uint256 minOut,
        address to,
        uint256 deadline
    ) external before(deadline) returns (uint256) {
        SafeMove.pull(tokenIn, msg.sender, address(_pair(tokenIn, tokenOut)), amountIn);
        return _settle(tokenIn, tokenOut, to, minOut);
    }

    function swapExactETHForTokens(address tokenOut, uint256 minOut, address to, uint256 deadline)
        external
        payable
        before(deadline)
        returns (uint256)
    {
        weth.deposit{value: msg.value}();
        SafeMove.push(address(weth), address(_pair(address(weth), tokenOut)), msg.value);
        return _settle(address(weth), tokenOut, to, minOut);
    }

    function swapExactTokensForETH(address tokenIn, uint256 amountIn, uint256 minOut, address to, uint256 deadline)
        external
        before(deadline)
        returns (uint256 out)
    {
        SafeMove.pull(tokenIn, msg.sender, address(_pair(tokenIn, address(weth))), amountIn);
        out = _settle(tokenIn, address(weth), address(this), minOut);
        weth.withdraw(out);
        SafeMove.eth(to, out);
    }

    struct Permit {
        uint256 nonce;
        uint256 deadline;
        bytes sig;
    }

    /// Token-in pulled by a SigTransfer permit signed for this router, not by an allowance.
    function swapWithPermit(address tokenIn, address tokenOut, uint256 amountIn, uint256 minOut, Permit calldata permit)
        external
        returns (uint256)
    {
        // SigTransfer checks the deadline
        sig.permitTransferFrom(
            tokenIn, amountIn, permit.nonce, permit.deadline, msg.sender, factory.getPair(tokenIn, tokenOut), permit.sig
        );
        return _settle(tokenIn, tokenOut, msg.sender, minOut);
    }

    function _provide(address a, address b, uint256 amountA, uint256 amountB) private returns (SwapPair p, uint256 useA, uint256 useB) {
        address pa = factory.getPair(a, b);
        if (pa == address(0)) pa = factory.createPair(a, b);
        p = SwapPair(pa);
        (uint256 r0, uint256 r1) = p.getReserves();
        (uint256 ra, uint256 rb) = a == p.token0() ? (r0, r1) : (r1, r0);
        (useA, useB) = (amountA, amountB);
        if (ra > 0 && rb > 0) {
            uint256 wantB = (amountA * rb) / ra;
            if (wantB <= amountB) useB = wantB;
            else useA = (amountB * ra) / rb;
        }
    }

    function addLiquidity(address a, address b, uint256 amountA, uint256 amountB, address to, uint256 deadline)
        external
        before(deadline)
        returns (uint256)
    {
        (SwapPair p, uint256 useA, uint256 useB) = _provide(a, b, amountA, amountB);
        SafeMove.pull(a, msg.sender, address(p), useA);
        SafeMove.pull(b, msg.sender, address(p), useB);
        return p.mint(to);
    }

    function addLiquidityETH(address token, uint256 amountToken, address to, uint256 deadline)
        external
        payable
        before(deadline)
        returns (uint256 shares)
    {
        (SwapPair p, uint256 useT, uint256 useE) = _provide(token, address(weth), amountToken, msg.value);
        SafeMove.pull(token, msg.sender, address(p), useT);
        weth.deposit{value: useE}();
        SafeMove.push(address(weth), address(p), useE);
        shares = p.mint(to);
        if (msg.value > useE) SafeMove.eth(msg.sender, msg.value - useE);
    }

    function removeLiquidity(address a, address b, uint256 shares, address to, uint256 deadline)
        external
        before(deadline)
        returns (uint256, uint256)
    {
        SwapPair p = _pair(a, b);
        SafeMove.pull(address(p), msg.sender, address(p), shares);
        return p.burn(to);
    }

    function removeLiquidityETH(address token, uint256 shares, address to, uint256 deadline)
        external
        before(deadline)
        returns (uint256 amountToken, uint256 amountEth)
    {
        SwapPair p = _pair(token, address(weth));
        SafeMove.pull(address(p), msg.sender, address(p), shares);
        (uint256 a0, uint256 a1) = p.burn(address(this));
        (amountToken, amountEth) = token == p.token0() ? (a0, a1) : (a1, a0);
        weth.withdraw(amountEth);
        amountToken = IToken(token).balanceOf(address(this));
        SafeMove.push(token, to, amountToken);
        SafeMove.eth(to, amountEth);
    }
}
