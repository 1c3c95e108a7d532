"""Crawlers: Solidity sources for the corpus (``sources``/``npm``/``local``/``etherscan``/``sourcify``)
and chain data (``txs``). Modules are imported on demand; this package imports nothing."""
