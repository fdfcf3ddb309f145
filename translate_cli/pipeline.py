"""The library API: segment → translate → summarise, one ``Report`` a document.

The command line only drives this; a script does the same::

    from translate_cli import Pipeline

    with Pipeline(model="/models/opus-mt-id-en", beam_size=5) as pipeline:
        report = pipeline.run(text)
        print(report.to_dict())          # exactly what `translate-cli run --format json` prints
        for item in pipeline.stream(text):  # sentences as their batches finish
            print(item.sentence.text, "→", item.translation)

The model loads once per Pipeline, on first use. ``hooks`` receive progress, spinners and
notices (the CLI passes its terminal); without them the pipeline is silent.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from translate_cli.config import Choice, Settings
from translate_cli.config import resolve_settings as merge_settings
from translate_cli.document import Document, Sentence
from translate_cli.engines import ENGINES, check_compute_type, checks, quality
from translate_cli.engines.base import Translation, translations
from translate_cli.engines.terms import missed_terms, use_document
from translate_cli.errors import InputError, TranslateCliError
from translate_cli.registry import Registry
from translate_cli.report import Report, SummaryItem, TranslatedSentence
from translate_cli.segment import language
from translate_cli.segment import segment as segment_text
from translate_cli.summarize import SUMMARIZERS
from translate_cli.web.article import Article

if TYPE_CHECKING:
    from translate_cli.engines.base import Translator
    from translate_cli.summarize import Summarizer

Tick = Callable[[int], None]
TARGET_LANG = "en"
# A translation that took this long ends with one summary line (sentences, time, guard
# retries, flagged sentences) through the hooks' notice.
LONG_RUN_SECONDS = 10.0


class Hooks(Protocol):
    """What the pipeline tells its caller while it works (``terminal.Environment`` is one)."""

    def progress(self, total: int, label: str) -> AbstractContextManager[Tick | None]: ...
    def status(self, label: str) -> AbstractContextManager[None]: ...
    def notice(self, message: str) -> None: ...

    @property
    def shows_progress(self) -> bool: ...


class SilentHooks:
    shows_progress = False

    def progress(self, total: int, label: str) -> AbstractContextManager[Tick | None]:
        return nullcontext(None)

    def status(self, label: str) -> AbstractContextManager[None]:
        return nullcontext()

    def notice(self, message: str) -> None:
        pass


@dataclass(frozen=True)
class BatchResult:
    """One record of a batch: its report, or why it failed (the others go on)."""

    id: Any
    report: Report | None = None
    error: TranslateCliError | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            status = int(self.error.exit_status)
            return {"id": self.id, "error": {"status": status, "message": self.error.message}}
        assert self.report is not None
        return {"id": self.id, **self.report.to_dict()}


def batch_status(failures: Iterable[int]) -> int:
    """The exit status of a batch given its failed records' statuses: the worst one (the
    highest ``ExitStatus``), 0 when none failed. ``--input-format jsonl``, ``extract`` and
    ``batch`` all end with it."""
    return max((int(status) for status in failures), default=0)


Text = str | Document


@dataclass(frozen=True)
class Task:
    """What a task does, so that callers ask the task instead of comparing its name."""

    translates: bool  # needs the model (unless its options say ``translate=False``)
    summarizes: bool  # writes a summary: the summariser is loaded (and checked) first
    streams: bool  # sentences only: a renderer may write each as soon as it is done
    archive: bool  # ``batch --command`` runs it


# The four tasks, each a ``Pipeline`` method of the same name:
# name, (translates, summarizes, streams, archive), help.
TASKS: Registry[Task] = Registry("task")
for _name, _kind, _help in (
    ("segment", (False, False, True, False), "sentences only; no model"),
    ("translate", (True, False, True, True), "every sentence translated"),
    ("summarize", (True, True, False, True), "the bilingual title and summary"),
    ("run", (True, True, False, True), "every sentence translated, plus the bilingual summary"),
):
    TASKS.register(_name, Task(*_kind), help=_help)


@dataclass(frozen=True)
class Work:
    """A task to run on documents: its name (one of ``TASKS``), the settings, and the task's
    own options (``summarize``: ``translate=False``). A document command and every batch
    worker run one."""

    task: str
    settings: Settings
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> Task:
        return TASKS.get(self.task)

    @property
    def needs_model(self) -> bool:
        return self.kind.translates and bool(self.options.get("translate", True))


# Settings that name a registry entry; config.py only makes them canonical (lower case).
SETTING_CHOICES: dict[str, Choice] = {"engine": ENGINES.check, "summarizer": SUMMARIZERS.check}


def check_settings(settings: Settings) -> Settings:
    """``settings`` when every name is in its registry and the engine can ever use the compute
    type; else the ``UsageError`` that lists the choices."""
    for name, check in SETTING_CHOICES.items():
        check(getattr(settings, name), None)  # the registry names the setting itself
    check_compute_type(settings.engine, settings.compute_type)
    return settings


def resolve_settings(
    flags: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    file_values: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings as the command line resolves them (flags > ``TRANSLATE_CLI_*`` environment >
    config file > defaults), each name checked where it came from (``--engine``, ...)."""
    merged = merge_settings(flags, env, file_values, choices=SETTING_CHOICES)
    return check_settings(merged)


