"""Downloading one web page over the network layer (``translate_cli.web.network``).

What is particular to pages: only a URL with a host is tried, the HTTP status and the content
type are checked, and every failure is one ``FetchError`` line (exit 4) that says what happened
(DNS, refused, timeout, HTTP status, content type, size) and never shows credentials in the URL.
The limits: ``timeout`` for the whole download, ``MAX_BYTES`` decompressed, ``MAX_REDIRECTS``;
a redirect from a public address to a private one is refused unless
``allow_private_redirects``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from translate_cli.config import Settings
from translate_cli.errors import InputError
from translate_cli.humanize import format_size
from translate_cli.web.network import (
    SCHEMES,
    Limits,
    NetworkError,
    Trouble,
    exchange,
    is_url,
    safe_url,
    url_scheme,
)

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BYTES",
    "MAX_REDIRECTS",
    "FetchError",
    "Page",
    "check_url",
    "fetch",
    "is_url",
    "safe_url",
    "url_scheme",
]

DEFAULT_TIMEOUT: float = Settings.timeout  # the one default lives in config
MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 10
OFFLINE = "translate-cli works offline on files"
# What a page may be: HTML, text we can read, a feed or sitemap, or a document (PDF, Word:
# translate_cli.documents reads it); anything else (images, archives) is named and refused. No
# Content-Type at all is allowed: the bytes are sniffed.
_READABLE = re.compile(
    r"^(?:text/.*|application/(?:xhtml\+xml|xml|(?:x-)?(?:rss|atom|rdf)\+xml|json|x-ndjson"
    r"|jsonl?|pdf|vnd\.openxmlformats-officedocument\.wordprocessingml\.document"
    r"|(?:x-)?gzip))$"  # a gzipped sitemap (sitemap.xml.gz); other gzip data is not text
)


class FetchError(InputError):
    """A URL that could not be read (exit 4, like an unreadable file)."""


@dataclass(frozen=True)
class Page:
    """A downloaded page: the final URL (credentials removed), its media type and bytes."""

    url: str
    content_type: str  # lower case, without parameters; "" when the server sent none
    charset: str | None  # from the Content-Type header
    data: bytes
    # The validators of a conditional request (``If-None-Match``, ``If-Modified-Since``), and
    # whether the server answered 304: the copy the caller holds is current (``data`` empty).
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False


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


def fetch(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    allow_private_redirects: bool = False,
    transport: httpx.BaseTransport | None = None,
    etag: str = "",
    last_modified: str = "",
) -> Page:
    """GET ``url`` (redirects followed) and return its body, at most ``max_bytes``.

    ``timeout`` bounds the whole download. ``etag``/``last_modified`` (what an earlier
    ``Page`` held) make it a conditional request: a 304 is a ``Page`` with ``not_modified``.
    Raises ``FetchError``.
    """
    check_url(url)
    limits = Limits(
        timeout, max_bytes, max_redirects, allow_private_redirects=allow_private_redirects
    )
    headers = {"Accept": "text/html,text/plain;q=0.9,*/*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with exchange("GET", url, limits, headers=headers, transport=transport) as reply:
            where = safe_url(reply.url)
            # Kept to send back next time: bounded, as everything a server sends.
            tag = reply.headers.get("etag", "")[:1024]
            modified = reply.headers.get("last-modified", "")[:1024]
            if reply.status == 304 and (etag or last_modified):
                final = safe_url(reply.url, query=True)
                return Page(final, "", None, b"", tag, modified, not_modified=True)
            if reply.status >= 400:
                raise FetchError(f"{where}: HTTP {reply.status} {reply.reason}".rstrip())
            media, charset = _content_type(reply.headers.get("content-type", ""))
            if media and not _READABLE.match(media):
                raise FetchError(f"{where}: not a web page or text ({media})")
            data = reply.read()
            final = safe_url(reply.url, query=True)
    except NetworkError as error:
        raise FetchError(_page_message(error, safe_url(url), limits)) from None
    return Page(final, media, charset, data, tag, modified)


# How each network trouble reads for a page; any other is "cannot fetch URL: REASON — OFFLINE".
_FAILURES = {
    Trouble.TOO_LARGE: "{where}: larger than the {size} limit",
    Trouble.TOO_MANY_REDIRECTS: "{shown}: more than {redirects} redirects",
    Trouble.REDIRECT_NOT_HTTP: (
        "{shown}: redirected to a URL that is not http:// or https:// ({target})"
    ),
    Trouble.REDIRECT_TO_PRIVATE: (
        "{shown}: redirected from a public address to a private one ({target}); not followed "
        "unless --allow-private-redirects"
    ),
    Trouble.INVALID_URL: "{shown}: not a valid URL ({reason})",
    Trouble.NO_ANSWER: "cannot fetch {shown}: no answer within {timeout} s (timeout) — {offline}",
    Trouble.NOT_COMPLETE: (
        "cannot fetch {shown}: not complete within {timeout} s (timeout) — {offline}"
    ),
}


def _page_message(error: NetworkError, shown: str, limits: Limits) -> str:
    template = _FAILURES.get(error.trouble, "cannot fetch {shown}: {reason} — {offline}")
    return template.format(
        shown=shown,
        where=safe_url(error.url),
        target=safe_url(error.target),
        reason=error.reason,
        size=format_size(limits.max_bytes),
        redirects=limits.max_redirects,
        timeout=f"{limits.timeout:g}",
        offline=OFFLINE,
    )


def _content_type(value: str) -> tuple[str, str | None]:
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media.strip().lower(), charset
