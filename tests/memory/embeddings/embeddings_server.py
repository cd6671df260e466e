"""A small HTTP server on 127.0.0.1 speaking OpenAI's embeddings wire format, for the faults and
answers a real server cannot be made to give on demand."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def toy_vector(text: str) -> list[float]:
    """3 dimensions a test can predict: length, vowel count, 1 (deliberately not unit length)."""
    return [float(len(text)), float(sum(ch in "aeiou" for ch in text)), 1.0]


@dataclass
class EmbeddingsServer:
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)
    status: int = 200
    reverse_order: bool = False
    width: int | None = None
    """When set, every vector is cut or padded to this many dimensions."""

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.status != 200:
            return self.status, {
                "error": {"message": f"model {body.get('model')} not found", "type": "invalid"}
            }
        inputs = body["input"]
        data = []
        for index, text in enumerate(inputs):
            vector = toy_vector(text)
            if self.width is not None:
                vector = (vector + [0.5] * self.width)[: self.width]
            data.append({"object": "embedding", "index": index, "embedding": vector})
        if self.reverse_order:
            data.reverse()
        tokens = sum(len(text.split()) for text in inputs)
        return 200, {
            "object": "list",
            "data": data,
            "model": body["model"],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }


@contextmanager
def embeddings_server() -> Iterator[EmbeddingsServer]:
    state = EmbeddingsServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            state.paths.append(self.path)
            state.requests.append(body)
            state.authorizations.append(self.headers.get("Authorization"))
            status, answer = state.answer(body)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
