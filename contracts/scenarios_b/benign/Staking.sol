// SPDX-License-Identifier: MIT
// Family B upgradeable staking vault (ERC-1967 proxy + UUPS-less admin upgrade). The honest
// protocol upgrades to a V2 that only adds a view; the rug variant is in scam/ProxyRug.sol.
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts-v4/token/ERC20/IERC20.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts-v4/proxy/ERC1967/ERC1967Proxy.sol";
import {ERC1967Upgrade} from "@openzeppelin/contracts-v4/proxy/ERC1967/ERC1967Upgrade.sol";

contract StakingVaultV1 is ERC1967Upgrade {
    address public admin;
    mapping(address => uint256) public staked;
    mapping(address => mapping(address => uint256)) public stakedToken;

    event Staked(address indexed who, address token, uint256 amount);
    event Unstaked(address indexed who, address token, uint256 amount);

    function initialize(address admin_) external {
        require(admin == address(0), "init");
        admin = admin_;
    }

    function stake() external payable {
        staked[msg.sender] += msg.value;
        emit Staked(msg.sender, address(0), msg.value);
    }

    function stakeToken(IERC20 token, uint256 amount) external {
        require(token.transferFrom(msg.sender, address(this), amount), "pull");
        stakedToken[msg.sender][address(token)] += amount;
        emit Staked(msg.sender, address(token), amount);
    }

    function unstake(uint256 amount) external {
        staked[msg.sender] -= amount;
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "eth");
        emit Unstaked(msg.sender, address(0), amount);
    }

    function upgradeTo(address impl) external {
        require(msg.sender == admin, "admin");
        _upgradeTo(impl);
    }
}

contract StakingVaultV2 is StakingVaultV1 {
    function version() external pure returns (uint256) {
        return 2;
    }
}

contract VaultProxy is ERC1967Proxy {
    constructor(address impl, bytes memory init) ERC1967Proxy(impl, init) {}
}
