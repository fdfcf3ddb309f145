"""The loop every document command shares: inputs → Pipeline task → renderer → output.

Nothing here knows how a task is done or how a format looks: the pipeline makes a Report,
the format registry renders it. This only decides the order of things a terminal user sees:
checks before work, the model loaded before the first output, a progress bar erased before
the table that follows it, and one batch line per input record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from translate_cli.config import Settings
from translate_cli.errors import TranslateCliError, UsageError
from translate_cli.inputs import INPUT_FORMATS, Record, check_inputs, read_records
from translate_cli.output import check_output, json_document, open_output
from translate_cli.pipeline import BatchResult, Pipeline
from translate_cli.render import FORMATS, Renderer, View, Writer
from translate_cli.render.json import write_line
from translate_cli.segment import segment
from translate_cli.terminal import Environment

EXTRACT_FORMATS = ("text", "json", "jsonl")


@dataclass(frozen=True)
class Job:
    """One command's work, as parsed from its options."""

    task: str  # a Pipeline task: segment, translate, summarize, run
    inputs: Sequence[str]
    format: str
    input_format: str
    output: str | None
    settings: Settings
    options: dict[str, Any] = field(default_factory=dict)  # the task's own: translate=False

    @property
    def needs_model(self) -> bool:
        return self.task != "segment" and self.options.get("translate", True)


def check_input_format(value: str) -> str:
    key = value.strip().lower()
    if key not in INPUT_FORMATS:
        choices = ", ".join(INPUT_FORMATS)
        raise UsageError(f"--input-format: {value!r} is not one of {choices}")
    return key


def drive(job: Job, env: Environment) -> int:
    """Run ``job``; returns the exit status (non-zero when a batch record failed)."""
    fmt = FORMATS.check(job.format, "--format")
    renderer = FORMATS.get(fmt)
    input_format = check_input_format(job.input_format)
    check_inputs(job.inputs, stdin=env.stdin)
    check_output(job.output)
    # Several files, or JSONL records, are a batch when the format is JSON: one object a line.
    batch = input_format == "jsonl" or (len(job.inputs) > 1 and fmt in ("json", "jsonl"))
    terminal = (job.output in (None, "-")) and env.stdout_isatty
    with (
        Pipeline(job.settings, hooks=env) as pipeline,
        open_output(job.output, stdout=env.stdout) as out,
    ):
        if job.task in ("summarize", "run"):
            _ = pipeline.summarizer  # its options and prompt templates are checked now
        records = read_records(
            job.inputs, input_format, stdin=env.stdin, timeout=job.settings.timeout
        )
        if batch:
            return _write_batch(pipeline, job, records, env, out)
        shown = 0  # documents rendered so far
        for record in records:
            if record.error is not None:
                raise record.error
            header = record.source if len(job.inputs) > 1 else None
            if header is not None and shown:
                out.write("\n")  # a blank line between documents, as `head a b` has
            view = View(terminal=terminal, width=env.width, color=env.color, header=header)
            shown += _render_document(pipeline, job, record, renderer, view, out)
    return 0


def _write_batch(
    pipeline: Pipeline, job: Job, records: Iterable[Record], env: Environment, out: Writer
) -> int:
    """One JSON line a record, its result or its error; the worst error's status at the end."""
    failed: list[TranslateCliError] = []
    for result in pipeline.batch(records, job.task, **job.options):
        if result.error is not None:
            failed.append(result.error)
            env.error(result.error.message)
        write_line(out, result.to_dict())
    return _status(failed)


def _status(failed: Sequence[TranslateCliError]) -> int:
    return int(max(error.exit_status for error in failed)) if failed else 0


def _render_document(
    pipeline: Pipeline, job: Job, record: Record, renderer: Renderer, view: View, out: Writer
) -> int:
    """Render one document; returns how many were shown (0 for an empty one)."""
    document = segment(record.text)
    if not document.sentences:  # an empty text input prints nothing
        return 0
    if job.needs_model:
        pipeline.load()  # errors (model unavailable) before any output
    if job.task in ("segment", "translate") and renderer.can_stream(view):
        translated = job.task == "translate"
        items = pipeline.stream(document) if translated else pipeline.segment(document).sentences
        renderer.stream(out, items, translated=translated, view=view)
        return 1
    report = pipeline.task(job.task, **job.options)(document)  # a progress bar ends inside
    if record.meta is not None:
        report = replace(report, meta=record.meta)
    renderer.write(out, report, view)
    return 1


def drive_extract(job: Job, env: Environment) -> int:
    """``extract``: each input's clean article text (HTML) or its text as is; no model."""
    fmt = job.format.strip().lower()
    if fmt not in EXTRACT_FORMATS:
        raise UsageError(f"--format: {job.format!r} is not one of {', '.join(EXTRACT_FORMATS)}")
    input_format = check_input_format(job.input_format)
    check_inputs(job.inputs, stdin=env.stdin)
    check_output(job.output)
    batch = input_format == "jsonl" or (len(job.inputs) > 1 and fmt != "text")
    failed: list[TranslateCliError] = []
    with open_output(job.output, stdout=env.stdout) as out:
        records = read_records(
            job.inputs, input_format, stdin=env.stdin, timeout=job.settings.timeout
        )
        for number, record in enumerate(records):
            if record.error is not None:
                if not batch:
                    raise record.error
                failed.append(record.error)
                env.error(record.error.message)
                write_line(out, BatchResult(record.id, error=record.error).to_dict())
                continue
            if batch:
                write_line(out, {"id": record.id, **extracted(record)})
            elif fmt == "json":
                out.write(json_document(extracted(record)))
            elif fmt == "jsonl":
                write_line(out, extracted(record))
            else:
                if len(job.inputs) > 1:
                    out.write(("\n" if number else "") + f"==> {record.source} <==\n")
                out.write(_paragraph_text(record.text))
            out.flush()
    return _status(failed)


def _paragraphs(text: str) -> list[str]:
    return [" ".join(part.split("\n")).strip() for part in text.split("\n\n") if part.strip()]


def _paragraph_text(text: str) -> str:
    paragraphs = [part.strip("\n") for part in text.split("\n\n") if part.strip()]
    return "\n\n".join(paragraphs) + "\n" if paragraphs else ""


def extracted(record: Record) -> dict[str, Any]:
    """What ``extract --format json`` prints: the page's meta (null for text) and paragraphs,
    the title first."""
    return {"meta": record.meta, "paragraphs": _paragraphs(record.text)}
