// SPDX-License-Identifier: MIT
// Benign scenario assets: an ERC20 with EIP-2612 permit and a mintable NFT collection.
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";

contract ScenarioToken is ERC20, ERC20Permit {
    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_, uint256 supply)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
    {
        _decimals = decimals_;
        _mint(msg.sender, supply);
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}

contract Collectible is ERC721 {
    uint256 public nextId;
    uint256 public immutable price;

    constructor(uint256 price_) ERC721("Scenario Collectible", "SCOL") {
        price = price_;
    }

    function mint() external payable returns (uint256 id) {
        require(msg.value == price, "wrong price");
        id = nextId++;
        _safeMint(msg.sender, id);
    }
}
