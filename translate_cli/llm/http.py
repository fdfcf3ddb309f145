"""An OpenAI-compatible chat-completions server over stdlib HTTP.

Every failure is one ``TranslateCliError`` line: a bad ``--llm-url`` or API key is a
``UsageError`` when the client is built; anything the server does wrong is a ``RuntimeFailure``.

Safety rules, each with a test in ``tests/test_llm_http.py``:

- The API key comes from the environment, stripped of surrounding whitespace; a key with a
  space, control or non-ASCII character inside is refused without being shown. The key is
  masked (``***``) in every message, also when the server echoes it changed in case or cut
  short (any 8 characters of it in a row).
- Redirects are never followed blindly: a 301/302/303 to a POST is an error (urllib would turn
  it into a GET and carry the ``Authorization`` header along), a 307/308 is followed, with the
  same POST body, only within the same origin (scheme, host and port) and at most
  ``MAX_REDIRECTS`` times; to another origin it is an error and the key stays here.
- At most ``MAX_RESPONSE_BYTES`` of an answer are read, and JSON nested too deep to parse is
  an error, not a ``RecursionError``.
- URLs in messages carry neither credentials nor a query string (either may hold a key).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import re
import socket
import ssl
import string
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import IO, Any

from translate_cli.errors import RuntimeFailure, TranslateCliError, UsageError
from translate_cli.llm import ChatMessage, check_timeout, clean_answer, one_line

API_KEY_ENV = "TRANSLATE_CLI_LLM_API_KEY"
FALLBACK_API_KEY_ENV = "OPENAI_API_KEY"
USER_AGENT = "translate-cli"
# A chat completion is a few kilobytes; anything near this is not one.
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
# 307/308 hops followed within the server's origin.
MAX_REDIRECTS = 3
# The shortest run of the key's characters that is masked wherever it appears.
MASK_WINDOW = 8

# Status codes worth another try: rate limiting and transient server trouble. 501/505 say
# the server will never do it, so they fail at once like any other 4xx.
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 522, 524, 529})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_KEEP_METHOD = frozenset({307, 308})  # the others turn a POST into a GET
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CHUNK = 64 * 1024
_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # keeps every length
_UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]")


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class _Redirected(Exception):
    def __init__(self, status: int, location: str | None) -> None:
        super().__init__(status)
        self.status = status
        self.location = location


# --- URLs -------------------------------------------------------------------------------------
def safe_url(url: str) -> str:
    """``url`` fit for a message, whatever its shape (even unparseable): no ``user:password@``,
    no query string or fragment, no control characters."""
    text = re.split(r"[?#]", url.strip(), maxsplit=1)[0]
    marker = text.find("//")
    start = marker + 2 if marker != -1 else 0
    slash = text.find("/", start)
    end = slash if slash != -1 else len(text)
    authority = text[start:end]
    if "@" in authority:
        text = text[:start] + authority.rpartition("@")[2] + text[end:]
    return one_line(text)


def chat_completions_url(url: str) -> str:
    """The chat-completions endpoint for a server's base URL, ``.../v1`` or the full URL.

    Anything that is not a usable http(s) URL without credentials is a ``UsageError``.
    """
    text = url.strip()
    shown = safe_url(text)
    if _UNSAFE_IN_URL.search(text):
        raise UsageError(f"llm_url {shown!r}: spaces or control characters in the URL")
    try:
        parts = urllib.parse.urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError as exc:  # "Port out of range 0-65535", "Invalid IPv6 URL", ...
        raise UsageError(f"llm_url {shown}: not a valid URL ({one_line(exc)})") from None
    if parts.scheme not in ("http", "https") or not host:
        # "localhost:8080" parses as scheme "localhost"; "127.0.0.1:8080" as a bare path.
        bare = not parts.scheme or parts.path.partition("/")[0].isdigit()
        hint = f"; did you mean http://{shown}?" if bare and "//" not in text else ""
        raise UsageError(f"llm_url must be an http:// or https:// URL, not {shown!r}{hint}")
    if port == 0:
        raise UsageError(f"llm_url {shown}: port 0 is not a port a server listens on")
    if "@" in parts.netloc:
        raise UsageError(
            f"llm_url {shown}: user or password in the URL is not supported; "
            f"put the API key in ${API_KEY_ENV}"
        )
    path = parts.path.rstrip("/")
    if not path.endswith("/chat/completions"):
        path += "/chat/completions" if path.endswith("/v1") else "/v1/chat/completions"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _origin(url: str) -> tuple[str, str, int] | None:
    """Scheme, host and port of an http(s) URL without credentials; None for anything else."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or "@" in parts.netloc:
        return None
    return parts.scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[parts.scheme]


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- the API key ------------------------------------------------------------------------------
def read_api_key(names: Sequence[str] = (API_KEY_ENV, FALLBACK_API_KEY_ENV)) -> str:
    """The first of ``names`` set in the environment to something non-blank, stripped; ``""``
    when none is. A key that could not go into a header is a ``UsageError`` that names the
    variable, never the key."""
    for name in names:
        key = os.environ.get(name, "").strip()
        if not key:
            continue
        for char in key:
            if "!" <= char <= "~":
                continue
            if char == " ":
                what = "a space"
            elif char.isascii() or "\x80" <= char <= "\x9f":
                what = "a control character"
            else:
                what = "a non-ASCII character"
            raise UsageError(
                f"the API key in ${name} holds {what}; "
                "keys are printable ASCII: check how the variable was set"
            )
        return key
    return ""


