"""Downloading one page: httpx with a timeout, a redirect limit, a size cap and safe messages.

Only ``http`` and ``https`` are fetched (also after a redirect); no script on the page is run.
Proxies come from the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``), as curl reads
them. Every failure is one ``FetchError`` line (exit 4) that says what happened (DNS,
refused, timeout, HTTP status, content type, size) and never shows credentials in the URL.
"""

from __future__ import annotations

import errno
import re
import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from translate_cli.errors import InputError

if TYPE_CHECKING:
    import httpx

DEFAULT_TIMEOUT = 30.0
MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 10
SCHEMES = ("http", "https")
OFFLINE = "translate-cli works offline on files"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
# What a page may be: HTML, or text we can read; anything else (images, PDF) is named and
# refused. No Content-Type at all is allowed: the bytes are sniffed.
_READABLE = re.compile(r"^(?:text/.*|application/(?:xhtml\+xml|xml|json|x-ndjson|jsonl?))$")


class FetchError(InputError):
    """A URL that could not be read (exit 4, like an unreadable file)."""


@dataclass(frozen=True)
class Page:
    """A downloaded page: the final URL (credentials removed), its media type and bytes."""

    url: str
    content_type: str  # lower case, without parameters; "" when the server sent none
    charset: str | None  # from the Content-Type header
    data: bytes


def url_scheme(source: str) -> str | None:
    """The scheme of ``source`` when it is written as a URL (``scheme://…``), else None."""
    match = _SCHEME.match(source)
    return match.group(1).lower() if match else None


def is_url(source: str) -> bool:
    return url_scheme(source) in SCHEMES


def safe_url(url: str) -> str:
    """``url`` without a user name or password, for messages and metadata."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))


def check_url(url: str) -> None:
    """Refuse anything but an http(s) URL with a host, before any work."""
    scheme = url_scheme(url)
    shown = safe_url(url)
    if scheme not in SCHEMES:
        raise FetchError(
            f"{shown}: only http:// and https:// URLs can be read, not {scheme or '?'}://"
        )
    try:
        host = urlsplit(url).hostname
    except ValueError as error:
        raise FetchError(f"{shown}: not a valid URL ({error})") from None
    if not host:
        raise FetchError(f"{shown}: not a valid URL (no host name)")


def user_agent() -> str:
    from translate_cli import __version__

    return f"translate-cli/{__version__} (+https://pypi.org/project/translate-cli/)"


def fetch(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    transport: httpx.BaseTransport | None = None,
) -> Page:
    """GET ``url`` (redirects followed) and return its body, at most ``max_bytes``.

    ``timeout`` bounds each network wait and also the whole download. Raises ``FetchError``.
    """
    import httpx

    check_url(url)
    shown = safe_url(url)
    deadline = time.monotonic() + timeout
    client = httpx.Client(
        headers={"User-Agent": user_agent(), "Accept": "text/html,text/plain;q=0.9,*/*;q=0.5"},
        timeout=httpx.Timeout(timeout),
        follow_redirects=True,
        max_redirects=max_redirects,
        trust_env=True,  # proxies and NO_PROXY from the environment
        transport=transport,
    )
    try:
        with client, client.stream("GET", url) as response:
            final = safe_url(str(response.url))
            if response.status_code >= 400:
                reason = response.reason_phrase or httpx.codes.get_reason_phrase(
                    response.status_code
                )
                raise FetchError(f"{final}: HTTP {response.status_code} {reason}".rstrip())
            media, charset = _content_type(response.headers.get("content-type", ""))
            if media and not _READABLE.match(media):
                raise FetchError(f"{final}: not a web page or text ({media})")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{final}: larger than the {_size(max_bytes)} limit")
            data = _read(response, max_bytes, deadline, final, timeout)
    except FetchError:
        raise
    except httpx.TooManyRedirects:
        raise FetchError(f"{shown}: more than {max_redirects} redirects") from None
    except httpx.UnsupportedProtocol as error:
        raise FetchError(
            f"{shown}: redirected to a URL that is not http:// or https:// ({error})"
        ) from None
    except httpx.TimeoutException:
        raise FetchError(
            f"cannot fetch {shown}: no answer within {timeout:g} s (timeout) — {OFFLINE}"
        ) from None
    except httpx.HTTPError as error:
        raise FetchError(
            f"cannot fetch {shown}: {_network_reason(error, url)} — {OFFLINE}"
        ) from None
    except httpx.InvalidURL as error:
        raise FetchError(f"{shown}: not a valid URL ({error})") from None
    return Page(final, media, charset, data)


def _read(
    response: httpx.Response, max_bytes: int, deadline: float, shown: str, timeout: float
) -> bytes:
    """The (decompressed) body; the size cap counts decompressed bytes, so a gzip bomb stops."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{shown}: larger than the {_size(max_bytes)} limit")
        if time.monotonic() > deadline:
            raise FetchError(
                f"cannot fetch {shown}: not complete within {timeout:g} s (timeout) — {OFFLINE}"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _content_type(value: str) -> tuple[str, str | None]:
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media.strip().lower(), charset


def _network_reason(error: Exception, url: str) -> str:
    """What went wrong on the network, in words: DNS, refused, reset, TLS, proxy."""
    import httpx

    host = urlsplit(url).hostname or "?"
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, socket.gaierror) for e in chain) or re.search(
        r"name or service not known|nodename nor servname|name resolution|getaddrinfo|"
        r"no address associated|errno -[2-5]\b",
        text,
    ):
        return f"DNS lookup failed for {host}"
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
        return f"connection refused by {host}"
    if isinstance(error, httpx.ProxyError):
        return "the proxy failed (check HTTPS_PROXY / HTTP_PROXY)"
    if "certificate" in text or "ssl" in text:
        return f"TLS error with {host} (certificate not trusted?)"
    if any(isinstance(e, OSError) and e.errno == errno.ENETUNREACH for e in chain) or (
        "unreachable" in text
    ):
        return f"network unreachable for {host} (no network?)"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"{host} closed the connection or answered nonsense"
    return f"network error ({type(error).__name__})"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} bytes"
