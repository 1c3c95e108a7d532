// SPDX-License-Identifier: MIT
// Family B exchange: token/ETH pools with liquidity shares, a router that pulls tokens by
// allowance or by a Permit2-style signature, and the signature-transfer contract itself.
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts-v4/token/ERC20/IERC20.sol";
import {ECDSA} from "@openzeppelin/contracts-v4/utils/cryptography/ECDSA.sol";

contract LiquidityPool {
    IERC20 public immutable token;
    uint256 public reserveToken;
    uint256 public reserveEth;
    uint256 public totalShares;
    mapping(address => uint256) public shares;

    event Swap(address indexed to, uint256 ethIn, uint256 tokenIn, uint256 ethOut, uint256 tokenOut);
    event Liquidity(address indexed provider, int256 shareDelta);

    constructor(address token_) {
        token = IERC20(token_);
    }

    function _sync() private {
        reserveToken = token.balanceOf(address(this));
        reserveEth = address(this).balance;
    }

    function quote(uint256 amountIn, uint256 rin, uint256 rout) public pure returns (uint256) {
        uint256 withFee = amountIn * 997;
        return (withFee * rout) / (rin * 1000 + withFee);
    }

    function addLiquidity(uint256 amount) external payable returns (uint256 minted) {
        require(msg.value > 0 && amount > 0, "empty");
        uint256 before = token.balanceOf(address(this));
        require(token.transferFrom(msg.sender, address(this), amount), "pull");
        uint256 got = token.balanceOf(address(this)) - before;
        minted = totalShares == 0 ? msg.value : (msg.value * totalShares) / (address(this).balance - msg.value);
        if (totalShares > 0 && reserveToken > 0) {
            uint256 byToken = (got * totalShares) / reserveToken;
            if (byToken < minted) minted = byToken;
        }
        shares[msg.sender] += minted;
        totalShares += minted;
        _sync();
        emit Liquidity(msg.sender, int256(minted));
    }

    function removeLiquidity(uint256 amount) external {
        require(amount > 0 && shares[msg.sender] >= amount, "shares");
        uint256 t = (reserveToken * amount) / totalShares;
        uint256 e = (reserveEth * amount) / totalShares;
        shares[msg.sender] -= amount;
        totalShares -= amount;
        require(token.transfer(msg.sender, t), "push");
        (bool ok, ) = msg.sender.call{value: e}("");
        require(ok, "eth");
        _sync();
        emit Liquidity(msg.sender, -int256(amount));
    }

    function buy(address to, uint256 minOut) external payable returns (uint256 out) {
        out = quote(msg.value, reserveEth, reserveToken);
        require(out >= minOut && out > 0, "slippage");
        require(token.transfer(to, out), "push");
        _sync();
        emit Swap(to, msg.value, 0, 0, out);
    }

    /// Tokens are sent in first (by the router); the pool pays for what arrived.
    function sell(address to, uint256 minOut) external returns (uint256 out) {
        uint256 arrived = token.balanceOf(address(this)) - reserveToken;
        out = quote(arrived, reserveToken, reserveEth);
        require(out >= minOut && out > 0, "slippage");
        (bool ok, ) = to.call{value: out}("");
        require(ok, "eth");
        _sync();
        emit Swap(to, 0, arrived, out, 0);
    }

    receive() external payable {
        require(msg.sender == address(this), "direct");
    }
}

contract SignatureTransfer {
    struct TokenPermissions {
        address token;
        uint256 amount;
    }
    struct PermitTransferFrom {
        TokenPermissions permitted;
        uint256 nonce;
        uint256 deadline;
    }
    struct SignatureTransferDetails {
        address to;
        uint256 requestedAmount;
    }

    bytes32 public immutable DOMAIN_SEPARATOR;
    bytes32 private constant PERMITTED_TYPEHASH = keccak256("TokenPermissions(address token,uint256 amount)");
    bytes32 private constant PERMIT_TYPEHASH = keccak256(
        "PermitTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline)TokenPermissions(address token,uint256 amount)"
    );
    mapping(address => mapping(uint256 => bool)) public nonceUsed;

    constructor() {
        DOMAIN_SEPARATOR = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,uint256 chainId,address verifyingContract)"),
                keccak256("Permit2"),
                block.chainid,
                address(this)
            )
        );
    }

    function permitTransferFrom(
        PermitTransferFrom memory permit,
        SignatureTransferDetails calldata details,
        address owner,
        bytes calldata signature
    ) external {
        require(block.timestamp <= permit.deadline, "expired");
        require(details.requestedAmount <= permit.permitted.amount, "amount");
        require(!nonceUsed[owner][permit.nonce], "nonce");
        nonceUsed[owner][permit.nonce] = true;
        bytes32 structHash = keccak256(
            abi.encode(
                PERMIT_TYPEHASH,
                keccak256(abi.encode(PERMITTED_TYPEHASH, permit.permitted.token, permit.permitted.amount)),
                msg.sender,
                permit.nonce,
                permit.deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", DOMAIN_SEPARATOR, structHash));
        require(ECDSA.recover(digest, signature) == owner, "signature");
        require(IERC20(permit.permitted.token).transferFrom(owner, details.to, details.requestedAmount), "pull");
    }
}

contract SwapRouter {
    SignatureTransfer public immutable permit2;

    constructor(address permit2_) {
        permit2 = SignatureTransfer(permit2_);
    }

    function swapExactEthForTokens(address pool, uint256 minOut) external payable returns (uint256) {
        return LiquidityPool(payable(pool)).buy{value: msg.value}(msg.sender, minOut);
    }

    function swapExactTokensForEth(address pool, uint256 amountIn, uint256 minOut) external returns (uint256) {
        IERC20 t = LiquidityPool(payable(pool)).token();
        require(t.transferFrom(msg.sender, pool, amountIn), "pull");
        return LiquidityPool(payable(pool)).sell(msg.sender, minOut);
    }

    function swapWithSignature(
        address pool,
        uint256 amountIn,
        uint256 minOut,
        uint256 nonce,
        uint256 deadline,
        bytes calldata signature
    ) external returns (uint256) {
        address token = address(LiquidityPool(payable(pool)).token());
        permit2.permitTransferFrom(
            SignatureTransfer.PermitTransferFrom(SignatureTransfer.TokenPermissions(token, amountIn), nonce, deadline),
            SignatureTransfer.SignatureTransferDetails(pool, amountIn),
            msg.sender,
            signature
        );
        return LiquidityPool(payable(pool)).sell(msg.sender, minOut);
    }
}
