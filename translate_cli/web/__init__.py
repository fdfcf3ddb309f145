"""Web pages as input: fetch a URL, recognise HTML, extract the article.

``read_article(source)`` is the whole path for a library caller::

    from translate_cli import Pipeline
    from translate_cli.web import read_article

    article = read_article("https://example.org/berita/123")  # or HTML text, or bytes
    with Pipeline() as pipeline:
        report = pipeline.task("run")(article)   # report.meta: url, title, date, author, site

Nothing here imports trafilatura, httpx or lxml until a page is actually read.
"""

from __future__ import annotations

from translate_cli.web.article import META_KEYS, Article
from translate_cli.web.charset import CharsetError, decode_page
from translate_cli.web.fetch import (
    DEFAULT_TIMEOUT,
    MAX_BYTES,
    FetchError,
    Page,
    fetch,
    is_url,
    safe_url,
)
from translate_cli.web.sniff import looks_like_html


def article_from_bytes(
    data: bytes, url: str | None = None, charset: str | None = None, *, name: str | None = None
) -> Article:
    """The article of an HTML page's bytes (``charset``: what the HTTP header declared;
    ``name``: the input's name for messages, default the URL)."""
    from translate_cli.web.extract import extract_article

    text, _ = decode_page(data, charset, name=name or (safe_url(url) if url else None))
    return extract_article(text, url, name=name)


def read_article(
    source: str | bytes, *, timeout: float = DEFAULT_TIMEOUT, allow_private_redirects: bool = False
) -> Article:
    """The article of a URL (fetched; a redirect from a public address to a private one is
    refused unless ``allow_private_redirects``), or of an HTML page given as text or bytes."""
    from translate_cli.web.extract import extract_article

    if isinstance(source, bytes):
        return article_from_bytes(source)
    if is_url(source):
        page = fetch(source, timeout=timeout, allow_private_redirects=allow_private_redirects)
        return article_from_bytes(page.data, page.url, page.charset)
    return extract_article(source)


__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_BYTES",
    "META_KEYS",
    "Article",
    "CharsetError",
    "FetchError",
    "Page",
    "article_from_bytes",
    "decode_page",
    "fetch",
    "is_url",
    "looks_like_html",
    "read_article",
    "safe_url",
]
