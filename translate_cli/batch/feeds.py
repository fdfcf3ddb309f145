"""Feeds and sitemaps as batch inputs, followed from run to run.

``batch FEED… -o DIR`` reads each feed (a URL or a file: RSS, Atom, a sitemap or sitemap
index) as the list of articles it links, and each article becomes a record whose id is its
story key (``translate_cli.web.feeds.story_key``: the URL without tracking parameters, AMP or
mobile marks), so the batch's own resume does the rest: an article already in a shard is
skipped before any request is made for it, and one story at two addresses is done once.

``DIR/feeds.json`` remembers, for each feed URL, its validators (``ETag``, ``Last-Modified``,
sent back as a conditional request: a 304 costs no parsing) and the articles it listed, and
for each feed item with an id of its own (an RSS ``guid``, an Atom ``id``) the record id it was
given: a story whose link changes (another tracking parameter) but not its guid is still done.
A feed that cannot be fetched or read is one error line and a failure (exit 4); the other
feeds go on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from translate_cli.config import Settings
from translate_cli.errors import ExitStatus, InputError, UsageError
from translate_cli.humanize import one_line, printable
from translate_cli.inputs import Fetching, Record, feed_links, read_input_bytes, read_link
from translate_cli.web import Page
from translate_cli.web.feeds import (
    FeedItem,
    canonical_link,
    feed_items,
    feed_kind,
    notice_left_out,
    parse_date,
    read_feed,
    story_key,
)
from translate_cli.web.network import is_url, safe_url, url_scheme

STATE = "feeds.json"
_SNIFF = 4096


@dataclass(frozen=True)
class Bounds:
    """What a run takes from each feed: items published at or after ``since`` (items with no
    date are kept), and of those the ``max_items`` newest (None: all)."""

    since: datetime | None = None
    max_items: int | None = None

    def apply(self, items: list[FeedItem]) -> list[FeedItem]:
        if self.since is not None:
            since = self.since
            items = [i for i in items if i.published is None or i.published >= since]
        if self.max_items is not None:
            stamps = [i.published.timestamp() if i.published else 0.0 for i in items]
            newest = sorted(range(len(items)), key=lambda n: stamps[n], reverse=True)
            keep = set(newest[: self.max_items])
            items = [item for n, item in enumerate(items) if n in keep]  # in the feed's order
        return items


def parse_since(text: str) -> datetime:
    """``--since``'s value: an ISO 8601 date or time (UTC unless it says otherwise)."""
    value = parse_date(text)
    if value is None:
        raise UsageError(f"--since: not a date: {printable(text)!r} (e.g. 2024-05-17)")
    return value


@dataclass(frozen=True)
class LinkPending:
    """An article a feed links, not fetched yet: fetched when its shard is cut, and only if
    its id is not done."""

    id: str
    url: str
    source: str
    outlet: str = ""

    def read(self, settings: Settings) -> Record:
        return self.read_story(settings)[0]

    def read_story(self, settings: Settings) -> tuple[Record, set[str]]:
        """The record, and the story keys of the other addresses the page gives itself: where
        a redirect took it, and its ``<link rel="canonical">``."""
        fetching = _Keeping(
            settings.timeout, settings.allow_private_redirects, ocr=settings.ocr, pages=[]
        )
        record = read_link(self.id, self.url, fetching, self.outlet)
        keys: set[str] = set()
        for page in fetching.pages[:1]:
            keys.add(story_key(page.url))
            canonical = canonical_link(page.data, page.url) if _is_html(page) else ""
            if canonical:
                keys.add(story_key(canonical))
        keys.discard(self.id)
        return record, keys


@dataclass(frozen=True)
class _Keeping(Fetching):
    """A ``Fetching`` that keeps the pages it fetched (for their canonical link)."""

    pages: list[Page] = field(default_factory=list)

    def fetch(self, url: str) -> Page:
        page = super().fetch(url)
        self.pages.append(page)
        return page


