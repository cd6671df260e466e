"""A small loopback server speaking the OpenAI chat-completions wire protocol, with faults.

Used by the tests and the benchmark, and handy to try a config offline, to cause what a real
provider does on a bad day: 429 with Retry-After, 500, a hang past the client's timeout, a
truncated body, invalid JSON, a dropped connection, a stream that stalls, a 401.

Each request to /v1/chat/completions gets the next fault of `script` if one is queued, else a
fault drawn with probability `fault_rate` from `faults` by a generator seeded with the request's
content and how often that content was seen: a run gets the same faults whatever order
concurrent requests arrive in, and a retried request may succeed. Plain asyncio streams,
HTTP/1.1 with keep-alive; streams close the connection at their end.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import random
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

FAULTS = ("429", "500", "timeout", "truncated", "invalid_json", "drop")
STREAM_FAULTS = ("429", "500", "stall", "drop")


@dataclass
class Seen:
    """What the server received: one entry per chat-completion request."""

    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.bodies)


class OpenAIWireServer:
    def __init__(
        self,
        *,
        fault_rate: float = 0.0,
        faults: Sequence[str] = FAULTS,
        stream_faults: Sequence[str] = STREAM_FAULTS,
        latency_s: float = 0.0,
        hang_s: float = 3.0,
        retry_after: str = "2",
        model: str = "wire-model",
        seed: int = 0,
    ) -> None:
        self.fault_rate = fault_rate
        self.faults = tuple(faults)
        self.stream_faults = tuple(stream_faults)
        self.latency_s = latency_s
        self.hang_s = hang_s
        self.retry_after = retry_after
        self.model = model
        self.seed = seed
        self.script: deque[str] = deque()
        self.seen = Seen()
        self._times_seen: Counter[str] = Counter()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self, port: int = 0) -> OpenAIWireServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port, backlog=4096)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)

    async def __aenter__(self) -> OpenAIWireServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # Connection handling -----------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # `stop` cancels hanging connections; end quietly, as asyncio's server expects of a
            # handler that finished (a cancelled handler is logged as an error).
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        if method != "POST" or not path.endswith("/chat/completions"):
            await self._send(writer, 404, {"error": {"message": "not found"}})
            return True
        request = json.loads(body)
        fault = self._fault_for(request)
        self.seen.bodies.append(request)
        self.seen.headers.append(headers)
        self.seen.faults.append(fault)
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        return await self._answer(writer, request, fault)

    def _fault_for(self, request: dict[str, Any]) -> str:
        if self.script:
            return self.script.popleft()
        key = json.dumps(request.get("messages"), sort_keys=True)
        self._times_seen[key] += 1
        digest = hashlib.sha256(f"{self.seed}|{key}|{self._times_seen[key]}".encode()).digest()
        rng = random.Random(digest)
        if rng.random() >= self.fault_rate:
            return "ok"
        return rng.choice(self.stream_faults if request.get("stream") else self.faults)

    # Answers -----------------------------------------------------------------------------

    async def _answer(
        self, writer: asyncio.StreamWriter, request: dict[str, Any], fault: str
    ) -> bool:
        if fault == "429":
            await self._send(
                writer,
                429,
                {"error": {"message": "rate limited", "type": "rate_limit"}},
                {"retry-after": self.retry_after},
            )
            return True
        if fault in ("500", "401", "400"):
            await self._send(writer, int(fault), {"error": {"message": f"fault {fault}"}})
            return True
        if fault == "timeout":
            await asyncio.sleep(self.hang_s)
            return False
        if fault == "drop":
            return False
        if fault == "truncated":
            payload = json.dumps(self._completion(request)).encode()
            head = self._head(200, len(payload), {"content-type": "application/json"})
            writer.write(head + payload[: len(payload) // 2])
            await writer.drain()
            return False
        if fault == "invalid_json":
            payload = b'{"id": "x", "choices": [{"message": {"content": "half'
            writer.write(
                self._head(200, len(payload), {"content-type": "application/json"}) + payload
            )
            await writer.drain()
            return True
        if request.get("stream"):
            await self._stream(writer, request, stall=fault == "stall")
            return False
        await self._send(writer, 200, self._completion(request))
        return True

    def _reply_text(self, request: dict[str, Any]) -> str:
        if request.get("response_format"):
            return json.dumps({"summary": "All is well.", "facts": ["The wire works."]})
        last = request["messages"][-1]["content"]
        return f"Reply {len(self.seen.bodies)} to: {last[:40]}"

    def _completion(self, request: dict[str, Any]) -> dict[str, Any]:
        text = self._reply_text(request)
        return {
            "id": f"chatcmpl-{len(self.seen.bodies)}",
            "object": "chat.completion",
            "created": 0,
            "model": request.get("model", self.model),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": 20,
                "completion_tokens": len(text.split()),
                "total_tokens": 20 + len(text.split()),
            },
        }

    async def _stream(
        self, writer: asyncio.StreamWriter, request: dict[str, Any], stall: bool
    ) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
        )
        words = self._reply_text(request).split(" ")
        model = request.get("model", self.model)
        for i, word in enumerate(words):
            delta = {"content": word if i == 0 else " " + word}
            chunk = {
                "id": "chatcmpl-s",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
            }
            writer.write(f"data: {json.dumps(chunk)}\n\n".encode())
            await writer.drain()
            if stall and i == 1:
                await asyncio.sleep(self.hang_s)
                return
        final = {
            "id": "chatcmpl-s",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {
                "prompt_tokens": 20,
                "completion_tokens": len(words),
                "total_tokens": 20 + len(words),
            },
        }
        writer.write(f"data: {json.dumps(final)}\n\ndata: [DONE]\n\n".encode())
        await writer.drain()

    @staticmethod
    def _head(status: int, length: int, headers: dict[str, str]) -> bytes:
        lines = [f"HTTP/1.1 {status} X", f"content-length: {length}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    async def _send(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> None:
        payload = json.dumps(body).encode()
        all_headers = {"content-type": "application/json", **(headers or {})}
        writer.write(self._head(status, len(payload), all_headers) + payload)
        await writer.drain()


async def serve_forever(port: int, latency_s: float, fault_rate: float) -> None:
    server = await OpenAIWireServer(latency_s=latency_s, fault_rate=fault_rate).start(port)
    print(f"listening on {server.base_url}", flush=True)
    await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m personae.llm.fault_server --port 8099 --latency 0.5 --fault-rate 0.3`"""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of faulty answers")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(args.port, args.latency, args.fault_rate))


if __name__ == "__main__":
    main()
