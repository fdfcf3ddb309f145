"""Turning results into text, markdown, JSON and JSONL (and rich tables on a terminal).

Plain text and JSONL are written as results arrive and flushed, so a pipe sees the first lines
while a long document is still being translated; JSON and tables need the whole document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from translate_cli.document import Document
from translate_cli.pipeline import Report
from translate_cli.report import SummaryItem, TranslatedSentence

FORMATS = ("text", "markdown", "json", "jsonl")


# --- JSON shapes (documented in the README; keep the keys stable) ---------------------------
def sentence_record(item: TranslatedSentence, *, with_translation: bool = True) -> dict[str, Any]:
    record: dict[str, Any] = {
        "paragraph": item.sentence.paragraph,
        "index": item.sentence.index,
        "source": item.sentence.text,
    }
    if with_translation:
        record["translation"] = item.translation
    return record


def summary_record(item: SummaryItem) -> dict[str, Any]:
    return {"index": item.index, "source": item.source, "translation": item.translation}


def report_record(report: Report, command: str) -> dict[str, Any]:
    """What ``--format json`` prints for one document."""
    if command == "segment":
        return {"sentences": [sentence_record(s, with_translation=False) for s in report.sentences]}
    record: dict[str, Any] = {"model": report.model}
    if command != "translate":
        record["title"] = summary_record(report.title) if report.title else None
    record["sentences"] = [sentence_record(s) for s in report.sentences]
    if command != "translate":
        record["summary"] = [summary_record(s) for s in report.summary or ()]
    return record


def write_json_line(out: IO[str], record: dict[str, Any]) -> None:
    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()


# --- streaming writers ----------------------------------------------------------------------
def stream_sentences(
    out: IO[str], items: Iterable[TranslatedSentence], *, with_translation: bool
) -> list[TranslatedSentence]:
    """JSONL, one sentence object a line, flushed as each arrives; returns what it wrote."""
    written = []
    for item in items:
        write_json_line(out, sentence_record(item, with_translation=with_translation))
        written.append(item)
    return written


def stream_plain(
    out: IO[str], items: Iterable[TranslatedSentence], *, english: bool
) -> list[TranslatedSentence]:
    """Plain text as it arrives: a paragraph a block (English) or a sentence a line (source)."""
    written: list[TranslatedSentence] = []
    for paragraph in _paragraph_groups(items):
        if written:
            out.write("\n")
        if english:
            out.write(" ".join(i.translation or "" for i in paragraph).strip() + "\n")
        else:
            out.write("".join(i.sentence.text + "\n" for i in paragraph))
        out.flush()
        written.extend(paragraph)
    return written


def _paragraph_groups(items: Iterable[TranslatedSentence]) -> Iterator[list[TranslatedSentence]]:
    group: list[TranslatedSentence] = []
    for item in items:
        if group and item.sentence.paragraph != group[-1].sentence.paragraph:
            yield group
            group = []
        group.append(item)
    if group:
        yield group


# --- whole-document writers -----------------------------------------------------------------
def write_report(out: IO[str], report: Report, command: str, fmt: str, *, tty: bool) -> None:
    """Render one finished document in ``fmt`` (rich tables for text on a terminal)."""
    if fmt in ("json", "jsonl"):
        record = report_record(report, command)
        text = json.dumps(record, ensure_ascii=False, indent=2 if fmt == "json" else None)
        out.write(text + "\n")
    elif fmt == "markdown":
        out.write(markdown_report(report, command))
    elif tty:
        _rich_report(out, report, command)
    else:
        out.write(plain_report(report, command))
    out.flush()


def plain_report(report: Report, command: str) -> str:
    lines: list[str] = []
    if command in ("summarize", "run"):
        lines += _plain_summary(report)
    if command == "segment":
        for paragraph in _paragraph_groups(report.sentences):
            lines += [i.sentence.text for i in paragraph] + [""]
    elif command in ("translate", "run"):
        if command == "run":
            lines.append("Translation:")
        for paragraph in _paragraph_groups(report.sentences):
            lines += [" ".join(i.translation or "" for i in paragraph).strip(), ""]
    return "\n".join(lines).rstrip("\n") + "\n" if lines else ""


def _plain_summary(report: Report) -> list[str]:
    lines: list[str] = []
    if report.title:
        lines.append(f"Title: {report.title.source}")
        if report.title.translation:
            lines.append(f"       {report.title.translation}")
        lines.append("")
    summary = report.summary or ()
    if summary:
        lines += ["Summary (Indonesian):", *(s.source for s in summary), ""]
        if any(s.translation for s in summary):
            lines += ["Summary (English):", *(s.translation or "" for s in summary), ""]
    return lines


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def markdown_report(report: Report, command: str) -> str:
    parts: list[str] = []
    if command == "segment":
        for paragraph in _paragraph_groups(report.sentences):
            parts.append("".join(f"{i.sentence.index + 1}. {i.sentence.text}\n" for i in paragraph))
        return "\n".join(parts)
    if report.title:
        heading = report.title.translation or report.title.source
        parts.append(f"# {heading}\n")
        if report.title.translation:
            parts.append(f"*{report.title.source}*\n")
    if command in ("summarize", "run"):
        parts.append(_markdown_summary(report.summary or ()))
    if command in ("translate", "run"):
        if command == "run":
            parts.append("## Translation\n")
        rows = ["| # | Indonesian | English |", "|---:|---|---|"]
        rows += [
            f"| {i.sentence.index + 1} | {_cell(i.sentence.text)} | {_cell(i.translation)} |"
            for i in report.sentences
        ]
        parts.append("\n".join(rows) + "\n")
    if report.model:
        parts.append(f"*Translated with {report.model}.*\n")
    return "\n".join(parts)


def _markdown_summary(summary: Iterable[SummaryItem]) -> str:
    items = list(summary)
    lines = ["## Summary\n"]
    if items and all(i.index is None for i in items):  # an abstract: prose, not a list
        for item in items:
            if item.translation:
                lines.append(f"{item.translation}\n")
            lines.append(f"*{item.source}*\n" if item.translation else f"{item.source}\n")
        return "\n".join(lines)
    for item in items:
        if item.translation:
            lines.append(f"- {item.translation}  \n  *{item.source}*")
        else:
            lines.append(f"- {item.source}")
    return "\n".join(lines) + "\n"


def _rich_report(out: IO[str], report: Report, command: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, highlight=False, soft_wrap=False)
    if command == "segment":
        out.write(plain_report(report, command))
        return
    if report.title:
        console.print(f"[bold]{report.title.translation or report.title.source}[/]")
        if report.title.translation:
            console.print(f"[dim]{report.title.source}[/]")
        console.print()
    if command in ("summarize", "run") and report.summary:
        table = Table(title="Summary", show_lines=True, expand=True)
        table.add_column("Indonesian", ratio=1)
        table.add_column("English", ratio=1)
        for item in report.summary:
            table.add_row(item.source, item.translation or "[dim]—[/]")
        console.print(table)
    if command in ("translate", "run"):
        table = Table(title="Translation" if command == "run" else None, expand=True)
        table.add_column("#", justify="right", style="dim", no_wrap=True)
        table.add_column("Indonesian", ratio=1)
        table.add_column("English", ratio=1)
        previous = None
        for row in report.sentences:
            if previous is not None and row.sentence.paragraph != previous:
                table.add_section()
            previous = row.sentence.paragraph
            table.add_row(str(row.sentence.index + 1), row.sentence.text, row.translation or "")
        console.print(table)
    if report.model:
        console.print(f"[dim]model: {report.model}[/]")


def document_report(document: Document) -> Report:
    """The report of a segmented, untranslated document (``segment``)."""
    return Report(
        model=None, sentences=tuple(TranslatedSentence(s, None) for s in document.sentences)
    )
