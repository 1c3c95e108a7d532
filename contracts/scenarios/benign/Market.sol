// SPDX-License-Identifier: MIT
// A fixed-price NFT marketplace: sellers approve it with setApprovalForAll and list; buyers pay
// and the market moves the NFT. Benign use of the approval that ice-phishing abuses.
pragma solidity ^0.8.20;

interface IERC721Like {
    function ownerOf(uint256 id) external view returns (address);
    function transferFrom(address from, address to, uint256 id) external;
    function isApprovedForAll(address owner, address operator) external view returns (bool);
}

contract NftMarket {
    struct Listing {
        address seller;
        uint256 price;
    }

    uint16 public constant FEE_BPS = 250;
    address public immutable feeRecipient;
    mapping(address => mapping(uint256 => Listing)) public listings;

    event Listed(address indexed collection, uint256 indexed id, address indexed seller, uint256 price);
    event Sold(address indexed collection, uint256 indexed id, address seller, address buyer, uint256 price);
    event Cancelled(address indexed collection, uint256 indexed id);

    constructor() {
        feeRecipient = msg.sender;
    }

    function list(IERC721Like collection, uint256 id, uint256 price) external {
        require(collection.ownerOf(id) == msg.sender, "not owner");
        require(collection.isApprovedForAll(msg.sender, address(this)), "approve the market first");
        require(price > 0, "price");
        listings[address(collection)][id] = Listing(msg.sender, price);
        emit Listed(address(collection), id, msg.sender, price);
    }

    function cancel(IERC721Like collection, uint256 id) external {
        require(listings[address(collection)][id].seller == msg.sender, "not seller");
        delete listings[address(collection)][id];
        emit Cancelled(address(collection), id);
    }

    function buy(IERC721Like collection, uint256 id) external payable {
        Listing memory l = listings[address(collection)][id];
        require(l.seller != address(0) && msg.value == l.price, "not for sale at this price");
        delete listings[address(collection)][id];
        collection.transferFrom(l.seller, msg.sender, id);
        uint256 fee = (msg.value * FEE_BPS) / 10_000;
        (bool ok,) = l.seller.call{value: msg.value - fee}("");
        require(ok, "pay seller");
        (ok,) = feeRecipient.call{value: fee}("");
        require(ok, "pay fee");
        emit Sold(address(collection), id, l.seller, msg.sender, msg.value);
    }
}
