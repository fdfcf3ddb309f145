"""Feeds and sitemaps: the list of articles an RSS 2.0, RSS 1.0 (RDF) or Atom feed, or a (news)
sitemap or sitemap index, links to.

Recognised by their bytes (``feed_kind``: the document's root element), parsed from bytes we
fetched ourselves: feedparser reads feeds (it is never handed a URL, so it never goes on the
network), lxml reads sitemaps with entities and network access off. Fetching stays the web
layer's (``translate_cli.web.fetch``): its timeout, size cap and redirect rules hold for feeds
too. ``FEED_KINDS`` maps each kind to its parser.

``story_key`` normalises an article's URL so that one story at two addresses (tracking
parameters, AMP pages, mobile hosts) is recognised as one.
"""

from __future__ import annotations

import calendar
import html
import itertools
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from translate_cli.errors import InputError
from translate_cli.humanize import one_line
from translate_cli.registry import Registry
from translate_cli.web.network import is_url

MAX_ITEMS = 5000  # links kept from one feed or sitemap: a hostile one cannot flood a run
MAX_XML_BYTES = 50 * 1024 * 1024  # a gzipped sitemap inflated: the sitemap protocol's own cap
_GZIP_MAGIC = b"\x1f\x8b"
_SNIFF = 4096
# The prolog a root element may follow: BOM, XML declaration, comments, processing
# instructions, a doctype.
_PROLOG = re.compile(rb"^(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*", re.DOTALL)
_ROOT = re.compile(rb"^<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_ROOTS = {b"rss": "feed", b"RDF": "feed", b"feed": "feed", b"urlset": "sitemap"}
_ROOTS[b"sitemapindex"] = "sitemap"


class FeedError(InputError):
    """A feed or sitemap that cannot be read (exit 4)."""


@dataclass(frozen=True)
class FeedItem:
    """One article a feed links: its URL, the feed's id for it (an RSS ``guid``, an Atom ``id``;
    "" when none), title, publication time (UTC; None when not given or not readable) and
    outlet."""

    url: str
    guid: str = ""
    title: str = ""
    published: datetime | None = None
    outlet: str = ""  # who published it, as the feed says (its title, a news sitemap's name)


@dataclass(frozen=True)
class Feed:
    """What a feed or sitemap lists: ``items``, and for a sitemap index the ``sitemaps`` it
    names (fetched by the caller, which owns the network)."""

    kind: str
    title: str = ""
    items: list[FeedItem] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    left_out: int = 0  # entries past MAX_ITEMS, not read


def gunzipped(data: bytes, limit: int = MAX_XML_BYTES) -> bytes:
    """``data`` itself, or for gzip bytes (a ``sitemap.xml.gz``) what they inflate to, at most
    ``limit`` bytes: a bomb is cut there (and then fails to parse), never inflated whole."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, limit)
    except zlib.error as error:
        raise FeedError(f"not readable gzip data ({error})") from None


def feed_kind(data: bytes) -> str | None:
    """``feed`` or ``sitemap`` when ``data`` is one (by its root element; gzipped or not),
    else None."""
    try:
        head = gunzipped(data[: 64 * 1024], _SNIFF).removeprefix(b"\xef\xbb\xbf")
    except FeedError:
        return None
    head = head[:_SNIFF]
    match = _ROOT.match(head[_PROLOG.match(head).end() :])  # type: ignore[union-attr]
    return _ROOTS.get(match.group(1)) if match else None


def read_feed(data: bytes, url: str | None = None, *, name: str = "feed") -> Feed:
    """The articles ``data`` links (relative links resolved against ``url``); ``FeedError``
    when it is not a feed or sitemap, or is too broken to read."""
    kind = feed_kind(data)
    if kind is None:
        raise FeedError(f"{name}: not an RSS, Atom or sitemap document")
    try:
        data = gunzipped(data)
    except FeedError as error:
        raise FeedError(f"{name}: {error.message}") from None
    return FEED_KINDS.get(kind)(data, url, name)


# The start tag of an RSS item or an Atom entry, with or without a namespace prefix.
_ENTRY_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s/>]")


def _parse_feed(data: bytes, url: str | None, name: str) -> Feed:
    import feedparser

    # feedparser reads a whole document: a feed of 100,000 items took 30 s here. The bytes
    # from the entry after the MAX_ITEMS-th on are cut before it parses, and the elements the
    # entries sit in (<rss><channel>, <feed>) closed again, so that its strict parser reads
    # the rest (a document it cannot read strictly is read again by its slower loose one).
    starts = [m.start() for m in itertools.islice(_ENTRY_START.finditer(data), MAX_ITEMS + 1)]
    left_out = 0
    if len(starts) > MAX_ITEMS:
        cut = starts[MAX_ITEMS]
        left_out = 1 + sum(1 for _ in _ENTRY_START.finditer(data, cut + 1))
        data = data[:cut] + _closing_tags(data[: starts[0]])
    headers = {"content-location": url} if url else {}
    # Bytes in, never a URL: feedparser fetches nothing; its HTML sanitiser is left on.
    parsed: Any = feedparser.parse(data, response_headers=headers)
    outlet = _plain_text(parsed.get("feed", {}).get("title", ""), 200)
    items: list[FeedItem] = []
    for entry in parsed.get("entries", [])[:MAX_ITEMS]:
        link = _absolute(entry.get("link") or "", url)
        if not link:
            continue  # an item without an article (or with a javascript:, file: … link)
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
        guid, title = one_line(entry.get("id") or "")[:1000], _plain_text(entry.get("title", ""))
        items.append(FeedItem(link, guid, title, published, outlet))
    # feedparser reads what it can of a broken feed ("bozo"): that is an error only when
    # nothing usable came out, as a feed with one odd byte still lists its articles.
    if parsed.get("bozo") and not items:
        reason = one_line(parsed.get("bozo_exception") or "unreadable")[:200]
        raise FeedError(f"{name}: malformed feed ({reason})")
    return Feed("feed", outlet, items, left_out=left_out)


_TAG = re.compile(r"<[^>]*>")
_XML_TAG = re.compile(rb"<(/?)([A-Za-z_][\w.:-]*)[^>]*?(/?)>")


def _closing_tags(head: bytes) -> bytes:
    """The end tags of the elements still open at the end of ``head`` (a feed's bytes
    before its first entry), innermost first."""
    head = re.sub(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!][^>]*>", b"", head, flags=re.DOTALL)
    open_tags: list[bytes] = []
    for closing, tag, empty in _XML_TAG.findall(head):
        if closing and tag in open_tags:
            del open_tags[len(open_tags) - 1 - open_tags[::-1].index(tag) :]
        elif not closing and not empty:
            open_tags.append(tag)
    return b"".join(b"</" + tag + b">" for tag in reversed(open_tags))


def _plain_text(value: object, limit: int = 500) -> str:
    """A feed's title as one line of plain text: feedparser gives a CDATA or escaped-HTML
    title as HTML (``<b>…</b>``, ``&amp;``), which is neither shown nor translated as such."""
    return one_line(html.unescape(_TAG.sub(" ", str(value))))[:limit]


def _parse_sitemap(data: bytes, url: str | None, name: str) -> Feed:
    from lxml import etree

    # No entities, no DTD, no network: a sitemap is data, never instructions to this parser.
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise FeedError(f"{name}: malformed sitemap ({error})") from None
    if root is None:
        raise FeedError(f"{name}: malformed sitemap (no elements)")
    index = etree.QName(root).localname == "sitemapindex"
    items: list[FeedItem] = []
    left_out = 0
    for entry in root:
        if len(items) >= MAX_ITEMS:
            left_out += 1
            continue
        if not isinstance(entry.tag, str):
            continue  # a comment or processing instruction
        fields = {
            etree.QName(child).localname: child
            for child in entry.iter()
            if child is not entry and isinstance(child.tag, str)
        }
        loc = _absolute((fields["loc"].text or "").strip() if "loc" in fields else "", url)
        if not loc:
            continue
        when = fields.get("publication_date", fields.get("lastmod"))
        items.append(
            FeedItem(
                loc,
                "",
                _text(fields.get("title")),
                parse_date(when.text or "") if when is not None else None,
                _text(fields.get("name")),  # a news sitemap's <news:publication><news:name>
            )
        )
    if index:
        return Feed("sitemap", sitemaps=[item.url for item in items], left_out=left_out)
    return Feed("sitemap", items=items, left_out=left_out)


def _text(element: Any) -> str:
    return one_line(element.text or "")[:500] if element is not None else ""


FeedParser = Callable[[bytes, "str | None", str], Feed]
FEED_KINDS: Registry[FeedParser] = Registry("feed kind")
FEED_KINDS.register("feed", _parse_feed, help="RSS 2.0, RSS 1.0 (RDF) or Atom, by feedparser")
FEED_KINDS.register("sitemap", _parse_sitemap, help="a (news) sitemap or a sitemap index")


def _absolute(link: str, base: str | None) -> str:
    """``link`` made absolute against ``base``; "" unless the result is an http(s) URL."""
    link = link.strip()
    if not link:
        return ""  # not the base itself: an item with no link has no article
    if base and not is_url(link):
        link = urljoin(base, link)
    return link if is_url(link) else ""


def parse_date(text: str) -> datetime | None:
    """An ISO 8601 date or time (a sitemap's, or ``--since``'s) in UTC; None if unreadable.
    A date or time without a zone is taken as UTC."""
    text = text.strip()
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- one story, several addresses -------------------------------------------------------------
_TRACKING = re.compile(
    r"^(?:utm_\w*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|amp|outputType)$",
    re.IGNORECASE,
)
_MOBILE_HOST = re.compile(r"^(?:m|mobile|amp|www)\.", re.IGNORECASE)
_AMP_PATH = re.compile(r"(?:/amp/?$|^/amp(?=/)|\.amp(?=$|\.html?$))", re.IGNORECASE)


def story_key(url: str) -> str:
    """``url`` reduced to what names the story: lower-case host without ``www.``, ``m.``,
    ``mobile.`` or ``amp.``; no AMP path marks (``/amp/…``, ``…/amp``, ``.amp``); no tracking
    parameters (``utm_*``, ``fbclid``, …), the rest sorted; no fragment, no trailing slash, no
    credentials, and http and https alike. Two URLs with one key are one story."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return url.strip()
    while _MOBILE_HOST.match(host):
        host = _MOBILE_HOST.sub("", host, count=1)
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    path = _AMP_PATH.sub("", parts.path) or "/"
    path = path.rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, True) if not _TRACKING.match(k))
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


