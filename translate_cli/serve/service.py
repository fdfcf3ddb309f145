"""What the server does, without the web stack: the model loaded once, its batcher, a pool of
threads that run the pipeline (one ``Pipeline`` per thread, all on the one ``SharedEngine``),
and the operations the endpoints answer.

Every operation runs in a pool thread for one request's ``Ticket``; the endpoints only parse,
check and shape (``serve/app.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from translate_cli.config import Settings
from translate_cli.document import Document
from translate_cli.errors import InputError
from translate_cli.pipeline import TASKS, Pipeline
from translate_cli.segment import language
from translate_cli.segment import segment as segment_text
from translate_cli.serve.batcher import Batcher, SharedEngine, Ticket
from translate_cli.serve.markup import translate_html
from translate_cli.serve.options import ServeOptions
from translate_cli.web.network import host_addresses, is_public_address, is_url, safe_url

T = TypeVar("T")


class TooLarge(InputError):
    """A request over one of the server's limits (sentences, texts)."""


@dataclass(frozen=True)
class Detected:
    language: str
    confidence: float  # 0 to 100, as LibreTranslate reports it


class Service:
    """The loaded engine behind its batcher, and the pool that runs requests' pipelines."""

    def __init__(self, settings: Settings, options: ServeOptions, engine: Any) -> None:
        self.settings = settings
        self.options = options
        self.batcher = Batcher(engine, window=options.batch_window)
        self.engine = SharedEngine(self.batcher)
        self.pool = ThreadPoolExecutor(options.limits.max_pending, thread_name_prefix="request")
        self._local = threading.local()

    @classmethod
    def open(cls, settings: Settings, options: ServeOptions) -> Service:
        """Load the model (its errors raise here, before the server listens)."""
        from translate_cli.engines import open_translator

        language.prefetch()  # the language model decompresses while the model loads
        return cls(settings, options, open_translator(settings))

    @property
    def model(self) -> str:
        return self.settings.model

    def close(self) -> None:
        """Finish the requests in the pool, then the batcher's queue; close the engine."""
        self.pool.shutdown(wait=True)
        self.batcher.close()

    def submit(self, ticket: Ticket, work: Callable[[], T]) -> Future[T]:
        """Run ``work`` in a pool thread, its engine calls charged to ``ticket``."""

        def run() -> T:
            self.engine.use(ticket)
            return work()

        return self.pool.submit(run)

    def pipeline(self) -> Pipeline:
        """This thread's pipeline (its terms and memory layers are per document and per
        thread; the engine behind them is the one shared)."""
        found: Pipeline | None = getattr(self._local, "pipeline", None)
        if found is None:
            found = Pipeline(self.settings, translator=self.engine)
            self._local.pipeline = found
        return found

    # --- the operations (each in a pool thread) ---------------------------------------------
    def documents(self, texts: Sequence[str]) -> list[Document]:
        """``texts`` split into sentences, refused when together over the sentence limit."""
        documents = [segment_text(text) for text in texts]
        count = sum(len(d.sentences) for d in documents)
        most = self.options.limits.max_sentences
        if count > most:
            raise TooLarge(f"Invalid request: {count} sentences exceed the limit ({most})")
        return documents

    def translate_texts(self, texts: Sequence[str]) -> list[str]:
        """Each text translated, its white space and line breaks kept. The texts are read as
        one document (one pipeline call, so all their sentences reach the batcher at once;
        names are protected across them), each its own paragraphs."""
        documents = self.documents(texts)
        starts: list[int] = []
        spans: list[tuple[int, int, int]] = []
        at = paragraphs = 0
        for document in documents:
            starts.append(at)
            spans += [
                (paragraphs + s.paragraph, at + s.start, at + s.end) for s in document.sentences
            ]
            paragraphs += document.paragraph_count + 1
            at += len(document.text) + len(_BETWEEN)
        whole = Document.from_spans(_BETWEEN.join(d.text for d in documents), spans)
        report = self.pipeline().translate(whole) if whole.sentences else None
        english = {
            (item.sentence.start, item.sentence.end): item.translation or item.sentence.text
            for item in (report.sentences if report else ())
        }
        results = []
        for document, start in zip(documents, starts, strict=True):
            pieces: list[str] = []
            done = 0
            for sentence in document.sentences:
                found = english.get((start + sentence.start, start + sentence.end), sentence.text)
                pieces += [document.text[done : sentence.start], found]
                done = sentence.end
            pieces.append(document.text[done:])
            results.append("".join(pieces))
        return results

    def translate_markup(self, markup: str) -> str:
        """``markup`` (HTML) with its text translated and its tags kept."""
        return translate_html(markup, self.translate_texts)

    def detect(self, text: str) -> list[Detected]:
        """The likeliest languages of ``text``, best first (LibreTranslate's ``/detect``)."""
        return [Detected(code, round(p * 100, 1)) for code, p in language.ranked(text)]

    def report(self, task: str, text: str | None, url: str | None) -> dict[str, Any]:
        """The library's ``Report`` of ``task`` on the text, or on the page at ``url``, as
        ``--format json`` prints it."""
        from translate_cli.inputs import read_records

        pipeline = self.pipeline()
        if url is not None:
            self.check_url(url)
            (record,) = read_records([url], "auto", timeout=self.settings.timeout)
            if record.error is not None:
                raise record.error
            text = record.text
            self.documents([text])
            (result,) = pipeline.batch([record], task)
        else:
            assert text is not None
            (document,) = self.documents([text])
            (result,) = pipeline.batch([_Record(document)], task)
        if result.error is not None:
            raise result.error
        assert result.report is not None
        return result.report.to_dict()

    def check_url(self, url: str) -> None:
        """A URL a request may have fetched: http(s), and on the public internet unless the
        server allows private ones (a web page a browser shows could otherwise make this
        server reach into the machine's own network)."""
        if not is_url(url):
            raise InputError(f"Invalid request: {safe_url(url)} is not an http(s) URL")
        if self.options.allow_private_urls:
            return
        from urllib.parse import urlsplit

        host = urlsplit(url).hostname or ""
        addresses = host_addresses(host)
        if not addresses or not all(is_public_address(a) for a in addresses):
            raise InputError(
                f"Invalid request: {safe_url(url)} is not a public address "
                "(the server was not started with --allow-private-urls)"
            )


@dataclass(frozen=True)
class _Record:
    """A text given in a request, as ``Pipeline.batch`` reads records."""

    text: Document
    id: int = 1


REPORT_TASKS = tuple(TASKS.names())
_BETWEEN = "\n\n"  # between the texts of one request: a paragraph break