def _is_html(page: Page) -> bool:
    media = (page.content_type or "").lower()
    return "html" in media or page.data[:1024].lstrip()[:1] == b"<"


class Stories:
    """Which record holds each story, by record id: the folder's done records hold their own,
    a duplicate (``feeds.json``'s ``stories``) names the record that holds it. A feed's
    article whose page names the address of such a record (its ``<link rel="canonical">``,
    or where a redirect took it) is a duplicate of that record: written as
    ``{"id", "duplicate_of", "meta"}``, never translated. Only a record's own address
    counts, never one a page merely claimed: a page cannot make a later article the
    duplicate of itself."""

    def __init__(self, done: Iterable[str], duplicates: dict[str, str]) -> None:
        self.owner: dict[str, str] = {}
        for key in done:
            value = json.loads(key)
            if isinstance(value, str):
                self.owner[value] = value
        self.owner.update(duplicates)
        self.new: dict[str, str] = {}  # this run's duplicates, for feeds.json

    def read(self, pending: LinkPending, settings: Settings) -> tuple[Record, str | None]:
        """``pending``'s record, and the id of the record that holds its story when that is
        another one (a duplicate: not to be translated)."""
        record, keys = pending.read_story(settings)
        if record.error is not None:
            return record, None
        owner = next((self.owner[k] for k in sorted(keys) if k in self.owner), pending.id)
        self.owner.setdefault(pending.id, owner)
        if owner == pending.id:
            return record, None
        self.new[pending.id] = owner
        return record, owner


def is_feed_source(source: str) -> bool:
    """Whether a batch INPUT is a feed: any http(s) URL, or a file whose bytes are a feed or
    sitemap (JSONL and Parquet files are the other inputs)."""
    if is_url(source):
        return True
    try:
        with open(source, "rb") as handle:
            return feed_kind(handle.read(_SNIFF)) is not None
    except OSError:
        return False


@dataclass
class Listing:
    """What the feeds of a run list: the articles to do, in order; one line per feed that
    failed; and notices (what a feed had past the limits)."""

    items: list[LinkPending] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


@dataclass
class FeedState:
    """``DIR/feeds.json``: each feed's (and each sitemap of an index's) validators and last
    list, the guids' record ids, and the other addresses of done stories (``Stories``)."""

    feeds: dict[str, dict[str, Any]] = field(default_factory=dict)
    guids: dict[str, str] = field(default_factory=dict)
    stories: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> FeedState:
        try:
            value = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError):
            return cls()  # damaged: start again; ids still match through the story keys
        if not isinstance(value, dict):
            return cls()
        parts = [value.get(name) for name in ("feeds", "guids", "stories")]
        feeds, guids, stories = [part if isinstance(part, dict) else {} for part in parts]
        return cls(feeds, guids, stories)

    def dump(self) -> bytes:
        value = {"format": 1, "feeds": self.feeds, "guids": self.guids}
        if self.stories:
            value["stories"] = self.stories
        return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def list_feeds(
    sources: Sequence[str],
    state: FeedState,
    settings: Settings,
    bounds: Bounds,
    status: Callable[[str], Any] | None = None,
) -> Listing:
    """Read every feed (conditionally, for a URL with validators in ``state``) and list the
    articles to do, each story once across all feeds; ``state`` is updated."""
    fetching = Fetching(settings.timeout, settings.allow_private_redirects, status)
    listing = Listing()
    seen: set[str] = set()

    def tell(line: str) -> None:
        listing.notices.append(one_line(line))  # it names URLs a feed gave: never raw

    for source in sources:
        name = safe_url(source, query=True) if url_scheme(source) else source
        try:
            items = _read_one(source, name, state, fetching, tell)
        except InputError as error:
            listing.failures.append(one_line(error.message))
            continue
        guids: set[str] = set()
        for item in bounds.apply(items):
            # A guid given twice in one listing (a broken feed) names neither item: both go
            # by their links, so that neither story is lost.
            repeated = item.guid in guids
            guids.add(item.guid)
            record_id = _record_id(source, item, state, use_guid=not repeated)
            if record_id not in seen:
                seen.add(record_id)
                listing.items.append(LinkPending(record_id, item.url, name, item.outlet))
    return listing


