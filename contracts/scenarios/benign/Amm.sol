// SPDX-License-Identifier: MIT
// A minimal constant-product token/ETH pair (x*y=k, 0.3% fee) and a router with deadlines and
// slippage limits. Swaps read the pair's token balance delta, so fee-on-transfer tokens work.
pragma solidity ^0.8.20;

interface IERC20Like {
    function balanceOf(address) external view returns (uint256);
    function transfer(address, uint256) external returns (bool);
    function transferFrom(address, address, uint256) external returns (bool);
}

contract MiniPair {
    IERC20Like public immutable token;
    uint256 public reserveToken;
    uint256 public reserveEth;
    uint256 public totalShares;
    mapping(address => uint256) public shares;

    event Mint(address indexed provider, uint256 tokenAmount, uint256 ethAmount, uint256 shares);
    event Burn(address indexed provider, uint256 tokenAmount, uint256 ethAmount, uint256 shares);
    event Swap(address indexed to, uint256 tokenIn, uint256 ethIn, uint256 tokenOut, uint256 ethOut);

    uint256 private unlocked = 1;

    modifier lock() {
        require(unlocked == 1, "locked");
        unlocked = 0;
        _;
        unlocked = 1;
    }

    constructor(address token_) {
        token = IERC20Like(token_);
    }

    function _sync() private {
        reserveToken = token.balanceOf(address(this));
        reserveEth = address(this).balance;
    }

    function addLiquidity(uint256 tokenAmount) external payable lock returns (uint256 minted) {
        uint256 before = token.balanceOf(address(this));
        require(token.transferFrom(msg.sender, address(this), tokenAmount), "transfer failed");
        uint256 received = token.balanceOf(address(this)) - before;
        if (totalShares == 0) {
            minted = msg.value;
        } else {
            uint256 byEth = (msg.value * totalShares) / reserveEth;
            uint256 byToken = (received * totalShares) / reserveToken;
            minted = byEth < byToken ? byEth : byToken;
        }
        require(minted > 0, "no shares");
        shares[msg.sender] += minted;
        totalShares += minted;
        _sync();
        emit Mint(msg.sender, received, msg.value, minted);
    }

    function removeLiquidity(uint256 amount) external lock returns (uint256 tokenOut, uint256 ethOut) {
        require(amount > 0 && shares[msg.sender] >= amount, "bad amount");
        tokenOut = (amount * reserveToken) / totalShares;
        ethOut = (amount * reserveEth) / totalShares;
        shares[msg.sender] -= amount;
        totalShares -= amount;
        require(token.transfer(msg.sender, tokenOut), "transfer failed");
        (bool ok,) = msg.sender.call{value: ethOut}("");
        require(ok, "eth send failed");
        _sync();
        emit Burn(msg.sender, tokenOut, ethOut, amount);
    }

    function quote(uint256 amountIn, uint256 reserveIn, uint256 reserveOut) public pure returns (uint256) {
        uint256 withFee = amountIn * 997;
        return (withFee * reserveOut) / (reserveIn * 1000 + withFee);
    }

    function swapEthForToken(uint256 minOut, address to) external payable lock returns (uint256 out) {
        out = quote(msg.value, reserveEth, reserveToken);
        require(out >= minOut && out > 0, "slippage");
        require(token.transfer(to, out), "transfer failed");
        _sync();
        emit Swap(to, 0, msg.value, out, 0);
    }

    /// Sells whatever tokens arrived since the last sync (sent by the router just before).
    function swapTokenForEth(uint256 minOut, address to) external lock returns (uint256 out) {
        uint256 amountIn = token.balanceOf(address(this)) - reserveToken;
        out = quote(amountIn, reserveToken, reserveEth);
        require(out >= minOut, "slippage");
        (bool ok,) = to.call{value: out}("");
        require(ok, "eth send failed");
        _sync();
        emit Swap(to, amountIn, 0, 0, out);
    }
}

contract MiniRouter {
    modifier ensure(uint256 deadline) {
        require(block.timestamp <= deadline, "expired");
        _;
    }

    function buy(MiniPair pair, uint256 minOut, uint256 deadline)
        external
        payable
        ensure(deadline)
        returns (uint256)
    {
        return pair.swapEthForToken{value: msg.value}(minOut, msg.sender);
    }

    function sell(MiniPair pair, uint256 amountIn, uint256 minOut, uint256 deadline)
        external
        ensure(deadline)
        returns (uint256)
    {
        require(pair.token().transferFrom(msg.sender, address(pair), amountIn), "transfer failed");
        return pair.swapTokenForEth(minOut, msg.sender);
    }
}
