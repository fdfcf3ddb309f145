"""A briefing: the day's stories in English, one entry per story, every outlet that carried it.

``collect(sources, …)`` turns the inputs into records (the JSON objects ``batch`` writes and
``--format json`` prints): a batch folder is read as it is, with no model loaded; feeds, URLs
and files are run through a ``Pipeline`` (the ``run`` task: translation and summary; the
translation memory answers what was translated before). ``build(records)`` makes the entries:
records whose Indonesian text is near-identical (``similar``) are one story, listed with all
their sources. ``BRIEF_FORMATS`` renders them (``render``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from translate_cli.batch.shards import MANIFEST, committed_records
from translate_cli.brief.similar import THRESHOLD, clusters
from translate_cli.config import Settings
from translate_cli.errors import UsageError
from translate_cli.humanize import one_line
from translate_cli.registry import Registry

SUMMARY_SENTENCES = 3  # at most, per entry


@dataclass(frozen=True)
class Source:
    """Where a story was published: the outlet (its site name, else its host), the date the
    page gave, the link, and the record's id (in its batch folder)."""

    outlet: str
    date: str
    url: str
    id: Any = None
    record: dict[str, Any] | None = field(default=None, compare=False, repr=False)  # for pages


@dataclass(frozen=True)
class Line:
    """One sentence of a summary, in Indonesian and in English."""

    source: str
    translation: str


@dataclass
class Entry:
    """One story: the English headline (and the Indonesian one), its summary, its sources."""

    headline: str
    headline_source: str
    summary: list[Line]
    sources: list[Source] = field(default_factory=list)

    @property
    def date(self) -> str:
        """The latest date among its sources ("" when none gave one)."""
        return max((s.date for s in self.sources), default="")

    @property
    def outlets(self) -> list[str]:
        return list(dict.fromkeys(s.outlet for s in self.sources))

    def to_dict(self) -> dict[str, Any]:
        return {
            "headline": self.headline,
            "headline_source": self.headline_source,
            "date": self.date or None,
            "outlets": self.outlets,
            "summary": [{"source": s.source, "translation": s.translation} for s in self.summary],
            "sources": [
                {"outlet": s.outlet, "date": s.date or None, "url": s.url, "id": s.id}
                for s in self.sources
            ],
        }


def _by_time(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: e.date, reverse=True)


def _by_outlets(entries: list[Entry]) -> list[Entry]:
    return sorted(_by_time(entries), key=lambda e: len(e.outlets), reverse=True)


ORDERS: Registry[Callable[[list[Entry]], list[Entry]]] = Registry("order", "--order")
ORDERS.register("time", _by_time, help="newest first")
ORDERS.register("outlets", _by_outlets, help="the stories most outlets carry first")


def is_batch_folder(source: str) -> bool:
    return Path(source, MANIFEST).is_file()


def collect(
    sources: Sequence[str],
    settings: Settings | None = None,
    *,
    on_error: Callable[[str], None] | None = None,
    hooks: Any = None,
) -> Iterator[dict[str, Any]]:
    """The records of ``sources``: a batch folder's committed records as they are (no model),
    any other input (feeds, URLs, files) read and run (``run``: translated and summarised).
    A record that failed is told to ``on_error`` and left out."""
    if not sources:
        raise UsageError("brief needs at least one INPUT: a batch folder, a feed, a URL or a file")
    folders = [s for s in sources if is_batch_folder(s)]
    others = [s for s in sources if s not in folders]
    for folder in folders:
        yield from committed_records(Path(folder))
    if others:
        yield from _run(others, settings or Settings(), on_error, hooks)


def _run(
    sources: list[str], settings: Settings, on_error: Callable[[str], None] | None, hooks: Any
) -> Iterator[dict[str, Any]]:
    from translate_cli.inputs import read_records
    from translate_cli.pipeline import Pipeline

    records = read_records(
        _one_per_story(sources),
        "auto",
        timeout=settings.timeout,
        allow_private_redirects=settings.allow_private_redirects,
    )
    with Pipeline(settings, hooks=hooks) as pipeline:
        for done in pipeline.batch(_first_of_each_story(records), "run"):
            if done.error is not None:
                if on_error is not None:
                    on_error(one_line(done.error.message))
                continue
            yield done.to_dict()


