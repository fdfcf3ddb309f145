"""``translate-cli serve`` as a process: starting, refusing to start, stopping on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.doubles import fake_translation
from tests.helpers import invoke
from tests.serve.helpers import wait_for

CLI = [sys.executable, "-m", "translate_cli"]
PLUGINS = "tests.fake_engine_plugin,tests.serve.slow_engine_plugin"


@contextmanager
def server_process(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``translate-cli serve ARGS --port 0`` and its URL, read from its one start-up line."""
    env = {**os.environ, "TRANSLATE_CLI_PLUGINS": PLUGINS}
    process = subprocess.Popen(
        [*CLI, "serve", "--port", "0", "--no-memory", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        found = re.search(r"on (http://127\.0\.0\.1:\d+) ", line)
        assert found, line + process.stderr.read()
        yield process, found.group(1)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def test_sigterm_finishes_the_requests_in_flight_then_exits_143() -> None:
    with server_process("--engine", "slow") as (process, url):
        replies: list[httpx.Response] = []

        def ask() -> None:
            replies.append(
                httpx.post(
                    f"{url}/translate",
                    data={"q": "Masih diterjemahkan.", "source": "id", "target": "en"},
                    timeout=60,
                )
            )

        asking = threading.Thread(target=ask)
        asking.start()
        wait_for(url, lambda health: health["in_flight"] == 1)
        process.send_signal(signal.SIGTERM)
        asking.join(60)
        assert process.wait(60) == 143
        assert [r.status_code for r in replies] == [200]
        assert replies[0].json() == {"translatedText": fake_translation("Masih diterjemahkan.")}
        assert process.stderr is not None
        assert process.stderr.read() == ""  # nothing more than the start-up line
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/health")


def test_a_served_request_through_the_real_command() -> None:
    with server_process("--engine", "fake") as (process, url):
        reply = httpx.post(f"{url}/translate", json={"q": "Halo.", "source": "id", "target": "en"})
        assert reply.json() == {"translatedText": fake_translation("Halo.")}
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 143


def test_an_open_address_without_a_key_does_not_start() -> None:
    result = invoke("serve", "--engine", "fake", "--host", "0.0.0.0")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "translate-cli: error: --host 0.0.0.0 can be reached from other machines: an API key "
        "is required",
        "translate-cli: give --api-key, --api-keys-file or TRANSLATE_CLI_API_KEY, or bind "
        "127.0.0.1",
    ]


def test_a_port_in_use_is_one_line_before_the_model_loads() -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = invoke("serve", "--engine", "fake", "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"translate-cli: error: cannot listen on 127.0.0.1:{port}: ")


def test_without_the_serve_extra_one_line_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if not installed
    result = invoke("serve", "--engine", "fake")
    assert result.exit_code == 2
    assert result.stderr == (
        "translate-cli: error: serve needs starlette and uvicorn (missing: uvicorn); install "
        "them with: pip install 'translate-cli[serve]'\n"
    )


def test_help_never_imports_the_web_stack() -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['translate-cli', 'serve', '--help']\n"
        "try:\n    runpy.run_module('translate_cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', [m for m in ('starlette', 'uvicorn', 'multipart', 'lxml')"
        " if m in sys.modules], file=sys.stderr)\n"
    )
    result: Any = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert "LOADED []" in result.stderr, result.stderr
    assert "--api-key" in result.stdout
