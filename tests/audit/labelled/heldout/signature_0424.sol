// SPDX-License-Identifier: MIT
pragma solidity 0.4.24;

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

contract MetaToken_hsig1_0424 {
    mapping(address => uint256) public balances;
    function transferWithSig(address from, address to, uint256 value, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(from, to, value));
        address signer = ecrecover(h, v, r, s); // BUG: signature
        require(signer == from && signer != address(0));
        require(balances[from] >= value);
        balances[from] -= value;
        balances[to] += value;
    }
}

contract MetaTokenNonce_hsig1_0424 {
    mapping(address => uint256) public balances;
    mapping(address => uint256) public nonces;
    function transferWithSig(address from, address to, uint256 value, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(address(this), from, to, value, nonces[from]));
        nonces[from] += 1;
        address signer = ecrecover(h, v, r, s); // SAFE: signature
        require(signer == from && signer != address(0));
        require(balances[from] >= value);
        balances[from] -= value;
        balances[to] += value;
    }
}

contract Voucher_hsig2_0424 {
    address public signer;
    mapping(bytes32 => bool) public used;
    function setSigner(address s) public {
        require(signer == address(0) || msg.sender == signer);
        signer = s;
    }
    function claim(uint256 amount, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(address(this), msg.sender, amount, nonce));
        require(!used[h]);
        used[h] = true;
        require(ecrecover(h, v, r, s) == signer); // BUG: signature
        msg.sender.transfer(amount);
    }
}

contract VoucherChecked_hsig2_0424 {
    address public signer;
    mapping(bytes32 => bool) public used;
    constructor(address s) public {
        signer = s;
    }
    function claim(uint256 amount, bytes32 nonce, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(address(this), msg.sender, amount, nonce));
        require(!used[h]);
        used[h] = true;
        address recovered = ecrecover(h, v, r, s);
        require(recovered != address(0) && recovered == signer); // SAFE: signature
        msg.sender.transfer(amount);
    }
}
