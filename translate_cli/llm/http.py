"""An OpenAI-compatible chat-completions server, over the network layer,
``translate_cli.web.network`` (httpx): its deadline, size cap, redirect and credential rules.

Every failure is one ``TranslateCliError`` line: a bad ``--llm-url`` or API key is a
``UsageError`` when the client is built; anything the server does wrong is a ``RuntimeFailure``,
but a request refused for what it holds (400, 413, 422) is ``RequestRejected``, exit 4.

Safety rules, each with a test in ``tests/llm/test_http.py``:

- The API key comes from the environment, stripped of surrounding whitespace; a key with a
  space, control or non-ASCII character inside is refused without being shown. The key is
  masked (``***``) in every message, also when the server echoes it changed in case or cut
  short (any 8 characters of it in a row).
- Redirects are never followed blindly: a 301/302/303 to a POST is an error (it would turn into
  a GET without the request), a 307/308 is followed, with the same POST body, only within the
  same origin (scheme, host and port) and at most ``MAX_REDIRECTS`` times; to another origin it
  is an error and neither the request nor the key leaves.
- ``timeout`` bounds each try as a whole (connecting, redirects, waiting, reading); at most
  ``MAX_RESPONSE_BYTES`` of an answer are read, and JSON nested too deep to parse is an error,
  not a ``RecursionError``.
- URLs in messages carry neither credentials nor a query string (either may hold a key).
- An error status is one line: the status, its reason and the server's JSON error message, or
  a short excerpt of the text of an error page (tags, scripts and control characters removed).
"""

from __future__ import annotations

import json
import os
import re
import string
import time
import urllib.parse
from collections.abc import Callable, Sequence
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from translate_cli.config import Settings
from translate_cli.errors import InputError, RuntimeFailure, TranslateCliError, UsageError
from translate_cli.humanize import format_size
from translate_cli.llm.base import ChatMessage, clean_answer, one_line
from translate_cli.web.network import Limits, NetworkError, Reply, Trouble, exchange, safe_url

if TYPE_CHECKING:
    import httpx

__all__ = [
    "API_KEY_ENV",
    "FALLBACK_API_KEY_ENV",
    "MAX_REDIRECTS",
    "MAX_RESPONSE_BYTES",
    "HTTPChatClient",
    "RequestRejected",
    "chat_completions_url",
    "mask_secret",
    "read_api_key",
    "safe_url",
]

API_KEY_ENV = "TRANSLATE_CLI_LLM_API_KEY"
FALLBACK_API_KEY_ENV = "OPENAI_API_KEY"
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
# The server is up and refuses this request for what it holds (too long for the model's
# context, too large, not processable): another document may well pass. Any other 4xx (401,
# 403, 404, ...) would refuse every request alike.
_REJECTED_STATUSES = frozenset({400, 413, 422})
_FOLD = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # keeps every length
_UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]")
_FINAL = "point llm_url at the final address"
_TIMEOUT = (
    "LLM server {where} sent no answer within {timeout} s; "
    "raise llm_timeout if the model is just slow"
)
# How each network trouble reads; any other is "cannot connect to LLM server URL: REASON".
_FAILURES = {
    Trouble.REFUSED: "cannot connect to LLM server {where}: connection refused; is it running?",
    Trouble.DNS: "cannot connect to LLM server {where}: unknown host",
    Trouble.PROTOCOL: "LLM server {where} did not answer in HTTP: {reason}",
    Trouble.NO_ANSWER: _TIMEOUT,
    Trouble.NOT_COMPLETE: _TIMEOUT,
    Trouble.TOO_LARGE: "LLM server {where} sent more than {size}, which is no chat completion; "
    "not read",
    Trouble.TOO_MANY_REDIRECTS: "LLM server {first} redirected more than {redirects} times; "
    + _FINAL,
    Trouble.REDIRECT_CHANGES_REQUEST: "LLM server {where} redirected (HTTP {status}) to "
    "{target}, which would drop the request; " + _FINAL,
    Trouble.REDIRECT_TO_OTHER_ORIGIN: "LLM server {where} redirected (HTTP {status}) to another "
    "server, {target}, which is not followed so as not to hand it the request and key; " + _FINAL,
}


class RequestRejected(InputError, RuntimeFailure):
    """The server refused this request for its content (HTTP 400, 413, 422): a failure of the
    server's (a ``RuntimeFailure``) that is this document's, exit 4 like unusable input; in a
    batch, that record's error, and the others go on. A server that is down or refuses every
    request stays a plain ``RuntimeFailure``, exit 1, and stops the run."""


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


