"""A local stand-in for an OpenAI-compatible server (vLLM, Ollama, llama.cpp, TGI).

Answers POST /v1/chat/completions and /v1/completions in the documented response shape; the
test decides what each request gets through a ``responder`` function.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.standin_http import serve_http

# (status, JSON body or raw bytes, seconds to wait before answering)
Reply = tuple[int, Any, float]
Responder = Callable[[str, dict[str, Any]], Reply]


def chat_reply(*contents: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "stand-in",
        "choices": [
            {"index": i, "message": {"role": "assistant", "content": c}, "finish_reason": "stop"}
            for i, c in enumerate(contents)
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def completion_reply(*texts: str) -> dict[str, Any]:
    return {
        "id": "cmpl-1",
        "object": "text_completion",
        "created": 0,
        "model": "stand-in",
        "choices": [{"index": i, "text": t, "finish_reason": "stop"} for i, t in enumerate(texts)],
    }


@dataclass
class StandIn:
    responder: Responder
    requests: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    url: str = ""


def serve(responder: Responder) -> Iterator[StandIn]:
    state = StandIn(responder)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append((self.path, body, dict(self.headers)))
            status, payload, delay = state.responder(self.path, body)
            if delay:
                time.sleep(delay)
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

    with serve_http(Handler) as url:
        state.url = f"{url}/v1"
        yield state


def last_user_message(body: dict[str, Any]) -> str:
    msgs = body.get("messages") or []
    return str(msgs[-1]["content"]) if msgs else str(body.get("prompt", ""))
