"""The loop every document command shares: inputs → Pipeline task → renderer → output.

Nothing here knows how a task is done or how a format looks: the pipeline makes a Report,
the format registry renders it. This only decides the order of things a terminal user sees:
checks before work, the model loaded before the first output, a progress bar erased before
the table that follows it, and one batch line per input record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from translate_cli.config import Settings
from translate_cli.errors import TranslateCliError, UsageError
from translate_cli.inputs import check_inputs, read_records
from translate_cli.output import check_output, open_output
from translate_cli.pipeline import Pipeline
from translate_cli.render import FORMATS, Renderer, View, Writer
from translate_cli.render.json import write_line
from translate_cli.segment import segment
from translate_cli.terminal import Environment

INPUT_FORMATS = ("text", "jsonl")


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
    failed: list[TranslateCliError] = []
    shown = 0  # documents rendered so far
    with (
        Pipeline(job.settings, hooks=env) as pipeline,
        open_output(job.output, stdout=env.stdout) as out,
    ):
        if job.task in ("summarize", "run"):
            _ = pipeline.summarizer  # its options and prompt templates are checked now
        records = read_records(job.inputs, input_format, stdin=env.stdin)
        if batch:
            for result in pipeline.batch(records, job.task, **job.options):
                if result.error is not None:
                    failed.append(result.error)
                    env.error(result.error.message)
                write_line(out, result.to_dict())
            records = iter(())
        for record in records:
            if record.error is not None:
                raise record.error
            header = record.source if len(job.inputs) > 1 else None
            if header is not None and shown:
                out.write("\n")  # a blank line between documents, as `head a b` has
            view = View(terminal=terminal, width=env.width, color=env.color, header=header)
            shown += _render_document(pipeline, job, record.text, renderer, view, out)
    if failed:
        return int(max(error.exit_status for error in failed))
    return 0


def _render_document(
    pipeline: Pipeline, job: Job, text: str, renderer: Renderer, view: View, out: Writer
) -> int:
    """Render one document; returns how many were shown (0 for an empty one)."""
    document = segment(text)
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
    renderer.write(out, report, view)
    return 1