# --- URLs -------------------------------------------------------------------------------------
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
class HTTPChatClient:
    """An OpenAI-compatible ``/v1/chat/completions`` server.

    ``retries`` more tries follow a 429, a retryable 5xx or a dropped connection, waiting
    ``backoff * 2**n`` seconds (at most ``max_wait``) or what ``Retry-After`` asks. A refused
    connection or a timeout fails at once: the server is down or the model too slow, and
    trying again would only make the user wait longer for the same message. ``timeout``
    (default ``Settings.llm_timeout``) bounds each try, from connecting to the last byte.
    """

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key_env: str = API_KEY_ENV,
        timeout: float | None = None,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        temperature: float | None = 0.2,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = chat_completions_url(url)
        self.model = model
        self.timeout = Settings.llm_timeout if timeout is None else timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.temperature = temperature
        self.max_response_bytes = max_response_bytes
        self._sleep = sleep
        self._transport = transport
        self._where = safe_url(self.endpoint)
        self._api_key = read_api_key((api_key_env, FALLBACK_API_KEY_ENV))

    @classmethod
    def from_options(
        cls, url: str | None, model: str | None, *, timeout: float | None, device: str
    ) -> HTTPChatClient:
        """The ``CLIENTS`` factory: ``llm_url`` and ``llm_model`` (no device: the server's)."""
        if not model:
            raise UsageError(
                "llm_url needs llm_model NAME (servers that serve one model accept any name)"
            )
        return cls(url or "", model, timeout=timeout)

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
        """One try: the answer's body, or the ``RuntimeFailure`` / ``_Retryable`` saying why not."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        limits = Limits(self.timeout, self.max_response_bytes, MAX_REDIRECTS, same_origin=True)
        try:
            with exchange(
                "POST",
                self.endpoint,
                limits,
                headers=headers,
                content=body,
                transport=self._transport,
            ) as reply:
                if 200 <= reply.status < 300:
                    return reply.read()
                raise self._status_error(reply)
        except NetworkError as error:
            raise self._network_failure(error) from None

    def _status_error(self, reply: Reply) -> Exception:
        """What a status other than 2xx means: a failure, or (429, 5xx) another try."""
        where = safe_url(reply.url)
        status = reply.status
        if status in _REDIRECT_STATUSES:  # the network layer follows those with a Location
            return RuntimeFailure(f"LLM server {where} answered HTTP {status} without a Location")
        reason = one_line(reply.reason)[:60]
        message = f"LLM server {where} answered HTTP {status} {reason}".rstrip()
        message += self._error_detail(reply)
        if status in _RETRY_STATUSES:
            return _Retryable(message, _retry_after(reply.headers.get("retry-after")))
        if status in (401, 403):
            message += f"; check the API key in ${API_KEY_ENV}"
        elif status == 404:
            message += "; is this an OpenAI-compatible server, and is the model name right?"
        elif status in _REJECTED_STATUSES:
            return RequestRejected(message)
        return RuntimeFailure(message)

    def _network_failure(self, error: NetworkError) -> Exception:
        where = safe_url(error.url)
        if error.trouble is Trouble.DROPPED:  # a server restarting or a proxy cutting us off
            return _Retryable(f"LLM server {where} dropped the connection")
        template = _FAILURES.get(error.trouble, "cannot connect to LLM server {where}: {reason}")
        return RuntimeFailure(
            template.format(
                where=where,
                first=self._where,
                reason=error.reason,
                status=error.status,
                target=safe_url(error.target),
                timeout=f"{self.timeout:g}",
                size=format_size(self.max_response_bytes),
                redirects=MAX_REDIRECTS,
            )
        )

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

    def _error_detail(self, reply: Reply) -> str:
        """``: `` and the server's error message (an OpenAI-style JSON error), or a short
        excerpt of whatever else it sent (an HTML error page: its text); "" for nothing."""
        try:
            raw = reply.read(4096, cut=True)
        except NetworkError:
            return ""
        text = raw.decode("utf-8", "replace")
        try:
            error = _shorten(_server_error(json.loads(text)), 200)
        except (ValueError, RecursionError):
            error = _excerpt(text)
        return f": {error}" if error else ""

    def _redact(self, message: str) -> str:
        """``message`` with the API key masked, in case a server echoes it back."""
        return mask_secret(message, self._api_key)


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


# An error page's text as a browser shows it: no scripts or styles, the title only when the
# page has nothing else.
_HIDDEN = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_TITLE = re.compile(r"<title\b.*?(?:</title\s*>|\Z)", re.IGNORECASE | re.DOTALL)
_MARKUP = re.compile(r"<!--.*?(?:-->|\Z)|<[^>]*(?:>|\Z)", re.DOTALL)
EXCERPT = 120  # characters of a non-JSON error body shown


def _excerpt(text: str) -> str:
    """A short excerpt of an error body that is not JSON: its visible text (tags removed,
    entities decoded), control characters and runs of space made one space."""
    import html

    def words(markup: str) -> str:
        return _shorten(html.unescape(_MARKUP.sub(" ", markup)), EXCERPT)

    visible = _HIDDEN.sub(" ", text)
    return words(_TITLE.sub(" ", visible)) or words(visible)


def _shorten(text: str, limit: int) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
