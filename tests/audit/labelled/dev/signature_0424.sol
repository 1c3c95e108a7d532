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

contract SignedWithdraw_dsig1_0424 {
    address public owner;
    mapping(bytes32 => bool) public usedHash;
    constructor() public {
        owner = msg.sender;
    }
    function withdraw(uint256 amount, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(msg.sender, amount));
        require(ecrecover(h, v, r, s) == owner); // BUG: signature
        msg.sender.transfer(amount);
    }
    function withdrawOnce(uint256 amount, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 h = keccak256(abi.encodePacked(address(this), msg.sender, amount));
        require(!usedHash[h]);
        usedHash[h] = true;
        require(ecrecover(h, v, r, s) == owner); // SAFE: signature
        msg.sender.transfer(amount);
    }
}

contract Validated_dsig2_0424 {
    address public owner;
    address public validator;
    mapping(bytes32 => bool) public seen;
    constructor() public {
        owner = msg.sender;
    }
    function setValidator(address val) public {
        require(msg.sender == owner);
        validator = val;
    }
    function _recover(bytes32 h, uint8 v, bytes32 r, bytes32 s) internal pure returns (address) {
        address a = ecrecover(h, v, r, s);
        require(a != address(0), "bad signature");
        return a;
    }
    function submit(bytes32 h, uint8 v, bytes32 r, bytes32 s) public {
        require(!seen[h]);
        seen[h] = true;
        if (ecrecover(h, v, r, s) != validator) { // BUG: signature
            revert();
        }
    }
    function submitSafe(bytes32 h, uint8 v, bytes32 r, bytes32 s) public {
        require(!seen[h]);
        seen[h] = true;
        require(_recover(h, v, r, s) == validator); // SAFE: signature
    }
}

contract PrefixedPay_dsig3_0424 {
    address public signer;
    mapping(uint256 => bool) public usedNonces;
    constructor() public payable {
        signer = msg.sender;
    }
    function pay(uint256 amount, uint256 nonce, uint8 v, bytes32 r, bytes32 s) public {
        bytes32 inner = keccak256(abi.encodePacked(msg.sender, amount, nonce, address(this)));
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", inner));
        address who = ecrecover(digest, v, r, s); // BUG: signature
        require(who == signer && who != address(0));
        msg.sender.transfer(amount);
    }
    function payOnce(uint256 amount, uint256 nonce, uint8 v, bytes32 r, bytes32 s) public {
        require(!usedNonces[nonce]);
        usedNonces[nonce] = true;
        bytes32 inner = keccak256(abi.encodePacked(msg.sender, amount, nonce, address(this)));
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", inner));
        address who = ecrecover(digest, v, r, s); // SAFE: signature
        require(who == signer && who != address(0));
        msg.sender.transfer(amount);
    }
}