def _read_one(
    source: str,
    name: str,
    state: FeedState,
    fetching: Fetching,
    notice: Callable[[str], object],
) -> list[FeedItem]:
    if not is_url(source):
        _, data = read_input_bytes(source)
        return feed_links(name, data, None, fetching)
    from translate_cli.web.network import leaves_the_internet

    def allowed(link: str) -> bool:
        return fetching.allow_private_redirects or not leaves_the_internet(source, link)

    def sitemap_items(child: str) -> list[FeedItem]:
        if not allowed(child):
            raise InputError(f"{name}: names a sitemap at a private address; not read")
        return _conditional(child, name, state, fetching, notice, lambda data: None)

    def whole(data: bytes) -> list[FeedItem]:
        return feed_items(
            data, source, _fetched(fetching), name=name, read_items=sitemap_items, notice=notice
        )

    items = _conditional(source, name, state, fetching, notice, whole)
    return [item for item in items if allowed(item.url)]


def _fetched(fetching: Fetching) -> Callable[[str], bytes]:
    return lambda url: fetching.fetch(url).data


def _conditional(
    url: str,
    name: str,
    state: FeedState,
    fetching: Fetching,
    notice: Callable[[str], object],
    parse: Callable[[bytes], list[FeedItem] | None],
) -> list[FeedItem]:
    """The items of the feed or sitemap at ``url``, fetched with the validators ``state``
    holds for it: a 304 answers with the items it listed last time. ``parse`` reads the
    bytes (None: as one feed or sitemap, an index's sitemaps not followed)."""
    from translate_cli.web import fetch

    known = state.feeds.get(url, {})
    page = fetch(
        url,
        timeout=fetching.timeout,
        allow_private_redirects=fetching.allow_private_redirects,
        etag=str(known.get("etag", "")),
        last_modified=str(known.get("last_modified", "")),
    )
    if page.not_modified and isinstance(known.get("items"), list):
        return [_item(value) for value in known["items"] if isinstance(value, dict)]
    shown = safe_url(url, query=True)
    shown = name if shown == name else f"{name}: {shown}"
    if feed_kind(page.data) is None:
        raise InputError(
            f"{printable(safe_url(url, query=True))}: not an RSS, Atom or sitemap document"
            + (" (an HTML page?)" if _is_html(page) else ""),
            hint='batch reads article URLs from JSONL records: {"id": …, "url": …}',
        )
    items = parse(page.data)
    if items is None:
        feed = read_feed(page.data, url, name=shown)
        notice_left_out(notice, shown, feed.left_out)
        items = feed.items
    state.feeds[url] = {
        "etag": page.etag,
        "last_modified": page.last_modified,
        "items": [_plain(item) for item in items],
    }
    return items


def _record_id(source: str, item: FeedItem, state: FeedState, *, use_guid: bool = True) -> str:
    """The item's record id: the one its guid was given before, else its story key."""
    if not item.guid or not use_guid:
        return story_key(item.url)
    key = f"{story_key(source)} {item.guid}"  # a guid is the feed's own: scoped by the feed
    return state.guids.setdefault(key, story_key(item.url))


def _plain(item: FeedItem) -> dict[str, Any]:
    published = item.published.isoformat() if item.published else None
    return {
        "url": item.url,
        "guid": item.guid,
        "title": item.title,
        "published": published,
        "outlet": item.outlet,
    }


def _item(value: dict[str, Any]) -> FeedItem:
    published = parse_date(str(value.get("published") or ""))
    return FeedItem(
        str(value.get("url", "")),
        str(value.get("guid", "")),
        str(value.get("title", "")),
        published,
        str(value.get("outlet", "")),
    )


FEED_FAILURE = int(ExitStatus.BAD_INPUT)  # a feed that failed counts as a record that did
