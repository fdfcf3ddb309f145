"""The loopback test server itself: a client hanging up early is not an error worth printing."""

from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

from tests.web.server import Response, serve


def _handlers_running() -> bool:
    return any("process_request_thread" in thread.name for thread in threading.enumerate())


def test_a_client_hanging_up_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    with serve({"/page": Response(b"x" * 60_000)}) as server:
        with socket.create_connection((server.host, server.port)) as client:
            client.sendall(b"GET /page HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            client.recv(100)  # then hang up with the rest unread, as a client at its size cap
            time.sleep(0.2)  # let the server finish writing and wait for the next request
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        deadline = time.monotonic() + 10
        while _handlers_running() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert not _handlers_running()
    assert capfd.readouterr().err == ""