class Pipeline:
    """Settings, a lazily loaded translator and summariser, and the four tasks."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        hooks: Hooks | None = None,
        translator: Translator | None = None,
        **overrides: Any,
    ) -> None:
        """``translator``: an open engine to use instead of opening ``settings.engine`` (a
        server shares one among its requests); the terms and memory layers go around it."""
        self.settings = check_settings(replace(settings or Settings(), **overrides))
        self.hooks: Hooks = hooks or SilentHooks()
        self._engine = translator
        self._translator: Translator | None = None
        self._summarizer: Summarizer | None = None
        self._identified: tuple[Document, language.Languages] | None = None

    # --- resources --------------------------------------------------------------------------
    @property
    def translator(self) -> Translator:
        """The translation engine, loaded on first use (model resolved, maybe downloaded)."""
        if self._translator is None:
            # Looked up now, not at import: tests put a stand-in engine behind this name.
            from translate_cli.engines import open_translator
            from translate_cli.engines.terms import with_terms
            from translate_cli.memory import with_memory

            language.prefetch()  # the language model decompresses while the translator loads
            with _notices_to(self.hooks), self.hooks.status(f"Loading {self.settings.model}…"):
                engine = self._engine or open_translator(
                    self.settings, download_progress=self.hooks.shows_progress
                )
                # engine → terms → memory: the memory answers the enforced translation, keyed
                # on the glossary's digest too (memory/fingerprints.py ``descriptor``).
                self._translator = with_memory(with_terms(engine, self.settings), self.settings)
        return self._translator

    def load(self) -> None:
        """Load the model now, so that its errors come before any output."""
        _ = self.translator

    @property
    def summarizer(self) -> Summarizer:
        if self._summarizer is None:
            self._summarizer = SUMMARIZERS.get(self.settings.summarizer)(self.settings)
        return self._summarizer

    def close(self) -> None:
        if self._translator is not None:
            self._translator.close()
            self._translator = None

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- tasks ------------------------------------------------------------------------------
    def segment(self, text: Text) -> Report:
        """Sentences only; no model."""
        document = _document(text)
        return Report(tuple(TranslatedSentence(s, None) for s in document.sentences))

    def stream(self, text: Text) -> Iterator[TranslatedSentence]:
        """Every sentence with its translation, in order, as soon as its batch is done."""
        document = _document(text)
        if not document.sentences:
            return
        started = time.monotonic()
        retried = flagged = 0
        use_document(self.translator, [s.text for s in document.sentences])
        languages = self._languages(document)
        kept = self._kept_english(languages)
        with self.hooks.progress(len(document.sentences) - len(kept), "Translating") as tick:
            texts = (s.text for s in document.sentences if s.index not in kept)
            outputs = translations(self.translator, texts, tick)
            for sentence in document.sentences:
                item = (
                    _kept_as_written(sentence)
                    if sentence.index in kept
                    else self._with_evidence(sentence, next(outputs))
                )
                item = replace(item, language=languages.sentences[sentence.index])
                retried += quality.REPETITION in item.flags
                flagged += bool(item.flags)
                yield item
            # Run the translator to its end: a layer may finish its work there (the memory
            # stores its window's new translations after the window's last output).
            for _ in outputs:
                raise AssertionError("the translator gave more outputs than texts")
        elapsed = time.monotonic() - started
        if elapsed >= LONG_RUN_SECONDS:
            count = len(document.sentences)
            self.hooks.notice(
                f"translated {count} sentence{'s' * (count != 1)} in {elapsed:.1f} s; "
                f"{retried} retried by the guard, {flagged} flagged"
            )

    def _languages(self, document: Document) -> language.Languages:
        """The document's languages (identified once per document; a non-Indonesian document
        gets its notice line then)."""
        if self._identified is None or self._identified[0] is not document:
            found = language.identify([s.text for s in document.sentences])
            self._identified = (document, found)
            message = language.notice(found.document)
            if message:
                self.hooks.notice(message)
        return self._identified[1]

    def _document_language(self, document: Document) -> str | None:
        """The language identified for ``document``, if it was (every task but ``segment``)."""
        if self._identified is not None and self._identified[0] is document:
            return self._identified[1].document
        return None

    def _kept_english(self, languages: language.Languages) -> frozenset[int]:
        """Indexes of the English sentences of a non-English document: kept as written."""
        if self.settings.translate_all or languages.document == language.ENGLISH:
            return frozenset()
        return frozenset(
            i for i, code in enumerate(languages.sentences) if code == language.ENGLISH
        )

    def _with_evidence(self, sentence: Sentence, output: Translation) -> TranslatedSentence:
        """The sentence with its translation, score and flags (``low-confidence`` added here:
        the threshold is the reader's setting, not the engine's), checked against its source
        (``engines/checks.py``; the terms layer's misses named in ``details``)."""
        # An engine that scores its outputs judges echoes itself (``quality.sentence_flags``).
        found = checks.findings(sentence.text, output.text, echo=output.score is None)
        found |= missed_terms(self.translator, sentence.text, output.text)
        flags = quality.with_threshold(
            (*output.flags, *found), output.score, self.settings.flag_below
        )
        details = {flag: terms for flag, terms in found.items() if terms}
        return TranslatedSentence(sentence, output.text, output.score, flags, details=details)

    def translate(self, text: Text) -> Report:
        """Every sentence translated."""
        document = _document(text)
        items = tuple(self.stream(document))
        return self._report(items, translated=True, language=self._document_language(document))

    def summarize(
        self,
        text: Text,
        *,
        sentences: int | None = None,
        ratio: float | None = None,
        translate: bool = True,
    ) -> Report:
        """The title and summary in both languages; only what the summary shows is translated
        (the whole article when the summariser reads it in English, as the LLM one does)."""
        return self._summarize(_document(text), sentences, ratio, translate, whole=False)

    def run(
        self, text: Text, *, sentences: int | None = None, ratio: float | None = None
    ) -> Report:
        """Every sentence translated, plus the bilingual title and summary."""
        return self._summarize(_document(text), sentences, ratio, translate=True, whole=True)

    def task(self, name: str, **options: Any) -> Callable[[Text | Article], Report]:
        """The task ``name`` (one of ``TASKS``) as a function of the text; ``options`` are the
        task's keyword arguments (``summarize``: ``sentences``, ``ratio``, ``translate``).

        An extracted web ``Article`` is read as its ``text`` (the title as paragraph 0, then
        the body), and its metadata travels to ``Report.meta``."""
        if name not in TASKS:
            raise ValueError(f"unknown task {name!r}; expected one of {', '.join(TASKS.names())}")
        method: Callable[..., Report] = functools.partial(getattr(self, name), **options)

        def run(text: Text | Article) -> Report:
            if isinstance(text, Article):
                return replace(method(text.text), meta=text.meta)
            return method(text)

        return run

    def batch(
        self, records: Iterable[Any], task: str = "run", **options: Any
    ) -> Iterator[BatchResult]:
        """Each record's result, in order: ``records`` are strings (ids 1, 2, …) or objects
        with ``id`` and ``text`` (and ``error`` when the record could not be read, ``meta`` when
        it came from a web page). A record whose input is unusable gets an error result; the
        others go on."""
        run = self.task(task, **options)
        for number, record in enumerate(records, start=1):
            if isinstance(record, str):
                record_id, text, error = number, record, None
            else:
                record_id, text = record.id, record.text
                error = getattr(record, "error", None)
            if error is not None:
                yield BatchResult(record_id, error=error)
                continue
            meta = getattr(record, "meta", None)
            try:
                report = run(text)
                yield BatchResult(record_id, report=replace(report, meta=meta) if meta else report)
            except InputError as failure:  # also a request the LLM server refused for this
                yield BatchResult(record_id, error=failure)  # record (llm.http.RequestRejected)

    # --- the summary path -------------------------------------------------------------------
    def _summarize(
        self,
        document: Document,
        sentences: int | None,
        ratio: float | None,
        translate: bool,
        whole: bool,
    ) -> Report:
        from translate_cli.summarize import SummaryRequest

        summarizer = self.summarizer
        english: dict[int, str | None] = {}
        evidence: dict[int, TranslatedSentence] = {}
        # Identified whether or not anything is translated (the notice for a document that is
        # not Indonesian, ``meta.language`` and each sentence's language need no model); the
        # identifier loads while the summariser works.
        language.prefetch()
        if translate and document.sentences and (whole or summarizer.needs_translations):
            evidence = {item.sentence.index: item for item in self.stream(document)}
            english = {index: item.translation for index, item in evidence.items()}
        request = SummaryRequest(
            sentences=self.settings.sentences if sentences is None else sentences,
            ratio=self.settings.ratio if ratio is None else ratio,
            english=translate,
            translations=[english[s.index] or "" for s in document.sentences] if english else None,
        )
        with self.hooks.status("Writing the summary…") if document.sentences else nullcontext():
            result = summarizer.summarize(document, request)
        title, summary = result.title, result.items
        languages = self._languages(document) if document.sentences else None
        if translate:
            kept = self._kept_english(languages) if languages else frozenset()
            title, summary = self._translate_summary(
                document, result.title, result.items, english, evidence, kept
            )
        items = tuple(
            evidence.get(s.index) or TranslatedSentence(s, english.get(s.index))
            for s in document.sentences
        )
        if languages is not None:
            items = tuple(replace(i, language=languages.sentences[i.sentence.index]) for i in items)
        return self._report(
            items,
            translated=True,
            title=title,
            summary=summary,
            english=translate,
            language=self._document_language(document),
        )

    def _translate_summary(
        self,
        document: Document,
        title: SummaryItem | None,
        summary: Sequence[SummaryItem],
        english: dict[int, str | None],
        evidence: dict[int, TranslatedSentence],
        kept: frozenset[int] = frozenset(),
    ) -> tuple[SummaryItem | None, tuple[SummaryItem, ...]]:
        """Give every quoted item its English, and every quoted sentence too (so a pick shown
        without its dateline still has its whole sentence translated in ``sentences``).
        ``english`` (index → translation) and ``evidence`` (index → the sentence with its
        score and flags) are filled in with the sentences translated here. A quoted sentence
        in ``kept`` (English inside an Indonesian article) is kept as written, as ``stream``
        keeps it: never sent to the model."""
        title = _as_written(title, kept) if title else None
        summary = tuple(_as_written(item, kept) for item in summary)
        quoted = [i for i in ([title] if title else []) + list(summary) if i.index is not None]
        for item in quoted:
            if item.index in kept and english.get(item.index) is None:
                sentence = document.sentences[item.index]
                english[item.index] = sentence.text
                evidence[item.index] = _kept_as_written(sentence)
        whole = {i.index: document.sentences[i.index].text for i in quoted if i.index is not None}
        wanted = [i.source for i in quoted if i.translation is None]
        wanted += [text for index, text in whole.items() if english.get(index) is None]
        known = _known(document, english)
        unique = list(dict.fromkeys(t for t in wanted if t not in known))
        # Nothing new to translate (an empty document, a run that translated everything):
        # the model is not even loaded.
        if unique:
            use_document(self.translator, [s.text for s in document.sentences])
        found = (
            dict(zip(unique, translations(self.translator, unique), strict=True)) if unique else {}
        )
        done = {text: output.text for text, output in found.items()}
        done.update(known)
        for index, text in whole.items():
            english[index] = done[text]
            if index not in evidence and text in found:
                evidence[index] = self._with_evidence(document.sentences[index], found[text])

        def translated(item: SummaryItem) -> SummaryItem:
            if item.index is None or item.translation is not None:
                return item
            return replace(item, translation=done[item.source])

        return (translated(title) if title else None), tuple(translated(i) for i in summary)

    def _report(
        self,
        items: tuple[TranslatedSentence, ...],
        *,
        translated: bool,
        title: SummaryItem | None = None,
        summary: tuple[SummaryItem, ...] | None = None,
        english: bool = True,
        language: str | None = None,
    ) -> Report:
        return Report(
            sentences=items,
            translated=translated,
            model=self.settings.model if english else None,
            title=title,
            summary=summary,
            target_lang=TARGET_LANG if english else None,
            language=language,
        )


def _kept_as_written(sentence: Sentence) -> TranslatedSentence:
    """An English sentence of a non-English document: its own text, flagged, no model."""
    return TranslatedSentence(sentence, sentence.text, None, (quality.KEPT_ENGLISH,))


def _as_written(item: SummaryItem, kept: frozenset[int]) -> SummaryItem:
    """A summary item quoting a kept sentence, with its own text (a trimmed dateline stays
    trimmed) as its English."""
    if item.index in kept and item.translation is None:
        return replace(item, translation=item.source)
    return item


def _known(document: Document, english: dict[int, str | None]) -> dict[str, str]:
    """Source sentence text → its translation, for the sentences already translated."""
    return {document.sentences[i].text: text for i, text in english.items() if text is not None}


def _document(text: Text) -> Document:
    return text if isinstance(text, Document) else segment_text(text)


class _NoticeHandler(logging.Handler):
    """Library notices (logged on ``translate_cli``) go to the caller's hooks, one line each."""

    def __init__(self, hooks: Hooks) -> None:
        super().__init__(logging.WARNING)
        self.hooks = hooks

    def emit(self, record: logging.LogRecord) -> None:
        self.hooks.notice(record.getMessage())


class _notices_to:
    def __init__(self, hooks: Hooks) -> None:
        self.handler = _NoticeHandler(hooks)
        self.logger = logging.getLogger("translate_cli")

    def __enter__(self) -> None:
        self.previous = self.logger.propagate
        self.logger.addHandler(self.handler)
        self.logger.propagate = False
        if self.logger.level == logging.NOTSET or self.logger.level > logging.WARNING:
            self.logger.setLevel(logging.WARNING)

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.propagate = self.previous
