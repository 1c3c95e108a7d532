// SPDX-License-Identifier: MIT
pragma solidity 0.4.26;

library SafeMathLib {
    function add(uint256 a, uint256 b) internal pure returns (uint256) {
        uint256 c = a + b;
        require(c >= a);
        return c;
    }
    function sub(uint256 a, uint256 b) internal pure returns (uint256) {
        require(b <= a);
        return a - b;
    }
    function mul(uint256 a, uint256 b) internal pure returns (uint256) {
        if (a == 0) return 0;
        uint256 c = a * b;
        require(c / a == b);
        return c;
    }
}

contract Wallet_hac1_0426 {
    address public owner;
    function initWallet(address newOwner) public { // BUG: access-control
        owner = newOwner;
    }
    function withdraw(uint256 amount) public {
        require(msg.sender == owner);
        msg.sender.transfer(amount);
    }
}

contract WalletInitOnce_hac1_0426 {
    address public owner;
    bool public initialized;
    function initWallet(address newOwner) public { // SAFE: access-control
        require(!initialized);
        initialized = true;
        owner = newOwner;
    }
    function withdraw(uint256 amount) public {
        require(msg.sender == owner);
        msg.sender.transfer(amount);
    }
}

contract MintToken_hac2_0426 {
    using SafeMathLib for uint256;
    mapping(address => uint256) public balanceOf;
    uint256 public totalSupply;
    address public minter;
    constructor() public {
        minter = msg.sender;
    }
    function mint(address to, uint256 amount) public { // BUG: access-control
        totalSupply = totalSupply.add(amount);
        balanceOf[to] = balanceOf[to].add(amount);
    }
}

contract MintTokenOwned_hac2_0426 {
    using SafeMathLib for uint256;
    mapping(address => uint256) public balanceOf;
    uint256 public totalSupply;
    address public minter;
    modifier onlyMinter() {
        require(msg.sender == minter);
        _;
    }
    constructor() public {
        minter = msg.sender;
    }
    function mint(address to, uint256 amount) public onlyMinter { // SAFE: access-control
        totalSupply = totalSupply.add(amount);
        balanceOf[to] = balanceOf[to].add(amount);
    }
}

contract Proxy_hac3_0426 {
    address public implementation;
    address public admin;
    constructor() public {
        admin = msg.sender;
    }
    function upgradeTo(address newImplementation) public { // BUG: access-control
        implementation = newImplementation;
    }
}

contract ProxyAdmin_hac3_0426 {
    address public implementation;
    address public admin;
    constructor() public {
        admin = msg.sender;
    }
    function upgradeTo(address newImplementation) public { // SAFE: access-control
        require(msg.sender == admin, "not admin");
        implementation = newImplementation;
    }
}

contract Vault_hac4_0426 {
    address public owner;
    mapping(address => uint256) public deposits;
    constructor() public {
        owner = msg.sender;
    }
    function deposit() public payable {
        deposits[msg.sender] += msg.value;
    }
    function sweep() public { // BUG: access-control
        msg.sender.transfer(address(this).balance);
    }
    function withdrawOwn() public { // SAFE: access-control
        uint256 amount = deposits[msg.sender];
        deposits[msg.sender] = 0;
        msg.sender.transfer(amount);
    }
}

contract VaultOwned_hac4_0426 {
    address public owner;
    modifier onlyOwner() {
        require(msg.sender == owner);
        _;
    }
    constructor() public {
        owner = msg.sender;
    }
    function deposit() public payable {}
    function sweep() public onlyOwner { // SAFE: access-control
        msg.sender.transfer(address(this).balance);
    }
}
