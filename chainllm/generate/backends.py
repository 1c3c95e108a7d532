"""Text backends: none (template), a local transformers model, an OpenAI-compatible server.

Every backend answers the same call: chat messages in, ``n`` completions out. What the text
is worth is decided later by extraction, the compiler and Slither, never by the backend.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from chainllm.errors import BadInputError, ServiceError, ToolchainError

Message = dict[str, str]  # {"role": "system"|"user"|"assistant", "content": ...}


@dataclass(frozen=True)
class Sampling:
    n: int = 1
    max_tokens: int = 256
    temperature: float = 0.7
    stop: tuple[str, ...] = ()
    seed: int = 0
    # Text the answer must start with. Local models get it forced (appended to the prompt and
    # returned with the answer), so a small model writes Solidity instead of another language;
    # remote servers get it only as part of the instructions.
    prefix: str = ""


class Backend(Protocol):
    name: str  # "template" | "local" | "openai"
    writes_code: bool

    def describe(self) -> str: ...

    def complete(
        self, messages: list[Message], sampling: Sampling, *, request: str | None = None
    ) -> list[str]:
        """``request`` is the short task text, for adapters trained on a fixed prompt style."""
        ...


CLOSE = "\n}\n"  # a stop that ends a top-level function: its closing brace is kept


def _truncate(text: str, stop: tuple[str, ...]) -> str:
    hits = [(i, s) for s in stop if (i := text.find(s)) >= 0]
    if not hits:
        return text
    i, s = min(hits)
    return text[: i + 2] if s == CLOSE else text[:i]


@dataclass
class TemplateBackend:
    """No model: the composer alone. Requests with custom functions come back partial."""

    name: str = "template"
    writes_code: bool = False

    def describe(self) -> str:
        return "template (OpenZeppelin composer, no model)"

    def complete(
        self, messages: list[Message], sampling: Sampling, *, request: str | None = None
    ) -> list[str]:
        return []


@dataclass
class LocalBackend:
    """A causal LM through transformers (base model + optional LoRA adapter), loaded lazily.

    ``model``/``tokenizer`` may be passed in (tests build a tiny random Llama); otherwise
    ``chainllm.model.load_causal_lm`` loads the named base (default: the bundled SmolLM2-135M).
    """

    base: str = "smollm2-135m"
    adapter: Path | None = None
    model: Any = None
    tokenizer: Any = None
    max_input_tokens: int = 1536
    threads: int | None = None  # torch intra-op threads; None: default_threads()
    name: str = "local"
    writes_code: bool = True
    load_seconds: float = 0.0

    def describe(self) -> str:
        return f"local ({self.base}{' + ' + str(self.adapter) if self.adapter else ''}, {self.threads or default_threads()} thread(s))"

    def _ensure(self) -> None:
        if self.model is not None and self.tokenizer is not None:
            return
        try:
            from chainllm.model import load_causal_lm  # type: ignore[attr-defined,unused-ignore]
        except ImportError as exc:
            raise ToolchainError(
                f"local backend: cannot load model {self.base!r} ({exc})",
                hint="use --backend template, or --backend openai with a served model",
            ) from None
        if self.adapter is not None and not Path(self.adapter).is_dir():
            raise BadInputError(
                f"{self.adapter}: adapter folder not found",
                hint="pass the folder holding adapter_config.json",
            )
        started = time.perf_counter()
        self._set_threads()
        self.model, self.tokenizer = load_causal_lm(self.base, adapter=self.adapter)
        self.load_seconds = time.perf_counter() - started

    def _set_threads(self) -> None:
        import torch

        torch.set_num_threads(self.threads or default_threads())

    def _prompt_ids(self, messages: list[Message]) -> Any:
        tok = self.tokenizer
        if getattr(tok, "chat_template", None):
            ids = tok.apply_chat_template(
                messages, add_generation_prompt=True, return_tensors="pt", return_dict=False
            )
            if not hasattr(ids, "shape"):  # some tokenizers return a BatchEncoding/dict
                ids = ids["input_ids"]
        else:
            text = "\n\n".join(f"{m['role'].upper()}: {m['content']}" for m in messages) + "\n\nASSISTANT:"
            ids = tok(text, return_tensors="pt")["input_ids"]
        return ids[:, -self.max_input_tokens :]

    def _with_prefix(self, ids: Any, prefix: str) -> Any:
        import torch

        if not prefix:
            return ids
        extra = self.tokenizer(prefix, add_special_tokens=False, return_tensors="pt")["input_ids"]
        return torch.cat([ids, extra], dim=1)

    def complete(
        self, messages: list[Message], sampling: Sampling, *, request: str | None = None
    ) -> list[str]:
        import torch

        self._ensure()
        self._set_threads()  # also for a model passed in ready-made
        if self.adapter is not None and request is not None:
            # A chainllm adapter was trained on "### Request: ... ### Solidity:" prompts.
            from chainllm.model import PromptStyle

            text = PromptStyle.load(Path(self.adapter)).prompt(request)
            ids = self.tokenizer(text, return_tensors="pt")["input_ids"][:, -self.max_input_tokens :]
        else:
            ids = self._prompt_ids(messages)
        ids = self._with_prefix(ids, sampling.prefix)
        torch.manual_seed(sampling.seed)
        kwargs: dict[str, Any] = {
            "max_new_tokens": sampling.max_tokens,
            "num_return_sequences": sampling.n,
            "pad_token_id": self.tokenizer.pad_token_id
            if self.tokenizer.pad_token_id is not None
            else self.tokenizer.eos_token_id,
        }
        if sampling.stop:  # stop early instead of spending CPU on text that is cut anyway
            kwargs["stopping_criteria"] = [_stop_on_text(self.tokenizer, ids.shape[1], sampling.stop)]
        if sampling.temperature > 0:
            kwargs.update(do_sample=True, temperature=sampling.temperature, top_p=0.95)
        else:
            kwargs.update(do_sample=False)
        with torch.inference_mode():
            out = self.model.generate(ids, attention_mask=torch.ones_like(ids), **kwargs)
        texts = [self.tokenizer.decode(seq[ids.shape[1] :], skip_special_tokens=True) for seq in out]
        return [sampling.prefix + _truncate(t, sampling.stop) for t in texts]


def default_threads() -> int:
    """Half the cores, at most 4: a 135M model's small matmuls gain little from more threads,
    and on a busy 2-core machine 1 thread measured 3x faster than 2 (no oversubscription)."""
    return max(1, min(4, (os.cpu_count() or 1) // 2))


def _stop_on_text(tokenizer: Any, start: int, stops: tuple[str, ...]) -> Any:
    """Stops each sequence once its recent text holds a stop string. Decoding a short tail
    works with any tokenizer (transformers' ``stop_strings`` needs token-level substrings)."""
    import torch
    from transformers import StoppingCriteria

    class StopOnText(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            tails = [
                tokenizer.decode(seq[max(start, seq.shape[0] - 16) :], skip_special_tokens=True)
                for seq in input_ids
            ]
            return torch.tensor(
                [any(x in t for x in stops) for t in tails], dtype=torch.bool, device=input_ids.device
            )

    return StopOnText()


def _api_key() -> str | None:
    return os.environ.get("CHAINLLM_OPENAI_API_KEY") or os.environ.get("OPENAI_API_KEY")


@dataclass
class OpenAIBackend:
    """Any server speaking the OpenAI chat/completions API: vLLM (with LoRA adapters served as
    model names), Ollama, llama.cpp server, TGI. The key comes from the environment only."""

    base_url: str
    model: str
    timeout: float = 120.0
    retries: int = 1
    name: str = "openai"
    writes_code: bool = True
    _use_completions: bool = field(default=False, repr=False)
    _client: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        url = self.base_url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise BadInputError(
                f"--base-url {self.base_url!r} is not an http(s) URL", hint="e.g. http://127.0.0.1:8000/v1"
            )
        if not url.endswith("/v1"):
            url += "/v1"
        self.base_url = url
        if not self.model:
            raise BadInputError(
                "--model is required with --backend openai",
                hint="the name the server serves, e.g. the LoRA adapter's name in vLLM",
            )

    def describe(self) -> str:
        return f"openai ({self.model} at {self.base_url})"

    def _post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        import httpx

        headers = {"Content-Type": "application/json"}
        key = _api_key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        url = self.base_url + path
        if self._client is None:  # one client: building an SSL context per request costs ~0.3 s
            self._client = httpx.Client(timeout=self.timeout)
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            try:
                resp = self._client.post(url, json=payload, headers=headers)
            except httpx.TimeoutException:
                last = ServiceError(
                    f"backend {url} did not answer within {self.timeout:.0f} s",
                    hint="check the server or raise --timeout",
                )
                continue
            except httpx.HTTPError as exc:
                raise ServiceError(
                    f"backend unreachable at {url}: {type(exc).__name__}",
                    hint="start the server (vLLM, Ollama, llama.cpp, TGI) or fix --base-url",
                ) from None
            if resp.status_code in (401, 403):
                raise ServiceError(
                    f"backend {url} refused the request (HTTP {resp.status_code})",
                    hint="set CHAINLLM_OPENAI_API_KEY",
                )
            if resp.status_code == 404:
                raise _NotFound(url)
            if resp.status_code >= 500 or resp.status_code == 429:
                last = ServiceError(f"backend {url} answered HTTP {resp.status_code}: {resp.text[:120]!r}")
                time.sleep(0.2 * (attempt + 1))
                continue
            if resp.status_code != 200:
                raise ServiceError(f"backend {url} answered HTTP {resp.status_code}: {resp.text[:160]!r}")
            try:
                data = resp.json()
            except ValueError:
                raise ServiceError(
                    f"backend {url} answered something that is not JSON: {resp.text[:80]!r}"
                ) from None
            if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
                raise ServiceError(
                    f"backend {url} answered JSON without 'choices'",
                    hint="is it an OpenAI-compatible server?",
                )
            return data
        assert last is not None
        raise last

    def complete(
        self, messages: list[Message], sampling: Sampling, *, request: str | None = None
    ) -> list[str]:
        out: list[str] = []
        # Some servers (llama.cpp, Ollama) ignore n > 1: ask again until we have n answers.
        for _ in range(sampling.n):
            want = sampling.n - len(out)
            if want <= 0:
                break
            out += self._once(messages, sampling, want)
        return [_truncate(t, sampling.stop) for t in out[: sampling.n]]

    def _once(self, messages: list[Message], sampling: Sampling, n: int) -> list[str]:
        common: dict[str, Any] = {
            "model": self.model,
            "n": n,
            "max_tokens": sampling.max_tokens,
            "temperature": sampling.temperature,
            "seed": sampling.seed,
        }
        remote_stop = [x for x in sampling.stop if x != CLOSE]  # servers drop the stop text itself
        if remote_stop:
            common["stop"] = remote_stop[:4]  # the API allows at most 4
        if not self._use_completions:
            try:
                data = self._post("/chat/completions", {**common, "messages": messages})
                return [str((c.get("message") or {}).get("content") or "") for c in data["choices"]]
            except _NotFound:
                self._use_completions = True  # e.g. a base-model server with no chat template
        prompt = "\n\n".join(m["content"] for m in messages) + "\n\n"
        try:
            data = self._post("/completions", {**common, "prompt": prompt})
        except _NotFound as nf:
            raise ServiceError(
                f"backend {nf.url} not found (HTTP 404)", hint="is --base-url an OpenAI-compatible server?"
            ) from None
        return [str(c.get("text") or "") for c in data["choices"]]


class _NotFound(Exception):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def resolve_adapter(ref: str | None) -> Path | None:
    """``--adapter`` value: a local folder, or a published CID / NAME[@VERSION] that the
    provenance stage pulls and verifies (hashes, on-chain record) before it is loaded."""
    if not ref:
        return None
    folder = Path(ref).expanduser()
    if folder.is_dir():
        return folder
    try:
        from chainllm.provenance.adapters import fetch_adapter
    except ImportError:
        raise BadInputError(
            f"--adapter {ref}: no such folder", hint="pass the folder holding adapter_config.json"
        ) from None
    if "/" in ref or ref.startswith("."):
        raise BadInputError(f"--adapter {ref}: no such folder", hint="pass a folder, a CID or NAME[@VERSION]")
    return fetch_adapter(ref)


def make_backend(
    kind: str,
    *,
    base: str = "smollm2-135m",
    adapter: Path | None = None,
    base_url: str | None = None,
    model: str | None = None,
    timeout: float = 120.0,
    threads: int | None = None,
) -> Backend:
    if threads is not None and threads < 1:
        raise BadInputError(f"--threads {threads} must be at least 1")
    if kind == "template":
        return TemplateBackend()
    if kind == "local":
        return LocalBackend(base=base, adapter=adapter, threads=threads)
    if kind == "openai":
        url = base_url or os.environ.get("CHAINLLM_OPENAI_BASE_URL") or os.environ.get("OPENAI_BASE_URL")
        if not url:
            raise BadInputError(
                "--base-url is required with --backend openai",
                hint="e.g. --base-url http://127.0.0.1:8000/v1",
            )
        return OpenAIBackend(base_url=url, model=model or "", timeout=timeout)
    raise BadInputError(f"--backend {kind!r} is unknown", hint="choose template, local or openai")
