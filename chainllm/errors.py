"""One error root. The library raises these; only ``chainllm.cli`` turns them into exit codes.

Each error carries a one-line message that names the input and, where there is one, the fix.
Subclasses also inherit the matching builtin so callers can catch ``ValueError`` etc.
"""

from __future__ import annotations


class ChainLLMError(Exception):
    """Root of every error chainllm raises on purpose."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class BadInputError(ChainLLMError, ValueError):
    """A path, hash, option or file the user gave cannot be used."""


class ToolchainError(ChainLLMError, RuntimeError):
    """A required external tool (solc, node, slither, anvil, IPFS) is missing or broken."""


class CompilerNotFoundError(ToolchainError):
    """No available compiler satisfies a pragma."""


class CompilationError(ChainLLMError):
    """Solidity did not compile; ``diagnostics`` holds solc's own messages."""


class ImportOutsideRootsError(BadInputError):
    """An import resolved outside the allowed roots (absolute path, ../ escape, symlink)."""


class AnalysisError(ChainLLMError, RuntimeError):
    """Slither (or another analyser) crashed or timed out on one input."""


class ServiceError(ChainLLMError, RuntimeError):
    """A local or remote service (RPC, IPFS) is unreachable or answered garbage."""


class VerificationError(ChainLLMError):
    """Content did not match its recorded hash, CID or on-chain record."""

    exit_code = 1
