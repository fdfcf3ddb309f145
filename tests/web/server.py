"""A loopback HTTP server for the web tests: routes of canned responses on 127.0.0.1."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Response:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    gzip: bool = False
    chunked: bool = False  # no Content-Length: the body is streamed in chunks


@dataclass
class Server:
    host: str
    port: int
    routes: dict[str, Response]
    requests: list[dict[str, str]]

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"


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

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server("127.0.0.1", server.server_address[1], routes, seen)
    finally:
        server.shutdown()
        server.server_close()
