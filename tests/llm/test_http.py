"""The OpenAI-compatible HTTP client against real HTTP servers on 127.0.0.1.

``stub`` is an OpenAI-style chat-completions server in a thread: it records every request and
answers from a script, so each failure a real server can produce (refused, 500, 429, slow,
not JSON, redirects, huge or hostile answers) is reproduced over real sockets. ``other`` is a
second one, on another port: another origin. Nothing leaves the machine.
``tests/summarize/test_llm.py`` imports the stub for the summariser and command tests.
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from tests.web.server import QuietServer, nested_gzip
from translate_cli.config import Settings
from translate_cli.errors import ExitStatus, RuntimeFailure, UsageError
from translate_cli.llm import ChatMessage, clean_answer, make_client
from translate_cli.llm.http import (
    API_KEY_ENV,
    HTTPChatClient,
    chat_completions_url,
    mask_secret,
    safe_url,
)

MESSAGES: list[ChatMessage] = [{"role": "user", "content": "Ringkas: banjir di Jakarta."}]
SECRET = "sk-test-3f9a1c-secret"


# --- the stub server ------------------------------------------------------------------------
@dataclass
class Reply:
    status: int = 200
    body: bytes | dict[str, Any] | None = None  # None: a chat completion saying `content`
    content: str = "Ringkasan."
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hang_up: bool = False  # close the connection without answering
    no_length: bool = False  # no Content-Length: the body ends when the connection closes
    drip: float = 0.0  # seconds between the body's bytes
    drip_head: float = 0.0  # seconds between the bytes of the status line and headers
    drip_lines: float = 0.0  # seconds between header lines, sent without end


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    method: str = "POST"

    def user_prompt(self) -> str:
        return str(self.body["messages"][-1]["content"])


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
    }


class Stub:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script: list[Reply] = []  # consumed first, then `default` answers
        self.default: Callable[[Recorded], Reply] = lambda request: Reply()
        self.url = ""

    def next_reply(self, request: Recorded) -> Reply:
        self.requests.append(request)
        return self.script.pop(0) if self.script else self.default(request)


@contextlib.contextmanager
def serve() -> Iterator[Stub]:
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # only a client that followed a redirect sends one
            self.answer(Recorded(self.path, dict(self.headers.items()), {}, "GET"))

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.answer(Recorded(self.path, dict(self.headers.items()), json.loads(raw)))

        def answer(self, request: Recorded) -> None:
            reply = state.next_reply(request)
            time.sleep(reply.delay)
            if reply.hang_up:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            body = reply.body if reply.body is not None else completion(reply.content)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            if reply.drip_lines:
                with contextlib.suppress(OSError):  # until the client gives up
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    for number in range(10_000):
                        self.wfile.write(f"X-Drip-{number}: .\r\n".encode())
                        self.wfile.flush()
                        time.sleep(reply.drip_lines)
                return
            if reply.drip_head:
                head = (
                    f"HTTP/1.1 {reply.status} OK\r\nContent-Type: application/json\r\n"
                    f"X-Padding: {'.' * 40}\r\nContent-Length: {len(data)}\r\n\r\n"
                )
                with contextlib.suppress(OSError):
                    for byte in head.encode():
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.drip_head)
                    self.wfile.write(data)
                return
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json")
            if reply.no_length:
                self.close_connection = True
                self.send_header("Connection", "close")
            else:
                self.send_header("Content-Length", str(len(data)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            with contextlib.suppress(OSError):  # the client may have timed out and left
                if reply.drip:
                    for i in range(len(data)):
                        self.wfile.write(data[i : i + 1])
                        self.wfile.flush()
                        time.sleep(reply.drip)
                else:
                    self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = QuietServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False  # a deliberately slow handler must not hold up teardown
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def stub() -> Iterator[Stub]:
    with serve() as state:
        yield state


@pytest.fixture
def other() -> Iterator[Stub]:
    """A second server: another port is another origin."""
    with serve() as state:
        yield state


def clear_keys_and_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("OPENAI_API_KEY", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture(autouse=True)
def no_keys_or_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_keys_and_proxies(monkeypatch)


def client(url: str, **options: Any) -> tuple[HTTPChatClient, list[float]]:
    """A client whose backoff sleeps are recorded, not slept."""
    slept: list[float] = []
    options = {"timeout": 5.0, "retries": 2, "backoff": 0.01, **options}
    return HTTPChatClient(url, "stub-model", sleep=slept.append, **options), slept


def free_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def by_language(request: Recorded) -> Reply:
    prompt = request.user_prompt()
    return Reply(content="ABSTRAK-ID" if "Bahasa Indonesia" in prompt else "ABSTRACT-EN")


# --- over HTTP ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/v1/chat/completions"),
        ("http://h:11434/v1/", "http://h:11434/v1/chat/completions"),
        ("https://api.example/openai/v1", "https://api.example/openai/v1/chat/completions"),
        ("https://h/x/chat/completions", "https://h/x/chat/completions"),
    ],
)
def test_endpoint_from_url(url: str, endpoint: str) -> None:
    assert chat_completions_url(url) == endpoint


def test_bad_url_and_missing_model_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="http"):
        chat_completions_url("127.0.0.1:8080")
    with pytest.raises(UsageError, match="llm_model"):
        make_client("http://127.0.0.1:1", None)
    with pytest.raises(UsageError, match="llm_model"):
        make_client(None, None)


def test_api_key_is_sent_as_bearer_and_never_shown(
    stub: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_KEY_ENV, SECRET)
    assert client(stub.url)[0].complete(MESSAGES, max_tokens=8) == "Ringkasan."
    assert stub.requests[-1].headers["Authorization"] == f"Bearer {SECRET}"

    # A server that echoes the key in its error must not get it onto the terminal.
    echo = {"error": {"message": f"Incorrect API key provided: {SECRET}"}}
    stub.script = [Reply(status=401, body=echo)]
    with pytest.raises(RuntimeFailure) as caught:
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert "401" in caught.value.message
    assert "Incorrect API key" in caught.value.message
    assert SECRET not in caught.value.message
    assert SECRET not in repr(client(stub.url)[0])


def test_openai_key_is_the_fallback(stub: Stub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fallback")
    client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert stub.requests[-1].headers["Authorization"] == "Bearer sk-fallback"


def test_dead_port_fails_at_once_with_one_line() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    http, slept = client(f"http://127.0.0.1:{port}")
    with pytest.raises(RuntimeFailure, match="connection refused") as caught:
        http.complete(MESSAGES, max_tokens=8)
    assert caught.value.exit_status == ExitStatus.FAILURE
    assert "\n" not in caught.value.message
    assert slept == []


def test_500_is_retried_with_backoff_then_fails(stub: Stub) -> None:
    stub.default = lambda request: Reply(status=500, body={"error": {"message": "CUDA OOM"}})
    http, slept = client(stub.url, retries=2, backoff=0.01)
    failed = r"HTTP 500 Internal Server Error: CUDA OOM \(3 tries\)"
    with pytest.raises(RuntimeFailure, match=failed) as caught:
        http.complete(MESSAGES, max_tokens=8)
    assert caught.value.exit_status == ExitStatus.FAILURE
    assert len(stub.requests) == 3
    assert slept == [0.01, 0.02]


def test_429_then_success_honours_retry_after(stub: Stub) -> None:
    stub.script = [Reply(status=429, body={"error": "slow down"}, headers={"Retry-After": "0"})]
    http, slept = client(stub.url)
    assert http.complete(MESSAGES, max_tokens=8) == "Ringkasan."
    assert len(stub.requests) == 2
    assert slept == [0.0]


def test_retry_after_beyond_the_limit_fails_without_waiting(stub: Stub) -> None:
    stub.script = [Reply(status=503, headers={"Retry-After": "3600"}, body=b"busy")]
    http, slept = client(stub.url, max_wait=30)
    with pytest.raises(RuntimeFailure, match="asks to wait 3600 s"):
        http.complete(MESSAGES, max_tokens=8)
    assert slept == []


def test_dropped_connection_is_retried(stub: Stub) -> None:
    stub.script = [Reply(hang_up=True)]
    http, slept = client(stub.url)
    assert http.complete(MESSAGES, max_tokens=8) == "Ringkasan."
    assert len(stub.requests) == 2
    assert len(slept) == 1


def test_client_errors_are_not_retried(stub: Stub) -> None:
    stub.default = lambda request: Reply(status=404, body={"error": {"message": "model not found"}})
    failed = "HTTP 404 Not Found: model not found; is this an OpenAI"
    with pytest.raises(RuntimeFailure, match=failed):
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert len(stub.requests) == 1


def test_timeout_gives_a_one_line_error(stub: Stub) -> None:
    stub.default = lambda request: Reply(delay=1.0)
    http, _ = client(stub.url, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(RuntimeFailure, match=r"no answer within 0.2 s; raise llm_timeout"):
        http.complete(MESSAGES, max_tokens=8)
    assert time.monotonic() - started < 1.0
    assert len(stub.requests) == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>502 Bad Gateway</html>", "not JSON: <html>502 Bad Gateway</html>"),
        (b"", "not JSON: an empty body"),
        ({"object": "list", "data": []}, r"no chat completion \(no choices"),
        ({"error": {"message": "context too long"}}, "no chat completion: context too long"),
        (completion("   "), "empty answer"),
        (completion("<think>hmm</think>\n"), "empty answer"),
        (completion("<think>I should first list every"), "empty answer"),
    ],
)
def test_nonsense_answers_fail_with_one_line(
    stub: Stub, body: bytes | dict[str, Any], message: str
) -> None:
    stub.default = lambda request: Reply(body=body)
    with pytest.raises(RuntimeFailure, match=message) as caught:
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert caught.value.exit_status == ExitStatus.FAILURE
    assert "\n" not in caught.value.message


def test_answer_is_cleaned(stub: Stub) -> None:
    parts = [{"type": "text", "text": "Banjir "}, {"type": "text", "text": "surut."}]
    stub.script = [
        Reply(content="<think>plan the abstract</think>\n\n  Banjir surut.  "),
        Reply(body={"choices": [{"message": {"role": "assistant", "content": parts}}]}),
    ]
    http, _ = client(stub.url)
    assert http.complete(MESSAGES, max_tokens=8) == "Banjir surut."
    assert http.complete(MESSAGES, max_tokens=8) == "Banjir surut."


# --- hardening: the API key -------------------------------------------------------------------
@pytest.mark.parametrize("ending", ["\n", "\r", "\r\n", " \t"])
def test_key_from_a_file_is_stripped(
    stub: Stub, monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    # KEY=$(cat key.txt) on a file with Windows line ends keeps the "\r".
    monkeypatch.setenv(API_KEY_ENV, f" {SECRET}{ending}")
    assert client(stub.url)[0].complete(MESSAGES, max_tokens=8) == "Ringkasan."
    assert stub.requests[-1].headers["Authorization"] == f"Bearer {SECRET}"


def test_blank_key_falls_back_to_openai_key(stub: Stub, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(API_KEY_ENV, " \n")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-fallback\n")
    client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert stub.requests[-1].headers["Authorization"] == "Bearer sk-fallback"


@pytest.mark.parametrize(
    ("key", "what"),
    [
        ("sk-test\r\n3f9a1c-secret", "a control character"),
        ("sk-test\x7f3f9a1c-secret", "a control character"),
        ("sk-test\x1b[2J3f9a1c", "a control character"),
        ("sk-test 3f9a1c-secret", "a space"),
        ("sk-test\u20133f9a1c-secret", "a non-ASCII character"),
    ],
)
def test_key_that_cannot_be_a_header_is_a_usage_error_that_hides_it(
    monkeypatch: pytest.MonkeyPatch, key: str, what: str
) -> None:
    monkeypatch.setenv(API_KEY_ENV, key)
    with pytest.raises(UsageError) as caught:
        make_client("http://127.0.0.1:9", "m")
    message = caught.value.message
    assert caught.value.exit_status == ExitStatus.USAGE
    assert f"${API_KEY_ENV} holds {what}" in message
    assert "sk-test" not in message
    assert "3f9a1c" not in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "echo",
    [
        SECRET,
        SECRET.upper(),
        SECRET.lower().replace("sk-", "SK-"),
        SECRET[:8],  # cut short: a prefix ...
        SECRET[:13] + "...",
        "..." + SECRET[-8:],  # ... or the last 8 characters
        f"Bearer {SECRET}x",
    ],
)
def test_key_is_masked_however_the_server_echoes_it(
    stub: Stub, monkeypatch: pytest.MonkeyPatch, echo: str
) -> None:
    monkeypatch.setenv(API_KEY_ENV, SECRET)
    stub.script = [Reply(status=401, body={"error": {"message": f"bad key {echo} given"}})]
    with pytest.raises(RuntimeFailure) as caught:
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    message = caught.value.message
    assert "bad key" in message
    assert "***" in message
    folded = message.lower()
    for i in range(len(SECRET) - 7):
        assert SECRET[i : i + 8].lower() not in folded, message


def test_mask_secret() -> None:
    assert mask_secret("key abcdefghij here", "abcdefghij") == "key *** here"
    assert mask_secret("key ABCDEFGH and ...CDEFGHIJ", "abcdefghij") == "key *** and ...***"
    assert mask_secret("abcdefg is short", "abcdefghij") == "abcdefg is short"
    assert mask_secret("tiny key abc", "abc") == "tiny key ***"
    assert mask_secret("nothing", "") == "nothing"
    assert mask_secret("İstanbul ABCDEFGHIJ", "abcdefghij") == "İstanbul ***"


# --- hardening: redirects ---------------------------------------------------------------------
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_origin_is_an_error_and_gets_no_key(
    stub: Stub, other: Stub, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    monkeypatch.setenv(API_KEY_ENV, SECRET)
    other.default = lambda request: Reply(content="the other server's answer")
    target = f"{other.url}/v1/chat/completions?token=t0ps3cr3t"
    stub.default = lambda request: Reply(status=status, headers={"Location": target}, body=b"")
    with pytest.raises(RuntimeFailure) as caught:
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    message = caught.value.message
    assert f"redirected (HTTP {status}) to" in message
    assert f"{other.url}/v1/chat/completions" in message
    assert "t0ps3cr3t" not in message
    assert "point llm_url at the final address" in message
    assert "\n" not in message
    assert other.requests == []  # never contacted, so never saw the key
    assert len(stub.requests) == 1  # not retried either


@pytest.mark.parametrize("status", [301, 302, 303])
def test_post_redirected_within_the_origin_is_an_error_not_a_get(stub: Stub, status: int) -> None:
    stub.script = [Reply(status=status, headers={"Location": "/v2/chat/completions"}, body=b"")]
    with pytest.raises(RuntimeFailure, match=f"redirected \\(HTTP {status}\\) to {stub.url}/v2/"):
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert [r.method for r in stub.requests] == ["POST"]


@pytest.mark.parametrize("status", [307, 308])
def test_307_308_within_the_origin_are_followed_with_the_post(
    stub: Stub, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    monkeypatch.setenv(API_KEY_ENV, SECRET)
    stub.script = [
        Reply(status=status, headers={"Location": "/proxy/v1/chat/completions"}, body=b""),
        Reply(status=status, headers={"Location": f"{stub.url}/final"}, body=b""),
    ]
    assert client(stub.url)[0].complete(MESSAGES, max_tokens=8) == "Ringkasan."
    assert [r.path for r in stub.requests] == [
        "/v1/chat/completions",
        "/proxy/v1/chat/completions",
        "/final",
    ]
    for request in stub.requests:
        assert request.method == "POST"
        assert request.body["messages"] == MESSAGES
        assert request.headers["Authorization"] == f"Bearer {SECRET}"


def test_redirect_loop_ends(stub: Stub) -> None:
    stub.default = lambda request: Reply(status=307, headers={"Location": request.path}, body=b"")
    with pytest.raises(RuntimeFailure, match="redirected more than 3 times"):
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert len(stub.requests) == 4


def test_redirect_to_https_or_with_credentials_is_another_origin(stub: Stub) -> None:
    port = stub.url.rsplit(":", 1)[1]
    for location in (
        f"https://127.0.0.1:{port}/v1",
        f"http://u:pw@127.0.0.1:{port}/v1",
        "ftp://x",
        "http://[::1",
    ):
        stub.script = [Reply(status=307, headers={"Location": location}, body=b"")]
        with pytest.raises(RuntimeFailure, match="to another server") as caught:
            client(stub.url)[0].complete(MESSAGES, max_tokens=8)
        assert "pw" not in caught.value.message
    stub.script = [Reply(status=307, body=b"")]
    with pytest.raises(RuntimeFailure, match="HTTP 307 without a Location"):
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)


# --- hardening: URLs and timeouts ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:99999/v1", "http://127.0.0.1:99999/v1"),
        ("http://[::1", "http://[::1"),
        ("http://[::1/v1", "http://[::1/v1"),
        ("http://h:abc/v1", "http://h:abc/v1"),
        ("http://h:0/v1", "http://h:0/v1"),
        ("ftp://x", "ftp://x"),
        ("localhost:8080", "localhost:8080"),
        ("http://", "http://"),
        ("http://exa mple/v1", "http://exa mple/v1"),
        ("http://h/v1\x1b[2J", "http://h/v1 [2J"),
        ("http://user:hunter2@h:8080/v1", "http://h:8080/v1"),
        ("ftp://user:hunter2@h/v1?key=hunter2", "ftp://h/v1"),
        ("user:hunter2@h:8080", "h:8080"),
        ("http://user:hunter2@[::1/v1", "http://[::1/v1"),
    ],
)
def test_bad_llm_url_is_a_usage_error_naming_it_without_credentials(url: str, shown: str) -> None:
    with pytest.raises(UsageError) as caught:
        make_client(url, "m")
    message = caught.value.message
    assert caught.value.exit_status == ExitStatus.USAGE
    assert message.startswith("llm_url")
    assert shown in message
    assert "hunter2" not in message
    assert "\n" not in message
    assert "\x1b" not in message


def test_url_without_scheme_gets_a_hint() -> None:
    for url in ("localhost:8080", "127.0.0.1:8080/v1", "llm-box"):
        with pytest.raises(UsageError, match=f"did you mean http://{url}\\?"):
            chat_completions_url(url)
    with pytest.raises(UsageError) as caught:
        chat_completions_url("ftp:x")
    assert "did you mean" not in caught.value.message


def test_safe_url() -> None:
    assert (
        safe_url("https://u:p@h:1/v1/chat/completions?k=v#f") == "https://h:1/v1/chat/completions"
    )
    assert safe_url(" u@h ") == "h"
    assert safe_url("http://h/a@b") == "http://h/a@b"  # an @ in the path is no credential


@pytest.mark.parametrize("timeout", [math.nan, math.inf, -math.inf, 0.0, -1.0, 1e12])
def test_unusable_timeout_is_a_usage_error(timeout: float) -> None:
    # One check, in Settings, for the command line and the library alike.
    with pytest.raises(UsageError, match="llm_timeout"):
        Settings(llm_timeout=timeout)


def test_timeout_defaults_to_the_setting() -> None:
    assert HTTPChatClient("http://127.0.0.1:9", "m").timeout == Settings().llm_timeout
    assert HTTPChatClient("http://127.0.0.1:9", "m", timeout=0.5).timeout == 0.5


# --- hardening: huge and hostile answers ----------------------------------------------------------
def test_huge_answer_is_refused_in_one_line(stub: Stub) -> None:
    huge = json.dumps(completion("x" * (9 * 1024 * 1024))).encode()
    stub.default = lambda request: Reply(body=huge)
    with pytest.raises(RuntimeFailure, match="sent more than 8 MB") as caught:
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert "\n" not in caught.value.message


def test_answer_past_the_cap_without_content_length_is_cut_off(stub: Stub) -> None:
    body = json.dumps(completion("y" * 5000)).encode()
    stub.default = lambda request: Reply(body=body, no_length=True)
    http, _ = client(stub.url, max_response_bytes=1000)
    with pytest.raises(RuntimeFailure, match="sent more than 1000 bytes"):
        http.complete(MESSAGES, max_tokens=8)


@pytest.mark.parametrize("status", [200, 400])
def test_deeply_nested_json_is_one_line_not_a_recursion_error(stub: Stub, status: int) -> None:
    stub.default = lambda request: Reply(status=status, body=b"[" * 100_000)
    with pytest.raises(RuntimeFailure) as caught:
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    message = caught.value.message
    assert ("nested too deeply" in message) if status == 200 else ("HTTP 400" in message)
    assert "\n" not in message
    assert len(message) < 400


def test_control_characters_from_the_server_do_not_reach_the_terminal(stub: Stub) -> None:
    stub.script = [
        Reply(content="Banjir\x1b]0;pwned\x07 surut.\r\nAir\x9b2J turun."),
        Reply(status=400, body={"error": {"message": "bad\x1b[31m red\x00"}}),
    ]
    http, _ = client(stub.url)
    assert http.complete(MESSAGES, max_tokens=8) == "Banjir]0;pwned surut.\nAir2J turun."
    with pytest.raises(RuntimeFailure) as caught:
        http.complete(MESSAGES, max_tokens=8)
    assert "\x1b" not in caught.value.message
    assert "\x00" not in caught.value.message
    assert clean_answer("\tA\x07") == "A"


def test_headers_dripped_within_each_wait_still_time_out(stub: Stub) -> None:
    # Each byte comes well within the timeout; the whole answer does not: the deadline covers
    # connecting, the status line and headers, and the body together.
    stub.default = lambda request: Reply(drip_head=0.02)
    http, _ = client(stub.url, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(RuntimeFailure, match=r"no answer within 0.3 s"):
        http.complete(MESSAGES, max_tokens=8)
    assert time.monotonic() - started < 1.0


def test_header_lines_dripped_without_end_stop_at_the_timeout(stub: Stub) -> None:
    stub.default = lambda request: Reply(drip_lines=0.5)  # one header line every 0.5 s
    http, _ = client(stub.url, timeout=2.0)
    started = time.monotonic()
    with pytest.raises(RuntimeFailure, match=r"no answer within 2 s"):
        http.complete(MESSAGES, max_tokens=8)
    assert time.monotonic() - started < 5.0
    assert len(stub.requests) == 1


def test_llm_timeout_on_the_command_line_bounds_a_header_drip(
    stub: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import ARTICLE, invoke

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    stub.default = lambda request: Reply(drip_lines=0.5)
    started = time.monotonic()
    result = invoke(
        "summarize", "--no-translate", "--summarizer", "llm", "--llm-url", stub.url,
        "--llm-model", "m", "--llm-timeout", "2", input=ARTICLE,
    )  # fmt: skip
    assert time.monotonic() - started < 10.0  # each call at most 2 s, not the drip's hours
    assert result.exit_code != 0, result.stderr
    assert "no answer within 2 s" in result.stderr


def test_a_double_gzip_bomb_stops_at_the_answer_cap_as_it_is_decoded(stub: Stub) -> None:
    bomb = nested_gzip(512 << 20, layers=2)  # 512 MiB of zeros in under 1 KB
    stub.default = lambda request: Reply(body=bomb, headers={"Content-Encoding": "gzip, gzip"})
    tracemalloc.start()
    try:
        with pytest.raises(RuntimeFailure, match="sent more than 8 MB") as caught:
            client(stub.url)[0].complete(MESSAGES, max_tokens=8)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "\n" not in caught.value.message
    assert peak < 100 * 2**20  # the cap and a few steps, not the 512 MiB inside


def test_an_html_error_page_becomes_status_reason_and_a_short_excerpt(stub: Stub) -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>501 Not Implemented</title>"
        b"<style>body { font: 12px serif }</style></head><body>\n<center><h1>501 Not "
        b"Implemented</h1></center>\n<hr><center>nginx/1.25.3 \x1b]52;c;cHduZWQ=\x07&amp; "
        b"friends</center><script>document.write('x')</script>\n" + b"<p>filler</p>" * 400
    )
    stub.default = lambda request: Reply(status=501, body=page)
    with pytest.raises(RuntimeFailure) as caught:
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    message = caught.value.message
    where = f"LLM server {stub.url}/v1/chat/completions"
    assert message.startswith(
        f"{where} answered HTTP 501 Not Implemented: 501 Not Implemented nginx/1.25.3 ]52;c;"
    )
    assert "<" not in message and "font" not in message and "document" not in message
    assert "\x1b" not in message and "\x07" not in message and "\n" not in message
    assert len(message) <= len(where) + len(" answered HTTP 501 Not Implemented: ") + 120
    assert len(stub.requests) == 1  # 501: never retried


def test_a_server_on_this_machine_is_not_reached_through_a_proxy(
    stub: Stub, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead_proxy = free_port_url()
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(key, dead_proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert client(stub.url)[0].complete(MESSAGES, max_tokens=8) == "Ringkasan."


def test_client_kinds_come_from_the_registry() -> None:
    from translate_cli.llm import CLIENTS
    from translate_cli.llm.local import LocalTextGenerationClient

    assert CLIENTS.names() == ("http", "local")
    assert isinstance(make_client("http://127.0.0.1:9", "m"), HTTPChatClient)
    assert isinstance(make_client(None, "some/model"), LocalTextGenerationClient)
    with pytest.raises(UsageError, match="is not one of http, local"):
        CLIENTS.check("grpc")


def test_answer_dripped_just_within_the_timeout_still_times_out(stub: Stub) -> None:
    stub.default = lambda request: Reply(body=completion("Ringkasan."), drip=0.02)
    http, _ = client(stub.url, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(RuntimeFailure, match=r"no answer within 0.3 s"):
        http.complete(MESSAGES, max_tokens=8)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("status", [400, 413, 422])
def test_a_request_the_server_rejects_is_the_records_fault(stub: Stub, status: int) -> None:
    from translate_cli.llm.http import RequestRejected

    body = {"error": {"message": "maximum context length is 8192 tokens"}}
    stub.default = lambda request: Reply(status=status, body=body)
    with pytest.raises(RequestRejected, match=rf"HTTP {status}\b.*: maximum context") as caught:
        client(stub.url)[0].complete(MESSAGES, max_tokens=8)
    assert caught.value.exit_status == ExitStatus.BAD_INPUT  # this record's, not the run's
    assert len(stub.requests) == 1  # not retried
