"""Labelled transactions and addresses: the dataset schema (``schema``), simulated label sets
written by ``chainllm simulate`` and imported real-world lists (``importer``)."""
