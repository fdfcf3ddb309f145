"""A server in a thread over a chosen engine (the fake one, or one that waits for a gate)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import httpx

from tests.doubles import FakeTranslator
from translate_cli.config import Settings
from translate_cli.engines.base import ProgressCallback, Translation
from translate_cli.serve.options import Limits, ServeOptions
from translate_cli.serve.server import listen, uvicorn_server
from translate_cli.serve.service import Service

SETTINGS = Settings(engine="fake", no_memory=True)


class GatedEngine(FakeTranslator):
    """The fake engine, each call waiting for ``gate`` (set by default) before its first
    output; ``entered`` is set when a call starts."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.entered = threading.Event()

    def translate_with_evidence(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Translation]:
        def gated() -> Iterator[str]:
            self.entered.set()
            assert self.gate.wait(30)
            yield from texts

        return super().translate_with_evidence(gated(), progress)

    def seen(self) -> list[str]:
        return [text for batch in self.batches for text in batch]


class SlowEngine(FakeTranslator):
    """The fake engine taking ``seconds`` a call, as a model's decode does (whatever the
    batch's size, roughly, on a GPU or for a few sentences on a CPU)."""

    def __init__(self, seconds: float = 0.05) -> None:
        super().__init__()
        self.seconds = seconds

    def translate_with_evidence(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Translation]:
        time.sleep(self.seconds)
        return super().translate_with_evidence(texts, progress)


@contextmanager
def serving(
    engine: Any | None = None, *, settings: Settings = SETTINGS, **options: Any
) -> Iterator[tuple[str, Service]]:
    """A running server (its base URL and service); ``options`` are ``ServeOptions``' fields,
    ``Limits``' fields among them."""
    limit_names = set(Limits.__dataclass_fields__)
    limits = replace(Limits(), **{k: v for k, v in options.items() if k in limit_names})
    rest = {k: v for k, v in options.items() if k not in limit_names}
    served = ServeOptions(port=0, limits=limits, **rest)
    service = Service(settings, served, engine if engine is not None else GatedEngine())
    sock = listen("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = uvicorn_server(service)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server never started"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", service
    finally:
        server.should_exit = True
        thread.join(30)
        service.close()


def wait_for(url: str, condition: Any, timeout: float = 30) -> dict[str, Any]:
    """Poll ``/health`` until ``condition(health)`` holds; the last health."""
    deadline = time.monotonic() + timeout
    while True:
        health: dict[str, Any] = httpx.get(f"{url}/health").json()
        if condition(health):
            return health
        assert time.monotonic() < deadline, health
        time.sleep(0.02)
