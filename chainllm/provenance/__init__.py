"""Verifiable adapters: manifest -> IPFS directory (CIDv1, raw leaves) -> on-chain record.

- ``manifest``: canonical JSON listing every file's sha256/size/CID plus base model, dataset
  card hash, training config, metrics and chainllm version;
- ``cid``: the directory CID recomputed locally (UnixFS/dag-pb encoders), never trusting a node;
- ``ipfs``: a small httpx client for the Kubo RPC API (Kubo or the bundled js-ipfs);
- ``registry``: ModelRegistry deployment, per-chain addresses, keys, records;
- ``publish`` / ``verify`` (+ ``pull``) / ``adapters.fetch_adapter`` (what ``--adapter`` uses).
"""

from chainllm.provenance.adapters import fetch_adapter
from chainllm.provenance.publish import PublishResult, publish
from chainllm.provenance.verify import Check, VerifyResult, pull, verify

__all__ = ["Check", "PublishResult", "VerifyResult", "fetch_adapter", "publish", "pull", "verify"]
