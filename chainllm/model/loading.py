"""Loading API other stages use: causal LMs (generation) and sequence classifiers (fraud)."""

from __future__ import annotations

import contextlib
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chainllm.errors import BadInputError
from chainllm.model.bases import DEFAULT_BASE, check_no_pickles, resolve_base
from chainllm.model.lora import LoraSettings, peft_lora_config

_DTYPES = {"fp32": "float32", "float32": "float32", "bf16": "bfloat16", "bfloat16": "bfloat16",
           "fp16": "float16", "float16": "float16"}  # fmt: skip


def _torch_dtype(dtype: Any) -> Any:
    import torch

    if dtype is None:
        return torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    if str(dtype) not in _DTYPES:
        raise BadInputError(f"dtype {dtype!r} is not one of {', '.join(sorted(set(_DTYPES)))}")
    return getattr(torch, _DTYPES[str(dtype)])


def load_tokenizer(folder: Path) -> Any:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(folder)
    if tok.pad_token is None:
        # Llama tokenizers ship without a pad token; eos is the conventional stand-in.
        tok.pad_token = tok.eos_token
    return tok


def check_adapter_folder(adapter: Path, *, allow_pickle: bool = False) -> None:
    if not adapter.is_dir() or not (adapter / "adapter_config.json").is_file():
        raise BadInputError(
            f"adapter {adapter} is not a LoRA adapter folder (no adapter_config.json)",
            hint="pass the --out folder of `chainllm train generator`",
        )
    check_no_pickles(adapter, "adapter folder", allow_pickle=allow_pickle)
    if not (adapter / "adapter_model.safetensors").is_file() and not allow_pickle:
        raise BadInputError(f"adapter {adapter} has no adapter_model.safetensors")


def adapter_base_dir(adapter: Path, base: str | None, *, allow_pickle: bool = False) -> Path:
    """The base folder an adapter belongs on. A ``tiny`` adapter needs the exact tiny build it
    was trained with (its tokenizer is trained on that corpus), found by the recorded key."""
    name = base or adapter_base(adapter)
    if name == "tiny":
        recorded = adapter / "training_config.json"
        key = json.loads(recorded.read_text()).get("base", {}).get("text_key") if recorded.is_file() else None
        if key:
            from chainllm.model.bases import MARKER, models_dir

            folder = models_dir() / f"tiny-{key}"
            if not (folder / MARKER).is_file():
                raise BadInputError(
                    f"adapter {adapter} was trained on a tiny base (key {key}) that is not in the cache",
                    hint="run `chainllm eval lm --corpus` with its training corpus to rebuild it",
                )
            return folder
    return resolve_base(name, allow_pickle=allow_pickle)


def adapter_base(adapter: Path) -> str:
    """The base model name an adapter was trained on (chainllm records the name it was given)."""
    cfg = json.loads((adapter / "adapter_config.json").read_text())
    return str(cfg.get("base_model_name_or_path") or DEFAULT_BASE)


def load_causal_lm(
    base: str | None = None,
    adapter: Path | None = None,
    *,
    dtype: Any = None,
    allow_pickle: bool = False,
    device: str = "cpu",
    trainable: bool = False,
    quantization: Any = None,
) -> tuple[Any, Any]:
    """Return ``(model, tokenizer)``: the base (built-in name, local folder, or hub id when
    online), with a LoRA adapter folder applied when given. ``base=None`` takes the adapter's
    recorded base, else the bundled default. Eval mode unless ``trainable``."""
    from transformers import AutoModelForCausalLM

    if adapter is not None:
        adapter = Path(adapter)
        check_adapter_folder(adapter, allow_pickle=allow_pickle)
        folder = adapter_base_dir(adapter, base, allow_pickle=allow_pickle)
    else:
        folder = resolve_base(base or DEFAULT_BASE, allow_pickle=allow_pickle)
    kwargs: dict[str, Any] = {"dtype": _torch_dtype(dtype), "use_safetensors": not allow_pickle}
    if quantization is not None:
        kwargs["quantization_config"] = quantization
        kwargs["device_map"] = {"": 0}
    model: Any = AutoModelForCausalLM.from_pretrained(folder, **kwargs)
    tokenizer = load_tokenizer(folder)
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    if quantization is None and device != "cpu":
        model.to(device)
    if adapter is not None:
        from peft import PeftModel

        with quiet_peft():
            model = PeftModel.from_pretrained(model, adapter, is_trainable=trainable)
    if not trainable:
        model.eval()
    return model, tokenizer


@contextlib.contextmanager
def quiet_peft() -> Iterator[None]:
    """Silence two library warnings users cannot act on: transformers' deprecation inside
    peft, and peft noting that our built-in base name resolves to a cache folder."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*deprecated")
        warnings.filterwarnings("ignore", message=".*base_model_name_or_path.*was renamed")
        yield


def load_seq_classifier(
    base: str | None = None,
    *,
    num_labels: int = 2,
    adapter: Path | None = None,
    lora: LoraSettings | None = None,
    dtype: Any = None,
    allow_pickle: bool = False,
    trainable: bool = True,
) -> tuple[Any, Any]:
    """A LlamaForSequenceClassification with LoRA (task SEQ_CLS). The new ``score`` head is
    trained in full and saved with the adapter via ``modules_to_save``.

    With ``adapter`` the saved adapter (and head) is loaded; otherwise a fresh LoRA is attached
    with ``lora`` settings (default r=16 on attention projections).
    """
    from peft import PeftModel, get_peft_model
    from transformers import AutoModelForSequenceClassification

    if adapter is not None:
        adapter = Path(adapter)
        check_adapter_folder(adapter, allow_pickle=allow_pickle)
        folder = adapter_base_dir(adapter, base, allow_pickle=allow_pickle)
    else:
        folder = resolve_base(base or DEFAULT_BASE, allow_pickle=allow_pickle)
    tokenizer = load_tokenizer(folder)
    model = AutoModelForSequenceClassification.from_pretrained(
        folder, num_labels=num_labels, dtype=_torch_dtype(dtype), use_safetensors=not allow_pickle
    )
    # Classification pools the last non-pad token, so the model must know the pad id.
    model.config.pad_token_id = tokenizer.pad_token_id
    if adapter is not None:
        with quiet_peft():
            model = PeftModel.from_pretrained(model, adapter, is_trainable=trainable)
    else:
        cfg = peft_lora_config(
            lora or LoraSettings(targets="attn"),
            model.config.model_type,
            task="SEQ_CLS",
            modules_to_save=["score"],
        )
        cfg.base_model_name_or_path = base or DEFAULT_BASE
        with quiet_peft():
            model = get_peft_model(model, cfg)
    if not trainable:
        model.eval()
    return model, tokenizer
