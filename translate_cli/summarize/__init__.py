"""Summarisers behind one interface, registered by name (``--summarizer``).

A summariser reads a segmented document and returns a ``SummaryResult``: the title it found
(or None) and the summary items. Extractive items quote article sentences (``index`` set, no
translation yet: the pipeline translates them); an abstract (``index`` None) may come with
its own English. Adding one is a module with a factory ``(Settings) -> Summarizer`` plus a
``register`` line below.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from translate_cli.registry import Registry
from translate_cli.report import SummaryItem

if TYPE_CHECKING:
    from translate_cli.config import Settings
    from translate_cli.document import Document


@dataclass(frozen=True)
class SummaryRequest:
    sentences: int
    ratio: float | None
    english: bool  # an English summary is wanted (translation is on)
    translations: Sequence[str] | None = None  # every sentence's English, when already known


@dataclass(frozen=True)
class SummaryResult:
    title: SummaryItem | None
    items: tuple[SummaryItem, ...]


class Summarizer(Protocol):
    # True when the summariser reads the whole article's English (an LLM writing the English
    # abstract); the pipeline then translates every sentence first.
    needs_translations: bool

    def summarize(self, document: Document, request: SummaryRequest) -> SummaryResult: ...


SummarizerFactory = Callable[["Settings"], Summarizer]

SUMMARIZERS: Registry[SummarizerFactory] = Registry("summarizer")
SUMMARIZERS.register(
    "extractive",
    "translate_cli.summarize.extractive:ExtractiveSummarizer",
    help="quote the key sentences (no model needed)",
)
SUMMARIZERS.register(
    "llm",
    "translate_cli.summarize.llm:LLMSummarizer.from_settings",
    help="an abstract written by a language model (--llm-url, --llm-model)",
)

__all__ = ["SUMMARIZERS", "Summarizer", "SummaryRequest", "SummaryResult"]
