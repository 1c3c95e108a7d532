// SPDX-License-Identifier: MIT
// A token savings vault (deposits by approve or by EIP-2612 permit) and a 2-of-N multisig wallet.
pragma solidity ^0.8.20;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

contract TokenVault {
    using SafeERC20 for IERC20;

    mapping(address => mapping(address => uint256)) public deposits; // token => user => amount

    event Deposit(address indexed token, address indexed user, uint256 amount);
    event Withdraw(address indexed token, address indexed user, uint256 amount);

    function deposit(IERC20 token, uint256 amount) public {
        token.safeTransferFrom(msg.sender, address(this), amount);
        deposits[address(token)][msg.sender] += amount;
        emit Deposit(address(token), msg.sender, amount);
    }

    function depositWithPermit(IERC20 token, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        IERC20Permit(address(token)).permit(msg.sender, address(this), amount, deadline, v, r, s);
        deposit(token, amount);
    }

    function withdraw(IERC20 token, uint256 amount) external {
        deposits[address(token)][msg.sender] -= amount;
        token.safeTransfer(msg.sender, amount);
        emit Withdraw(address(token), msg.sender, amount);
    }
}

contract MultiSigWallet {
    struct Proposal {
        address to;
        uint256 value;
        bool executed;
        uint256 confirmations;
    }

    mapping(address => bool) public isOwner;
    uint256 public immutable required;
    Proposal[] public proposals;
    mapping(uint256 => mapping(address => bool)) public confirmed;

    event Submitted(uint256 indexed id, address indexed to, uint256 value);
    event Confirmed(uint256 indexed id, address indexed owner);
    event Executed(uint256 indexed id);

    constructor(address[] memory owners, uint256 required_) payable {
        require(required_ > 0 && required_ <= owners.length, "bad threshold");
        for (uint256 i = 0; i < owners.length; i++) {
            isOwner[owners[i]] = true;
        }
        required = required_;
    }

    receive() external payable {}

    modifier onlyOwner() {
        require(isOwner[msg.sender], "not owner");
        _;
    }

    function submit(address to, uint256 value) external onlyOwner returns (uint256 id) {
        id = proposals.length;
        proposals.push(Proposal(to, value, false, 0));
        emit Submitted(id, to, value);
        confirm(id);
    }

    function confirm(uint256 id) public onlyOwner {
        require(!confirmed[id][msg.sender], "already confirmed");
        confirmed[id][msg.sender] = true;
        proposals[id].confirmations += 1;
        emit Confirmed(id, msg.sender);
    }

    function execute(uint256 id) external onlyOwner {
        Proposal storage p = proposals[id];
        require(!p.executed && p.confirmations >= required, "not ready");
        p.executed = true;
        (bool ok,) = p.to.call{value: p.value}("");
        require(ok, "call failed");
        emit Executed(id);
    }
}
