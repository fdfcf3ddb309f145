"""The library API: segment → translate → summarise, with no terminal concerns.

``cli.py`` only parses options, calls these and renders the results; scripts can do the same::

    from translate_cli.pipeline import Translator, translate_document
    from translate_cli.segment import segment

    translator = Translator(Settings(model="/path/to/opus-mt-id-en"))
    for item in translate_document(segment(text), translator):
        print(item.sentence.text, "→", item.translation)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from translate_cli.config import Settings
from translate_cli.document import Document
from translate_cli.engines.base import Engine, EngineOptions
from translate_cli.report import SummaryItem, TranslatedSentence


@dataclass(frozen=True)
class Report:
    """Everything a command prints about one document."""

    model: str | None
    sentences: tuple[TranslatedSentence, ...]
    title: SummaryItem | None = None
    summary: tuple[SummaryItem, ...] | None = None


Progress = Callable[[float], None]


class Translator:
    """Resolves and loads the model once, on first use, then translates any number of texts."""

    def __init__(self, settings: Settings, *, show_download_progress: bool = False) -> None:
        self.settings = settings
        self.show_download_progress = show_download_progress
        self._engine: Engine | None = None
        self.model_dir: Path | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from translate_cli.engines import load_engine
            from translate_cli.models import resolve_model

            self.model_dir = resolve_model(
                self.settings.model, progress=self.show_download_progress
            )
            options = EngineOptions(
                beam_size=self.settings.beam_size,
                batch_size=self.settings.batch_size,
                device=self.settings.device,
                threads=self.settings.threads,
                compute_type=self.settings.compute_type,
            )
            self._engine = load_engine(self.settings.engine, self.model_dir, options)
        return self._engine

    def translate(self, texts: Iterable[str], progress: Progress | None = None) -> Iterator[str]:
        return self.engine.translate(texts, progress)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None


def translate_document(
    document: Document, translator: Translator, progress: Progress | None = None
) -> Iterator[TranslatedSentence]:
    """Every sentence with its translation, in order, streamed as batches finish."""
    sentences = document.sentences
    translations = translator.translate((s.text for s in sentences), progress)
    for sentence, translation in zip(sentences, translations, strict=True):
        yield TranslatedSentence(sentence, translation)


def untranslated(document: Document) -> tuple[TranslatedSentence, ...]:
    return tuple(TranslatedSentence(s, None) for s in document.sentences)


def extract_summary(
    document: Document,
    sentences: int,
    ratio: float | None,
    translations: Sequence[str | None] | None = None,
    translator: Translator | None = None,
) -> tuple[SummaryItem | None, tuple[SummaryItem, ...]]:
    """Title and extractive picks, each with its English.

    Picks are shown without a leading dateline (``JAKARTA, KOMPAS.com -``), as summaries are
    written. A pick whose text is the whole sentence reuses ``translations`` when the document
    is already translated; anything else is translated here, when a translator is given.
    """
    from translate_cli.summarize.extractive import summarize

    chosen = summarize(document, sentences=sentences, ratio=ratio)
    shown = list(chosen.trimmed or chosen.picks)
    wanted = ([chosen.title] if chosen.title else []) + shown
    english: list[str | None] = [
        translations[s.index]
        if translations is not None and s == document.sentences[s.index]
        else None
        for s in wanted
    ]
    missing = [i for i, s in enumerate(wanted) if english[i] is None]
    if translator is not None and missing:
        for i, text in zip(
            missing, translator.translate([wanted[i].text for i in missing]), strict=True
        ):
            english[i] = text
    items = [SummaryItem(s.index, s.text, t) for s, t in zip(wanted, english, strict=True)]
    title = items.pop(0) if chosen.title else None
    return title, tuple(items)


def whole_sentence_translations(
    document: Document, items: Iterable[SummaryItem | None]
) -> dict[int, str | None]:
    """Sentence index → translation, for the items that show a whole sentence (not a trimmed
    or abstract one), so a sentence never carries the translation of a shorter text."""
    return {
        item.index: item.translation
        for item in items
        if item and item.index is not None and item.source == document.sentences[item.index].text
    }
