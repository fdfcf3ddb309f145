"""What the pipeline hands back: one ``Report`` a document, rendered by ``render/``.

A Report says what it holds (sentences, translations, a title, a summary) and in which
languages, so renderers decide from the content, never from the command that made it.
"""

from __future__ import annotations

from dataclasses import dataclass

from translate_cli.document import Sentence


@dataclass(frozen=True)
class TranslatedSentence:
    sentence: Sentence
    translation: str | None  # None when translation was not asked for


@dataclass(frozen=True)
class SummaryItem:
    """A summary line; ``index`` is the source sentence's index (None for an abstract)."""

    index: int | None
    source: str
    translation: str | None
