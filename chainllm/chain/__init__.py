"""Talking to Ethereum nodes: web3 construction, contract deployment, the scenario simulator.

Importing this package stays cheap (no web3): the crawler uses its URL helpers.
"""

from chainllm.chain.connect import make_web3
from chainllm.chain.deploy import deploy

__all__ = ["deploy", "make_web3"]