def _one_per_story(sources: list[str]) -> list[str]:
    """``sources`` with each URL's story once (by ``story_key``, as ``batch`` does): the same
    article given twice, or once with tracking parameters, is read once."""
    from translate_cli.web.feeds import story_key
    from translate_cli.web.network import is_url

    seen: set[str] = set()
    kept: list[str] = []
    for source in sources:
        key = story_key(source) if is_url(source) else source
        if key not in seen:
            seen.add(key)
            kept.append(source)
    return kept


def _first_of_each_story(records: Iterable[Any]) -> Iterator[Any]:
    """The records read, without a page whose story (by the ``story_key`` of its URL) came
    before: two feeds that list one story, or a feed and the article's own URL, make one
    translation and one source."""
    from translate_cli.web.feeds import story_key

    seen: set[str] = set()
    for record in records:
        url = str((record.meta or {}).get("url") or "") if record.error is None else ""
        if url:
            key = story_key(url)
            if key in seen:
                continue
            seen.add(key)
        yield record


def build(
    records: Iterable[dict[str, Any]], *, order: str = "time", threshold: float = THRESHOLD
) -> list[Entry]:
    """The briefing's entries: one per story, near-duplicates (Jaccard of word shingles of the
    Indonesian text at or above ``threshold``) merged, in ``order``."""
    records = list(records)
    kept = [r for r in records if "error" not in r and isinstance(r.get("sentences"), list)]
    groups = clusters([_indonesian(r) for r in kept], threshold)
    entries = [_entry([kept[i] for i in group]) for group in groups]
    # A record ``batch`` wrote as a duplicate (its page named a story already done as its
    # canonical address) has no text: it is one more source of that story's entry.
    entry_of = {_key(s.id): entry for entry in entries for s in entry.sources}
    duplicates = {_key(r.get("id")): r for r in records if "duplicate_of" in r}
    for record in duplicates.values():
        target, hops = record["duplicate_of"], 0
        while _key(target) in duplicates and hops < len(duplicates):  # a duplicate's duplicate
            target, hops = duplicates[_key(target)]["duplicate_of"], hops + 1
        entry = entry_of.get(_key(target))
        if entry is not None:
            entry.sources.append(_source(record))
    return ORDERS.get(ORDERS.check(order))(entries)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _indonesian(record: dict[str, Any]) -> str:
    return " ".join(str(s.get("source", "")) for s in record["sentences"] if isinstance(s, dict))


def _entry(group: list[dict[str, Any]]) -> Entry:
    """A story from its records: headline and summary from the fullest one."""
    main = max(group, key=lambda r: len(r["sentences"]))
    headline, headline_source = _headline(main)
    sources = [_source(r) for r in group]
    return Entry(headline, headline_source, _summary(main), sources)


def _headline(record: dict[str, Any]) -> tuple[str, str]:
    title = record.get("title")
    if isinstance(title, dict) and title.get("translation"):
        return str(title["translation"]), str(title.get("source", ""))
    sentences = [s for s in record["sentences"] if isinstance(s, dict)]
    has_title = bool(record.get("meta")) and len(sentences) > 1
    first = [s for s in sentences if s.get("paragraph") == 0] if has_title else sentences[:1]
    english = " ".join(str(s.get("translation") or s.get("source", "")) for s in first)
    return english, " ".join(str(s.get("source", "")) for s in first)


def _summary(record: dict[str, Any]) -> list[Line]:
    """The record's own summary (``run``, ``summarize``), else its lead: the first sentences
    after the title."""
    summary = record.get("summary")
    if isinstance(summary, list) and summary:
        items = summary
    else:
        body = [s for s in record["sentences"] if isinstance(s, dict)]
        if record.get("meta") and len(body) > 1:
            body = [s for s in body if s.get("paragraph") != 0] or body
        items = body
    return [
        Line(str(item.get("source", "")), str(item.get("translation") or ""))
        for item in items[:SUMMARY_SENTENCES]
        if isinstance(item, dict)
    ]


def _source(record: dict[str, Any]) -> Source:
    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
    assert isinstance(meta, dict)
    url = str(meta.get("url") or "")
    outlet = str(meta.get("site") or "") or _host(url) or "unknown outlet"
    return Source(outlet, str(meta.get("date") or ""), url, record.get("id"), record)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


__all__ = ["ORDERS", "Entry", "Line", "Source", "build", "collect"]
