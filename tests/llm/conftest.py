"""Shared fixtures of the LLM tests: personas, a manual clock, the loopback OpenAI wire server,
the embedded model (loaded once per session) and llama.cpp's own server (started once)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest

from personae.domain import Persona
from personae.llm.backends.embedded import EmbeddedBackend, packaged_model_path
from personae.llm.backends.openai_compat import OpenAICompatibleBackend
from personae.llm.clock import ManualClock
from personae.llm.fault_server import OpenAIWireServer

PRICED_MODEL = "gpt-4o-mini"


@pytest.fixture
def king() -> Persona:
    return Persona(
        id="king",
        name="King Aldric",
        description="A king leading his army to war, with no time for small talk.",
        status=10,
        topics={"military_strategy": 95, "politics": 80, "grain_prices": 10},
        exit_lines={"urgent": ["I must attend to my troops."]},
    )


@pytest.fixture
def mara() -> Persona:
    return Persona(
        id="mara",
        name="Mara",
        description="Runs the Prancing Pony; hears everything, repeats most of it.",
        topics={"gossip": 85, "local_news": 90},
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def wire() -> AsyncIterator[OpenAIWireServer]:
    server = OpenAIWireServer(hang_s=2.0)
    await server.start()
    yield server
    await server.stop()


WireBackend = Callable[..., OpenAICompatibleBackend]


@pytest.fixture
def wire_backend(wire: OpenAIWireServer) -> WireBackend:
    """Backends talking to the wire server; short timeouts so faults cost little real time."""

    def make(model: str = PRICED_MODEL, **options: object) -> OpenAICompatibleBackend:
        settings: dict[str, object] = {
            "base_url": wire.base_url,
            "model": model,
            "kind": "http",
            "timeout_s": 0.5,
            "stream_idle_timeout_s": 0.3,
        }
        settings.update(options)
        return OpenAICompatibleBackend(**settings)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="session")
def embedded() -> EmbeddedBackend:
    return EmbeddedBackend()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def llama_server() -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on loopback, serving the embedded model."""
    port = _free_port()
    model = packaged_model_path()
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        "smollm2",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_threads",
        "1",
        "--n_ctx",
        "2048",
    ]
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"llama-server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base_url}/models", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start within 60 s")
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
