"""What the pipeline hands back: one ``Report`` a document, rendered by ``render/``.

A Report says what it holds (sentences, translations, a title, a summary) and in which
languages, so renderers decide from the content, never from the command that made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from translate_cli.document import Sentence


@dataclass(frozen=True)
class TranslatedSentence:
    """A sentence and its translation, with the translation's evidence (``engines/quality.py``):
    ``score``, the model's mean log-probability per output token (<= 0; None when the sentence
    was not translated or the translator gives no score), and ``flags`` from ``quality.FLAGS``."""

    sentence: Sentence
    translation: str | None  # None when translation was not asked for
    score: float | None = None
    flags: tuple[str, ...] = ()
    language: str | None = None  # ISO 639-1 (segment/language.py); None when not identified
    # What a flag names, by flag ({"number-mismatch": ("2,5",)}); empty when no flag names anything.
    details: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class SummaryItem:
    """A summary line; ``index`` is the source sentence's index (None for an abstract)."""

    index: int | None
    source: str
    translation: str | None


@dataclass(frozen=True)
class Report:
    """Everything known about one document, in what the run produced.

    ``translated`` says whether this report has an English side at all (``translate``,
    ``summarize``, ``run``): then every sentence carries a ``translation`` key, null where that
    sentence was not translated. ``summary`` is None when no summary was asked for.
    ``target_lang`` is None when nothing was translated. ``meta`` is set only for a document
    read from a web page or HTML: ``{"url", "title", "date", "author", "site"}``, None where
    unknown.
    """

    sentences: tuple[TranslatedSentence, ...]
    translated: bool = False
    model: str | None = None
    title: SummaryItem | None = None
    summary: tuple[SummaryItem, ...] | None = None
    source_lang: str = "id"
    target_lang: str | None = None
    meta: dict[str, Any] | None = None  # the page's title/date/author/site/url, when known
    language: str | None = None  # the document's language, when identified: meta.language

    @property
    def flagged(self) -> int:
        """How many sentences carry a flag."""
        return sum(1 for s in self.sentences if s.flags)

    @property
    def every_sentence_translated(self) -> bool:
        return self.translated and all(s.translation is not None for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``--format json`` prints (keys documented in docs/output.md)."""
        record: dict[str, Any] = {}
        meta = self._meta()
        if meta is not None:
            record["meta"] = meta
        if self.translated:
            record["model"] = self.model
        if self.summary is not None:
            record["title"] = _summary_record(self.title) if self.title else None
        record["sentences"] = [
            sentence_record(s, translated=self.translated) for s in self.sentences
        ]
        if self.summary is not None:
            record["summary"] = [_summary_record(item) for item in self.summary]
        if meta is not None:
            record["meta"] = meta
        return record

    def _meta(self) -> dict[str, Any] | None:
        if self.language is None:
            return None if self.meta is None else dict(self.meta)
        return {**(self.meta or {}), "language": self.language}


def sentence_record(item: TranslatedSentence, *, translated: bool) -> dict[str, Any]:
    """One sentence as JSON: what ``--format jsonl`` streams for ``translate`` and ``segment``."""
    record: dict[str, Any] = {
        "paragraph": item.sentence.paragraph,
        "index": item.sentence.index,
        "source": item.sentence.text,
    }
    if translated:
        record["translation"] = item.translation
        record["score"] = None if item.score is None else round(item.score, 4)
        record["flags"] = list(item.flags)
        if item.details:
            record["details"] = {flag: list(terms) for flag, terms in item.details.items()}
    if item.language is not None:
        record["language"] = item.language
    return record


def _summary_record(item: SummaryItem) -> dict[str, Any]:
    return {"index": item.index, "source": item.source, "translation": item.translation}


def paragraphs(items: Iterable[TranslatedSentence]) -> Iterator[list[TranslatedSentence]]:
    """Consecutive sentences of the same paragraph, as they arrive (works on a stream)."""
    group: list[TranslatedSentence] = []
    for item in items:
        if group and item.sentence.paragraph != group[-1].sentence.paragraph:
            yield group
            group = []
        group.append(item)
    if group:
        yield group
