"""The loop every document command shares: inputs → Pipeline task → renderer → output.

Nothing here knows how a task is done or how a format looks: the pipeline makes a Report,
the format registry renders it. This only decides the order of things a terminal user sees:
checks before work, the model loaded before the first output, a progress bar erased before
the table that follows it, and one batch line per input record.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from translate_cli.config import Settings
from translate_cli.errors import UsageError
from translate_cli.humanize import printable
from translate_cli.inputs import (
    INPUT_FORMATS,
    Record,
    check_inputs,
    document_kind,
    read_records,
    read_source,
)
from translate_cli.output import check_output, json_document, open_output
from translate_cli.pipeline import BatchResult, Pipeline, Work, batch_status
from translate_cli.registry import Registry
from translate_cli.render import FORMATS, Renderer, View, Writer
from translate_cli.render.json import write_line
from translate_cli.segment import segment
from translate_cli.terminal import Environment


@dataclass(frozen=True)
class Io:
    """Where a document command reads and writes, as its options say."""

    inputs: Sequence[str]
    format: str
    input_format: str
    output: str | None

    @property
    def several(self) -> bool:
        return len(self.inputs) > 1


@dataclass(frozen=True)
class Job:
    """One document command: what it reads and writes, and the work it does."""

    io: Io
    work: Work


def drive(job: Job, env: Environment) -> int:
    """Run ``job``; returns the exit status (non-zero when a batch record failed)."""
    io, work = job.io, job.work
    copy = copy_format(io, work.task)
    if copy is not None:
        return drive_copy(job, copy, env)
    fmt = FORMATS.check(io.format)
    renderer = FORMATS.get(fmt)
    input_format = INPUT_FORMATS.check(io.input_format)
    check_inputs(io.inputs, stdin=env.stdin)
    check_output(io.output)
    # Several files, or JSONL records, are a batch when the format is JSON: one object a line.
    batch = input_format == "jsonl" or (io.several and fmt in ("json", "jsonl"))
    terminal = (io.output in (None, "-")) and env.stdout_isatty
    with (
        Pipeline(work.settings, hooks=env) as pipeline,
        open_output(io.output, stdout=env.stdout) as out,
    ):
        if work.kind.summarizes:
            _ = pipeline.summarizer  # its options and prompt templates are checked now
        records, several = _listed(
            read_records(
                io.inputs,
                input_format,
                stdin=env.stdin,
                timeout=work.settings.timeout,
                allow_private_redirects=work.settings.allow_private_redirects,
                status=env.status,  # a spinner naming the host while a page downloads
                ocr=work.settings.ocr,
            ),
            io.several,
        )
        batch = batch or (several and fmt in ("json", "jsonl"))
        if batch:
            return _write_batch(pipeline, work, records, env, out)
        shown = 0  # documents rendered so far
        for record in records:
            if record.error is not None:
                raise record.error
            header = record.source if several else None
            if header is not None and shown:
                out.write("\n")  # a blank line between documents, as `head a b` has
            view = View(terminal=terminal, width=env.width, color=env.color, header=header)
            shown += _render_document(pipeline, work, record, renderer, view, out)
    return 0


def _listed(records: Iterator[Record], several: bool) -> tuple[Iterator[Record], bool]:
    """``records`` unchanged, and whether they are several documents: several inputs, or a
    feed (known from its first record), whose articles are then written as several inputs'
    are (a header each, or one JSON line each)."""
    first = next(records, None)
    if first is None:
        return iter(()), several
    return itertools.chain([first], records), several or first.feed is not None


def _write_batch(
    pipeline: Pipeline, work: Work, records: Iterable[Record], env: Environment, out: Writer
) -> int:
    """One JSON line a record, its result or its error; ``batch_status`` at the end."""
    failures: list[int] = []
    for result in pipeline.batch(records, work.task, **work.options):
        if result.error is not None:
            failures.append(result.error.exit_status)
            env.error(result.error.message)
        write_line(out, result.to_dict())
    return batch_status(failures)


def _render_document(
    pipeline: Pipeline, work: Work, record: Record, renderer: Renderer, view: View, out: Writer
) -> int:
    """Render one document; returns how many were shown (0 for an empty one)."""
    document = segment(record.text)
    if not document.sentences:  # an empty text input prints nothing
        return 0
    if work.needs_model:
        pipeline.load()  # errors (model unavailable) before any output
    if work.kind.streams and renderer.can_stream(view):
        translated = work.kind.translates
        items = pipeline.stream(document) if translated else pipeline.segment(document).sentences
        renderer.stream(out, items, translated=translated, view=view)
        return 1
    report = pipeline.task(work.task, **work.options)(document)  # a progress bar ends inside
    if record.meta is not None:
        report = replace(report, meta=record.meta)
    renderer.write(out, report, view)
    return 1


# extract's formats: how one input's article is written outside a batch (the header is the
# input's name when several are given).
ExtractWriter = Callable[[Writer, Record, str | None], None]


def _extract_text(out: Writer, record: Record, header: str | None) -> None:
    """Paragraphs a block, as the reading formats show text: no control characters."""
    if header is not None:
        out.write(printable(header))
    out.write(printable(_paragraph_text(record.text)))


def _extract_json(out: Writer, record: Record, header: str | None) -> None:
    out.write(json_document(extracted(record)))


def _extract_jsonl(out: Writer, record: Record, header: str | None) -> None:
    write_line(out, extracted(record))


EXTRACT_FORMATS: Registry[ExtractWriter] = Registry("format")
EXTRACT_FORMATS.register("text", _extract_text, help="title, then paragraphs")
EXTRACT_FORMATS.register("json", _extract_json, help="meta and paragraphs, one JSON document")
EXTRACT_FORMATS.register("jsonl", _extract_jsonl, help="meta and paragraphs, one JSON line")


def drive_extract(io: Io, settings: Settings, env: Environment) -> int:
    """``extract``: each input's clean article text (HTML) or its text as is; no model."""
    fmt = EXTRACT_FORMATS.check(io.format)
    write = EXTRACT_FORMATS.get(fmt)
    input_format = INPUT_FORMATS.check(io.input_format)
    check_inputs(io.inputs, stdin=env.stdin)
    check_output(io.output)
    batch = input_format == "jsonl" or (io.several and fmt != "text")
    failures: list[int] = []
    with open_output(io.output, stdout=env.stdout) as out:
        records, several = _listed(
            read_records(
                io.inputs,
                input_format,
                stdin=env.stdin,
                timeout=settings.timeout,
                allow_private_redirects=settings.allow_private_redirects,
                status=env.status,
                ocr=settings.ocr,
            ),
            io.several,
        )
        batch = batch or (several and fmt != "text")
        for number, record in enumerate(records):
            if record.error is not None:
                if not batch:
                    raise record.error
                failures.append(record.error.exit_status)
                env.error(record.error.message)
                write_line(out, BatchResult(record.id, error=record.error).to_dict())
                continue
            if batch:
                write_line(out, {"id": record.id, **extracted(record)})
            else:
                header = ("\n" if number else "") + f"==> {record.source} <==\n"
                write(out, record, header if several else None)
            out.flush()
    return batch_status(failures)


