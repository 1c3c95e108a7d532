// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ModelRegistry
/// @notice On-chain provenance for chainllm adapters. Each record commits to the sha256 of an
/// adapter's canonical manifest (which lists every file's sha256), the IPFS directory CID
/// holding it, the base model, and the hashes of its dataset card and metrics.
/// @dev The first account to publish under a name owns it; only the owner and the publishers it
/// delegates may publish further versions of that name or revoke them. Records are never
/// deleted: revocation is a flag, so a verifier can always say why something is refused.
contract ModelRegistry {
    struct Record {
        bytes32 manifestHash;
        bytes32 datasetCardHash;
        bytes32 metricsHash;
        address publisher;
        uint64 publishedAt;
        bool revoked;
        string cid;
        string name;
        string version;
        string baseModel;
    }

    /// @dev Arguments of `publish`, in one struct to keep the stack small.
    struct Entry {
        string name;
        string version;
        string cid;
        string baseModel;
        bytes32 manifestHash;
        bytes32 datasetCardHash;
        bytes32 metricsHash;
    }

    mapping(bytes32 manifestHash => Record) private _records;
    mapping(bytes32 versionKey => bytes32 manifestHash) private _byVersion;
    mapping(bytes32 cidKey => bytes32 manifestHash) private _byCid;
    mapping(bytes32 nameKey => bytes32[] manifestHashes) private _versions;

    /// @notice Owner of each name (keccak256 of the name's bytes).
    mapping(bytes32 nameKey => address owner) public ownerOf;
    /// @notice Accounts the owner delegated publishing and revoking to.
    mapping(bytes32 nameKey => mapping(address account => bool allowed)) public isDelegate;

    event NameClaimed(bytes32 indexed nameKey, string name, address indexed owner);
    event DelegateSet(bytes32 indexed nameKey, address indexed account, bool allowed);
    event NameTransferred(bytes32 indexed nameKey, address indexed from, address indexed to);
    event Published(
        bytes32 indexed manifestHash,
        bytes32 indexed nameKey,
        address indexed publisher,
        string name,
        string version,
        string cid
    );
    event Revoked(bytes32 indexed manifestHash, bytes32 indexed nameKey, address indexed by, string reason);

    error NotAuthorized(address account, string name);
    error AlreadyPublished(bytes32 manifestHash);
    error VersionExists(string name, string version);
    error CidExists(string cid);
    error UnknownRecord(bytes32 manifestHash);
    error AlreadyRevoked(bytes32 manifestHash);
    error EmptyField(string field);
    error ZeroAddress();

    modifier onlyNameOwner(string calldata name) {
        if (ownerOf[keccak256(bytes(name))] != msg.sender) revert NotAuthorized(msg.sender, name);
        _;
    }

    /// @notice Record a published adapter. Claims `e.name` for the sender if it is unowned.
    function publish(Entry calldata e) external {
        if (bytes(e.name).length == 0) revert EmptyField("name");
        if (bytes(e.version).length == 0) revert EmptyField("version");
        if (bytes(e.cid).length == 0) revert EmptyField("cid");
        if (e.manifestHash == bytes32(0)) revert EmptyField("manifestHash");

        bytes32 nk = keccak256(bytes(e.name));
        address owner = ownerOf[nk];
        if (owner == address(0)) {
            ownerOf[nk] = msg.sender;
            emit NameClaimed(nk, e.name, msg.sender);
        } else if (owner != msg.sender && !isDelegate[nk][msg.sender]) {
            revert NotAuthorized(msg.sender, e.name);
        }
        if (_records[e.manifestHash].publisher != address(0)) revert AlreadyPublished(e.manifestHash);
        bytes32 vk = versionKey(e.name, e.version);
        if (_byVersion[vk] != bytes32(0)) revert VersionExists(e.name, e.version);
        bytes32 ck = keccak256(bytes(e.cid));
        if (_byCid[ck] != bytes32(0)) revert CidExists(e.cid);

        _records[e.manifestHash] = Record({
            manifestHash: e.manifestHash,
            datasetCardHash: e.datasetCardHash,
            metricsHash: e.metricsHash,
            publisher: msg.sender,
            publishedAt: uint64(block.timestamp),
            revoked: false,
            cid: e.cid,
            name: e.name,
            version: e.version,
            baseModel: e.baseModel
        });
        _byVersion[vk] = e.manifestHash;
        _byCid[ck] = e.manifestHash;
        _versions[nk].push(e.manifestHash);
        emit Published(e.manifestHash, nk, msg.sender, e.name, e.version, e.cid);
    }

    /// @notice Mark a record revoked. Allowed for its publisher, the name's owner and delegates.
    function revoke(bytes32 manifestHash, string calldata reason) external {
        Record storage r = _records[manifestHash];
        if (r.publisher == address(0)) revert UnknownRecord(manifestHash);
        if (r.revoked) revert AlreadyRevoked(manifestHash);
        bytes32 nk = keccak256(bytes(r.name));
        if (r.publisher != msg.sender && ownerOf[nk] != msg.sender && !isDelegate[nk][msg.sender]) {
            revert NotAuthorized(msg.sender, r.name);
        }
        r.revoked = true;
        emit Revoked(manifestHash, nk, msg.sender, reason);
    }

    /// @notice Let `account` publish and revoke versions of `name` (or stop letting it).
    function setDelegate(string calldata name, address account, bool allowed) external onlyNameOwner(name) {
        if (account == address(0)) revert ZeroAddress();
        bytes32 nk = keccak256(bytes(name));
        isDelegate[nk][account] = allowed;
        emit DelegateSet(nk, account, allowed);
    }

    /// @notice Hand `name` to another owner.
    function transferName(string calldata name, address to) external onlyNameOwner(name) {
        if (to == address(0)) revert ZeroAddress();
        bytes32 nk = keccak256(bytes(name));
        ownerOf[nk] = to;
        emit NameTransferred(nk, msg.sender, to);
    }

    /// @notice The record committing to `manifestHash` (publisher is zero when there is none).
    function recordOf(bytes32 manifestHash) external view returns (Record memory) {
        return _records[manifestHash];
    }

    /// @notice The record of `name`@`version` (publisher is zero when there is none).
    function recordOfVersion(string calldata name, string calldata version) external view returns (Record memory) {
        return _records[_byVersion[versionKey(name, version)]];
    }

    /// @notice The record holding `cid` (publisher is zero when there is none).
    function recordOfCid(string calldata cid) external view returns (Record memory) {
        return _records[_byCid[keccak256(bytes(cid))]];
    }

    /// @notice How many versions of `name` were published (revoked ones included).
    function versionCount(string calldata name) external view returns (uint256) {
        return _versions[keccak256(bytes(name))].length;
    }

    /// @notice Manifest hash of the `index`-th published version of `name` (oldest first).
    function versionAt(string calldata name, uint256 index) external view returns (bytes32) {
        return _versions[keccak256(bytes(name))][index];
    }

    /// @dev abi.encode, not encodePacked: ("ab","c") and ("a","bc") must differ.
    function versionKey(string calldata name, string calldata version) public pure returns (bytes32) {
        return keccak256(abi.encode(name, version));
    }
}
