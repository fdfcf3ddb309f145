"""A loopback HTTP server for the web tests: routes of canned responses on 127.0.0.1."""

from __future__ import annotations

import gzip
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Response:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    gzip: bool = False
    chunked: bool = False  # no Content-Length: the body is streamed in chunks
    drip_headers: float = 0.0  # seconds between header lines, sent without end


def nested_gzip(size: int, layers: int = 2) -> bytes:
    """``size`` zero bytes gzipped ``layers`` times, made in steps (never ``size`` in memory):
    512 MiB twice over is under 1 KB."""
    data = b""
    for layer in range(layers):
        packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        if layer == 0:
            block = bytes(1 << 20)
            parts = [packer.compress(block) for _ in range(size >> 20)]
            parts.append(packer.compress(bytes(size % (1 << 20))))
        else:
            parts = [packer.compress(data)]
        data = b"".join(parts) + packer.flush()
    return data


@dataclass
class Server:
    host: str
    port: int
    routes: dict[str, Response]
    requests: list[dict[str, str]]

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"


class QuietServer(ThreadingHTTPServer):
    """A client hanging up (at its size cap, at its deadline, or a test that is done) is
    expected: no traceback. Every test server here is one of these."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):  # reset, broken pipe, timed out
            return
        super().handle_error(request, client_address)


@contextmanager
def serve(routes: dict[str, Response]) -> Iterator[Server]:
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            response = routes.get(self.path.split("?")[0])
            if response is None:
                response = Response(b"<html><body>not here</body></html>", 404)
            if response.delay:
                time.sleep(response.delay)
            if response.drip_headers:
                with suppress(OSError):  # until the client gives up
                    self.wfile.write(f"HTTP/1.1 {response.status} OK\r\n".encode())
                    for number in range(10_000):
                        self.wfile.write(f"X-Drip-{number}: .\r\n".encode())
                        self.wfile.flush()
                        time.sleep(response.drip_headers)
                return
            body = gzip.compress(response.body) if response.gzip else response.body
            self.send_response(response.status)
            for key, value in response.headers.items():
                self.send_header(key, value)
            if response.gzip:
                self.send_header("Content-Encoding", "gzip")
            if response.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for start in range(0, len(body), 65536):
                        piece = body[start : start + 65536]
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading at its size cap
                return
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server("127.0.0.1", server.server_address[1], routes, seen)
    finally:
        server.shutdown()
        server.server_close()
