"""chainllm: smart-contract and fraud analysis for Ethereum."""

__version__ = "0.1.0"