def _article_paragraphs(text: str) -> list[str]:
    """The paragraphs as every command finds them (``segment``: blank lines, or one paragraph a
    line), each as written: one layout for a page, a text file laid out either way, stdin."""
    return [text[p[0].start : p[-1].end] for p in segment(text).paragraphs()]


def _paragraphs(text: str) -> list[str]:
    return [" ".join(part.split("\n")).strip() for part in _article_paragraphs(text)]


def _paragraph_text(text: str) -> str:
    paragraphs = _article_paragraphs(text)
    return "\n\n".join(paragraphs) + "\n" if paragraphs else ""


def extracted(record: Record) -> dict[str, Any]:
    """What ``extract --format json`` prints: the page's meta (null for text) and paragraphs,
    the title first."""
    return {"meta": record.meta, "paragraphs": _paragraphs(record.text)}


# Translated copies of documents: the input's own file, its text in English. A format here is a
# document kind (translate_cli.documents) and its writer: ``write(data, translate, name=...)``.
CopyWriter = Callable[..., bytes]
COPY_FORMATS: Registry[CopyWriter] = Registry("format")
COPY_FORMATS.register(
    "docx",
    "translate_cli.documents.docx_copy:translate_docx",
    help="a translated copy of a Word input (-o FILE.docx implies it)",
)


def copy_format(io: Io, task: str) -> str | None:
    """The copy asked for: ``-f docx``, or ``translate``'s ``-o FILE.docx`` with no ``-f``."""
    fmt = io.format.strip().lower()
    if fmt in COPY_FORMATS:
        return fmt
    output = (io.output or "").lower()
    if fmt == "text" and task == "translate":
        return next((name for name in COPY_FORMATS.names() if output.endswith(f".{name}")), None)
    return None


def drive_copy(job: Job, fmt: str, env: Environment) -> int:
    """``translate -f docx``: one Word file in, its translated copy out (bytes)."""
    io, work = job.io, job.work
    what = f"-f {fmt}" if io.format.strip().lower() == fmt else f"-o {io.output}"
    if work.task != "translate":
        raise UsageError(f"{what}: only translate writes a translated copy of a document")
    if io.several:
        raise UsageError(f"{what}: a translated copy is one file; give one INPUT")
    input_format = INPUT_FORMATS.check(io.input_format)
    if input_format not in ("auto", fmt):
        raise UsageError(
            f"{what}: writes a copy of a {fmt} input, not --input-format {input_format}"
        )
    if io.output in (None, "-") and env.stdout_isatty:
        raise UsageError(
            f"{what}: a {fmt} file is binary; give -o FILE.{fmt} or redirect standard output"
        )
    check_inputs(io.inputs, stdin=env.stdin)
    check_output(io.output)
    settings = work.settings
    name, data, media_type = read_source(
        io.inputs[0] if io.inputs else None,
        env.stdin,
        timeout=settings.timeout,
        allow_private_redirects=settings.allow_private_redirects,
        status=env.status,
    )
    kind = document_kind(data, input_format, media_type)
    if kind != fmt:
        found = f"a {kind.upper()} document" if kind else "not a document"
        hint = (
            "use -f text (or markdown, json, html) for a translation of any input"
            if what.startswith("-f")
            else f"a FILE.{fmt} gets a translated copy; name the output otherwise for text"
        )
        raise UsageError(
            f"{what}: {name} is {found}; a translated copy is written only for a {fmt} input",
            hint=hint,
        )
    write = COPY_FORMATS.get(fmt)
    with Pipeline(settings, hooks=env) as pipeline:
        pipeline.load()  # errors (model unavailable) before any output
        copy = write(data, lambda document: pipeline.translate(document).sentences, name=name)
    with open_output(io.output, stdout=env.stdout) as out:
        out.write_bytes(copy)
    return 0
