"""The one JSON error shape. Under ``--json`` (or ``audit --format json``) every failure prints

    {"success": false, "error": {"code": "bad_input", "message": "...", "hint": "..." | null}}

on stdout, plus the usual one-line ``error: ...`` on stderr, and exits non-zero. ``code`` is
the error's class (``bad_input``, ``service``, ``verification``, ``toolchain``, ``compilation``,
``analysis``, ``import_outside_roots``, ``compiler_not_found``, ``interrupted`` (Ctrl-C, exit 130), ``disk_full``, ``usage`` for a bad command
line, ``error`` for anything else). A command may add its own fields to the failure object
(``audit``: ``results``; ``generate``: ``status``, ``path``, ``compiled``) with
``add_failure_fields``; the three above are always there and always mean the same thing.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Sequence
from typing import Any

import click

from chainllm.errors import ChainLLMError

ARGV_KEY = "chainllm.argv"
EXTRA_KEY = "chainllm.json_failure_fields"


class Interrupted(ChainLLMError):
    """Ctrl-C (reported as code ``interrupted``, exit 130)."""


class DiskFullError(ChainLLMError):
    """No space left (ENOSPC), a quota (EDQUOT) or a file size limit (EFBIG) while writing."""


def disk_full(exc: OSError) -> DiskFullError | None:
    """``exc`` as a one-line DiskFullError, or None when it is some other OSError."""
    if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return None
    where = f" writing {exc.filename}" if exc.filename else ""
    return DiskFullError(
        f"{os.strerror(exc.errno).lower() if exc.filename else exc.strerror or exc}{where}",
        hint="free some space or write to another folder, then rerun: files are written whole or not at all, "
        "and a rerun resumes",
    )


def wants_json(argv: Sequence[str]) -> bool:
    """Whether a command line asks for JSON on stdout (``--json``, ``--format json``)."""
    args = list(argv)
    if "--" in args:
        args = args[: args.index("--")]
    for i, arg in enumerate(args):
        if arg == "--json" or arg == "--format=json":
            return True
        if arg == "--format" and i + 1 < len(args) and args[i + 1] == "json":
            return True
    return False


def error_code(exc: BaseException) -> str:
    """``BadInputError`` -> ``bad_input``; click's usage errors -> ``usage``."""
    if isinstance(exc, click.UsageError):
        return "usage"
    if not isinstance(exc, ChainLLMError) or type(exc) is ChainLLMError:
        return "error"
    name = type(exc).__name__.removesuffix("Error")
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def add_failure_fields(**fields: Any) -> None:
    """Extra fields a command's JSON failure object carries (call it before the work starts)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta.setdefault(EXTRA_KEY, {}).update(fields)


def failure_payload(exc: BaseException, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    if isinstance(exc, ChainLLMError):
        message, hint = exc.message, exc.hint
    elif isinstance(exc, click.ClickException):
        message, hint = exc.format_message(), None
    else:
        message, hint = str(exc), None
    payload: dict[str, Any] = dict(extra or {})
    payload.update({"success": False, "error": {"code": error_code(exc), "message": message, "hint": hint}})
    return payload


def print_failure(ctx: click.Context, exc: BaseException) -> None:
    """The JSON failure object on stdout (the stderr line is printed by the caller)."""
    click.echo(json.dumps(failure_payload(exc, ctx.meta.get(EXTRA_KEY)), indent=2, sort_keys=True))
