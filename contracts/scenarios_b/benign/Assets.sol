// SPDX-License-Identifier: MIT
// Family B assets: a permit-capable stable coin, a plain governance token and an NFT
// collection with a paid public mint.
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts-v4/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts-v4/token/ERC20/extensions/ERC20Permit.sol";
import {ERC721} from "@openzeppelin/contracts-v4/token/ERC721/ERC721.sol";

contract StableCoin is ERC20Permit {
    uint8 private immutable _dec;

    constructor(string memory name_, string memory symbol_, uint8 dec_, uint256 supply)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
    {
        _dec = dec_;
        _mint(msg.sender, supply);
    }

    function decimals() public view override returns (uint8) {
        return _dec;
    }
}

contract GovernanceToken is ERC20 {
    constructor(string memory name_, string memory symbol_, uint256 supply) ERC20(name_, symbol_) {
        _mint(msg.sender, supply);
    }
}

contract GalleryNft is ERC721 {
    uint256 public nextId = 1;
    uint256 public immutable price;
    address payable public immutable artist;

    constructor(uint256 price_) ERC721("Gallery Pieces", "GLRY") {
        price = price_;
        artist = payable(msg.sender);
    }

    function mint(uint256 count) external payable {
        require(count > 0 && count <= 5, "count");
        require(msg.value == price * count, "price");
        for (uint256 i = 0; i < count; i++) {
            _safeMint(msg.sender, nextId++);
        }
        (bool ok, ) = artist.call{value: msg.value}("");
        require(ok, "pay");
    }
}