MAX_SITEMAPS = 50  # sitemaps of one index that are read (an index inside an index is not)
Notice = Callable[[str], object]


def feed_items(
    data: bytes,
    url: str | None,
    read: Callable[[str], bytes],
    *,
    name: str = "feed",
    read_items: Callable[[str], list[FeedItem]] | None = None,
    notice: Notice | None = None,
) -> list[FeedItem]:
    """The articles of the feed or sitemap ``data`` (from ``url``, None for a file), each story
    once (by ``story_key``, the first kept); the sitemaps an index names are read with ``read``
    (the caller's fetch), or listed by ``read_items`` when given (a caller that remembers
    them). What is left out past the limits (``MAX_ITEMS``, ``MAX_SITEMAPS``) is told to
    ``notice``. ``FeedError`` when it, or a sitemap it names, cannot be read."""
    feed = read_feed(data, url, name=name)

    def listed(child: str) -> list[FeedItem]:
        if read_items is not None:
            return read_items(child)
        child_feed = read_feed(read(child), child, name=name)
        notice_left_out(notice, name, child_feed.left_out)
        return child_feed.items

    notice_left_out(notice, name, feed.left_out)
    items = list(feed.items)
    if len(feed.sitemaps) > MAX_SITEMAPS and notice is not None:
        notice(f"{name}: names {len(feed.sitemaps)} sitemaps; the first {MAX_SITEMAPS} are read")
    for child in feed.sitemaps[:MAX_SITEMAPS]:
        items += listed(child)
    unique = unique_stories(items)
    notice_left_out(notice, name, len(unique) - MAX_ITEMS)
    return unique[:MAX_ITEMS]


def unique_stories(items: list[FeedItem]) -> list[FeedItem]:
    """``items`` with each story once (by ``story_key``), the first kept."""
    seen: set[str] = set()
    unique: list[FeedItem] = []
    for item in items:
        key = story_key(item.url)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def notice_left_out(notice: Notice | None, name: str, left_out: int) -> None:
    """Tell ``notice`` (when given) that ``name`` had ``left_out`` items past ``MAX_ITEMS``."""
    if notice is not None and left_out > 0:
        notice(f"{name}: {left_out} more items than the {MAX_ITEMS} read; those were left out")


# --- the page's own name for itself ----------------------------------------------------------
def canonical_link(data: bytes, base: str) -> str:
    """The http(s) URL an HTML page names as its own (``<link rel="canonical">``, relative to
    ``base``), or "" when it names none. Only the page's first 256 KiB are read: the link
    belongs in its head."""
    from lxml import etree, html

    try:
        root = html.fromstring(data[: 256 * 1024], parser=html.HTMLParser(no_network=True))
    except (etree.LxmlError, ValueError):
        return ""
    for link in root.iter("link"):
        rel = str(link.get("rel") or "").lower().split()
        if "canonical" in rel:
            return _absolute(str(link.get("href") or ""), base)
    return ""