def mask_secret(message: str, secret: str, *, window: int = MASK_WINDOW) -> str:
    """``message`` with every run of ``window`` or more of ``secret``'s characters in a row
    (in any letter case) replaced by ``***``; a shorter secret is masked whole."""
    if not secret:
        return message
    text = message.translate(_FOLD)
    key = secret.translate(_FOLD)
    size = min(window, len(key))
    hidden = [False] * len(text)
    for i in range(len(key) - size + 1):
        piece = key[i : i + size]
        at = text.find(piece)
        while at != -1:
            hidden[at : at + size] = [True] * size
            at = text.find(piece, at + 1)
    out: list[str] = []
    for i, char in enumerate(message):
        if not hidden[i]:
            out.append(char)
        elif i == 0 or not hidden[i - 1]:
            out.append("***")
    return "".join(out)


# --- the client -------------------------------------------------------------------------------
class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Every 3xx comes back as an ``HTTPError``; ``HTTPChatClient`` decides what to follow.

    (Declining in ``redirect_request`` is too late: urllib parses ``Location`` before, and a
    bad one would raise a bare ``ValueError``.)
    """

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Message,
    ) -> None:
        return None

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class HTTPChatClient:
    """An OpenAI-compatible ``/v1/chat/completions`` server.

    ``retries`` more tries follow a 429, a retryable 5xx or a dropped connection, waiting
    ``backoff * 2**n`` seconds (at most ``max_wait``) or what ``Retry-After`` asks. A refused
    connection or a timeout fails at once: the server is down or the model too slow, and
    trying again would only make the user wait longer for the same message. ``timeout``
    bounds each wait on the socket, and reading the answer once it has started.
    """

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key_env: str = API_KEY_ENV,
        timeout: float = 120.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        temperature: float | None = 0.2,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = chat_completions_url(url)
        self.model = model
        self.timeout = check_timeout(timeout)
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.temperature = temperature
        self.max_response_bytes = max_response_bytes
        self._sleep = sleep
        self._where = safe_url(self.endpoint)
        self._origin = _origin(self.endpoint)
        self._api_key = read_api_key((api_key_env, FALLBACK_API_KEY_ENV))
        host = urllib.parse.urlsplit(self.endpoint).hostname
        # A server on this machine is never behind the user's HTTP proxy.
        proxies = urllib.request.ProxyHandler({} if _is_loopback(host) else None)
        self._opener = urllib.request.build_opener(proxies, _NoRedirects)

    @property
    def name(self) -> str:
        return self.model

    def __repr__(self) -> str:  # the key must not leak through a debug print either
        return f"HTTPChatClient({self._where!r}, {self.model!r})"

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> str:
        try:
            return self._complete(messages, max_tokens)
        except TranslateCliError as exc:
            # The one exit for messages: whatever a server echoed, the key does not get out.
            hint = self._redact(exc.hint) if exc.hint else None
            raise type(exc)(self._redact(exc.message), hint=hint) from None

    def _complete(self, messages: Sequence[ChatMessage], max_tokens: int) -> str:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": list(messages),
            "max_tokens": max_tokens,
            "stream": False,
        }
        if self.temperature is not None:
            payload["temperature"] = self.temperature
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        attempt = 0
        while True:
            try:
                raw = self._post(body)
            except _Retryable as exc:
                wait = exc.retry_after
                if wait is None:
                    wait = min(self.max_wait, self.backoff * 2**attempt)
                elif wait > self.max_wait:
                    raise RuntimeFailure(
                        f"{exc.message}; the server asks to wait {wait:.0f} s"
                    ) from None
                if attempt >= self.retries:
                    tries = f"{attempt + 1} tries" if attempt else "1 try"
                    raise RuntimeFailure(f"{exc.message} ({tries})") from None
                self._sleep(wait)
                attempt += 1
                continue
            return self._answer(raw)

    def _post(self, body: bytes) -> bytes:
        """The answer's body, following 307/308 within the origin."""
        url = self.endpoint
        for _ in range(MAX_REDIRECTS + 1):
            try:
                return self._post_once(url, body)
            except _Redirected as redirect:
                url = self._follow(url, redirect)
        raise RuntimeFailure(
            f"LLM server {self._where} redirected more than {MAX_REDIRECTS} times; "
            "point llm_url at the final address"
        )

    def _follow(self, url: str, redirect: _Redirected) -> str:
        """Where a redirect from ``url`` may be followed to, or the ``RuntimeFailure``."""
        where = safe_url(url)
        status = redirect.status
        if not redirect.location:
            raise RuntimeFailure(f"LLM server {where} answered HTTP {status} without a Location")
        try:
            target = urllib.parse.urljoin(url, redirect.location.strip())
        except ValueError:  # "http://[::1": no address to follow, nor an origin to compare
            target = redirect.location
        shown = safe_url(target)
        if status not in _KEEP_METHOD:
            raise RuntimeFailure(
                f"LLM server {where} redirected (HTTP {status}) to {shown}, "
                "which would drop the request; point llm_url at the final address"
            )
        if _origin(target) is None or _origin(target) != self._origin:
            raise RuntimeFailure(
                f"LLM server {where} redirected (HTTP {status}) to another server, {shown}, "
                "which is not followed so as not to hand it the request and key; "
                "point llm_url at the final address"
            )
        return target

    def _post_once(self, url: str, body: bytes) -> bytes:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        where = safe_url(url)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return self._read(response, where)
        except urllib.error.HTTPError as exc:
            status = exc.code
            if status in _REDIRECT_STATUSES:
                exc.close()
                raise _Redirected(status, exc.headers.get("Location")) from None
            detail = self._error_detail(exc)
            message = f"LLM server {where} answered HTTP {status}{detail}"
            if status in _RETRY_STATUSES:
                raise _Retryable(message, _retry_after(exc.headers.get("Retry-After"))) from None
            if status in (401, 403):
                message += f"; check the API key in ${API_KEY_ENV}"
            elif status == 404:
                message += "; is this an OpenAI-compatible server, and is the model name right?"
            raise RuntimeFailure(message) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ConnectionRefusedError):
                raise RuntimeFailure(
                    f"cannot connect to LLM server {where}: connection refused; is it running?"
                ) from None
            if isinstance(reason, TimeoutError):
                raise RuntimeFailure(self._timeout_message(where)) from None
            if isinstance(reason, socket.gaierror):
                raise RuntimeFailure(
                    f"cannot connect to LLM server {where}: unknown host"
                ) from None
            if isinstance(reason, (ConnectionResetError, ConnectionAbortedError)):
                raise _Retryable(f"LLM server {where} dropped the connection") from None
            if isinstance(reason, ssl.SSLError):
                raise RuntimeFailure(
                    f"TLS with LLM server {where} failed: {one_line(reason)}"
                ) from None
            raise RuntimeFailure(
                f"cannot connect to LLM server {where}: {one_line(reason)}"
            ) from None
        except TimeoutError:
            raise RuntimeFailure(self._timeout_message(where)) from None
        except (ConnectionResetError, ConnectionAbortedError, http.client.IncompleteRead):
            # Includes RemoteDisconnected: a server restarting or a proxy cutting us off.
            raise _Retryable(f"LLM server {where} dropped the connection") from None
        except http.client.HTTPException as exc:
            raise RuntimeFailure(
                f"LLM server {where} did not answer in HTTP: {one_line(exc)[:200]}"
            ) from None
        except OSError as exc:
            raise RuntimeFailure(
                f"cannot connect to LLM server {where}: {one_line(exc)[:200]}"
            ) from None

    def _read(self, response: http.client.HTTPResponse, where: str) -> bytes:
        """The body, at most ``max_response_bytes`` of it, read within ``timeout``."""
        cap = self.max_response_bytes
        too_big = (
            f"LLM server {where} sent more than {_size(cap)}, which is no chat completion; not read"
        )
        length = response.headers.get("Content-Length", "").strip()
        if length.isdigit() and int(length) > cap:
            raise RuntimeFailure(too_big)
        deadline = time.monotonic() + self.timeout
        chunks: list[bytes] = []
        total = 0
        while chunk := response.read1(_CHUNK):
            total += len(chunk)
            if total > cap:
                raise RuntimeFailure(too_big)
            if time.monotonic() > deadline:  # a server dripping bytes just within the timeout
                raise RuntimeFailure(self._timeout_message(where))
            chunks.append(chunk)
        return b"".join(chunks)

    def _answer(self, raw: bytes) -> str:
        where = self._where
        try:
            data = json.loads(raw)
        except RecursionError:
            raise RuntimeFailure(
                f"LLM server {where} answered JSON nested too deeply to be a chat completion"
            ) from None
        except ValueError:
            snippet = one_line(raw[:200].decode("utf-8", "replace")) or "an empty body"
            raise RuntimeFailure(
                f"LLM server {where} answered something that is not JSON: {snippet}"
            ) from None
        content = _chat_content(data)
        if content is None:
            error = _server_error(data)
            why = f": {error[:200]}" if error else " (no choices[0].message.content)"
            raise RuntimeFailure(f"LLM server {where} sent no chat completion{why}") from None
        answer = clean_answer(content)
        if not answer:
            raise RuntimeFailure(f"LLM server {where} returned an empty answer (or only reasoning)")
        return answer

    def _timeout_message(self, where: str) -> str:
        return (
            f"LLM server {where} sent no answer within {self.timeout:g} s; "
            "raise llm_timeout if the model is just slow"
        )

    def _error_detail(self, exc: urllib.error.HTTPError) -> str:
        try:
            raw = exc.read(4096)
        except (OSError, http.client.HTTPException):
            return ""
        text = raw.decode("utf-8", "replace")
        try:
            error = _server_error(json.loads(text))
        except (ValueError, RecursionError):
            error = text
        error = one_line(error)[:200]
        return f": {error}" if error else ""

    def _redact(self, message: str) -> str:
        """``message`` with the API key masked, in case a server echoes it back."""
        return mask_secret(message, self._api_key)


def _size(count: int) -> str:
    mib = count / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{count} bytes"


def _chat_content(data: object) -> str | None:
    """``choices[0].message.content`` of an OpenAI chat completion, or None if not one."""
    if not isinstance(data, dict):
        return None
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message")
    if not isinstance(message, dict):
        return None
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}, ...]
        texts = [p.get("text") for p in content if isinstance(p, dict)]
        return "".join(t for t in texts if isinstance(t, str))
    return None


def _server_error(data: object) -> str:
    """The message of an OpenAI-style error body (``{"error": {"message": ...}}`` and kin)."""
    if not isinstance(data, dict):
        return ""
    error = data.get("error", data.get("detail", data.get("message")))
    if isinstance(error, dict):
        error = error.get("message")
    return one_line(error) if isinstance(error, str) else ""


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
