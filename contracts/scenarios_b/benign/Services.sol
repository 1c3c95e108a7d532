// SPDX-License-Identifier: MIT
// Family B services: a signed-order NFT marketplace, an owner-signature multisig, a batch
// sender for airdrops, a contract wallet and a bridge gateway.
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts-v4/token/ERC20/IERC20.sol";
import {IERC721} from "@openzeppelin/contracts-v4/token/ERC721/IERC721.sol";
import {ECDSA} from "@openzeppelin/contracts-v4/utils/cryptography/ECDSA.sol";

contract OrderBookMarket {
    mapping(address => mapping(uint256 => bool)) public cancelled;
    address payable public immutable feeTo;

    event OrderFilled(address indexed seller, address indexed buyer, address nft, uint256 id, uint256 price);

    constructor() {
        feeTo = payable(msg.sender);
    }

    function orderHash(address seller, address nft, uint256 id, uint256 price, address taker, uint256 expiry, uint256 salt)
        public view returns (bytes32)
    {
        return keccak256(abi.encode(address(this), block.chainid, seller, nft, id, price, taker, expiry, salt));
    }

    /// The seller signed the order off chain; the buyer pays its price.
    function fill(address seller, address nft, uint256 id, uint256 price, address taker, uint256 expiry, uint256 salt, bytes calldata sig)
        external payable
    {
        require(block.timestamp <= expiry, "expired");
        require(taker == address(0) || taker == msg.sender, "taker");
        require(msg.value == price, "price");
        require(!cancelled[seller][salt], "used");
        cancelled[seller][salt] = true;
        bytes32 h = ECDSA.toEthSignedMessageHash(orderHash(seller, nft, id, price, taker, expiry, salt));
        require(ECDSA.recover(h, sig) == seller, "signature");
        IERC721(nft).transferFrom(seller, msg.sender, id);
        uint256 fee = price / 40;
        if (price > 0) {
            (bool ok, ) = payable(seller).call{value: price - fee}("");
            require(ok, "pay");
            (ok, ) = feeTo.call{value: fee}("");
            require(ok, "fee");
        }
        emit OrderFilled(seller, msg.sender, nft, id, price);
    }
}

contract OwnersSafe {
    address[] public owners;
    mapping(address => bool) public isOwner;
    uint256 public immutable threshold;
    uint256 public nonce;

    event Executed(uint256 indexed nonce, address to, uint256 value);

    constructor(address[] memory owners_, uint256 threshold_) payable {
        for (uint256 i = 0; i < owners_.length; i++) {
            owners.push(owners_[i]);
            isOwner[owners_[i]] = true;
        }
        threshold = threshold_;
    }

    function txHash(address to, uint256 value, bytes calldata data, uint256 n) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), block.chainid, to, value, keccak256(data), n));
    }

    function execute(address to, uint256 value, bytes calldata data, bytes[] calldata sigs) external returns (bytes memory) {
        bytes32 h = ECDSA.toEthSignedMessageHash(txHash(to, value, data, nonce));
        address last = address(0);
        for (uint256 i = 0; i < sigs.length; i++) {
            address s = ECDSA.recover(h, sigs[i]);
            require(isOwner[s] && s > last, "signer");
            last = s;
        }
        require(sigs.length >= threshold, "threshold");
        emit Executed(nonce, to, value);
        nonce++;
        (bool ok, bytes memory ret) = to.call{value: value}(data);
        require(ok, "call");
        return ret;
    }

    receive() external payable {}
}

contract BatchSender {
    function sendEther(address payable[] calldata to, uint256[] calldata amounts) external payable {
        uint256 total = 0;
        for (uint256 i = 0; i < to.length; i++) {
            total += amounts[i];
            (bool ok, ) = to[i].call{value: amounts[i]}("");
            require(ok, "eth");
        }
        require(total == msg.value, "total");
    }

    function sendToken(IERC20 token, address[] calldata to, uint256[] calldata amounts) external {
        for (uint256 i = 0; i < to.length; i++) {
            require(token.transferFrom(msg.sender, to[i], amounts[i]), "pull");
        }
    }
}

contract SmartWallet {
    address public owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function exec(address to, uint256 value, bytes calldata data) external returns (bytes memory) {
        require(msg.sender == owner, "owner");
        (bool ok, bytes memory ret) = to.call{value: value}(data);
        require(ok, "call");
        return ret;
    }

    receive() external payable {}
}

contract BridgeGateway {
    address public immutable relayer;
    uint256 public depositCount;

    event Deposit(uint256 indexed id, address indexed from, address token, uint256 amount, uint256 destChain, address recipient);
    event Release(address indexed to, address token, uint256 amount, bytes32 sourceTx);

    constructor() {
        relayer = msg.sender;
    }

    function depositEth(uint256 destChain, address recipient) external payable {
        require(msg.value > 0, "zero");
        emit Deposit(++depositCount, msg.sender, address(0), msg.value, destChain, recipient);
    }

    function depositToken(IERC20 token, uint256 amount, uint256 destChain, address recipient) external {
        require(token.transferFrom(msg.sender, address(this), amount), "pull");
        emit Deposit(++depositCount, msg.sender, address(token), amount, destChain, recipient);
    }

    function release(address payable to, address token, uint256 amount, bytes32 sourceTx) external {
        require(msg.sender == relayer, "relayer");
        if (token == address(0)) {
            (bool ok, ) = to.call{value: amount}("");
            require(ok, "eth");
        } else {
            require(IERC20(token).transfer(to, amount), "push");
        }
        emit Release(to, token, amount, sourceTx);
    }

    receive() external payable {}
}
