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
def server_process(
    *args: str, ignoring_hangups: bool = False
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``translate-cli serve ARGS --port 0`` and its URL, read from its one start-up line
    (``ignoring_hangups``: started as ``nohup`` starts it)."""
    env = {**os.environ, "TRANSLATE_CLI_PLUGINS": PLUGINS}
    process = subprocess.Popen(
        [*CLI, "serve", "--port", "0", "--no-memory", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=(lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
        if ignoring_hangups
        else None,
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


@pytest.mark.parametrize(
    ("sent", "status"), [(signal.SIGTERM, 143), (getattr(signal, "SIGHUP", None), 129)]
)
def test_sigterm_and_sighup_finish_the_requests_in_flight_then_exit(
    sent: signal.Signals | None, status: int
) -> None:
    if sent is None:
        pytest.skip("no SIGHUP on this platform")
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
        process.send_signal(sent)
        asking.join(60)
        assert process.wait(60) == status
        assert [r.status_code for r in replies] == [200]
        assert replies[0].json() == {"translatedText": fake_translation("Masih diterjemahkan.")}
        assert process.stderr is not None
        assert process.stderr.read() == ""  # nothing more than the start-up line
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/health")


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this platform")
def test_under_nohup_a_hangup_is_ignored() -> None:
    with server_process("--engine", "fake", ignoring_hangups=True) as (process, url):
        process.send_signal(signal.SIGHUP)
        reply = httpx.post(f"{url}/translate", json={"q": "Halo.", "source": "id", "target": "en"})
        assert reply.json() == {"translatedText": fake_translation("Halo.")}
        assert process.poll() is None
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 143


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


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc")
def test_the_server_caps_malloc_arenas_unless_the_user_did(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from translate_cli.serve.server import limit_malloc_arenas

    try:
        os.confstr("CS_GNU_LIBC_VERSION")
    except ValueError:
        pytest.skip("not glibc")
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert limit_malloc_arenas()
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")  # glibc read the user's: leave it
    assert not limit_malloc_arenas()
