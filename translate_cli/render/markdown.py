"""``markdown``: a report — title, summary, and a sentence table (or a sentence list)."""

from __future__ import annotations

from collections.abc import Iterable

from translate_cli.render import View, WholeDocument, Writer
from translate_cli.render.marks import legend_lines, letters, used
from translate_cli.report import Report, SummaryItem, paragraphs


class MarkdownRenderer(WholeDocument):
    def write(self, out: Writer, report: Report, view: View) -> None:
        if view.header is not None:
            out.write(f"**{_cell(view.header)}**\n\n")
        if report.meta:
            out.write(_meta(report.meta))
        out.write(markdown_report(report))
        out.flush()


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _meta(meta: dict[str, str | None]) -> str:
    """A web page's source line: ``> [Site](url) · date · author``."""
    url, site = meta.get("url"), meta.get("site")
    source = f"[{_cell(site or url)}](<{url}>)" if url else _cell(site)
    parts = [p for p in (source, _cell(meta.get("date")), _cell(meta.get("author"))) if p]
    return f"> {' · '.join(parts)}\n\n" if parts else ""


def markdown_report(report: Report) -> str:
    if not report.translated and report.summary is None:  # sentences only: a numbered list
        return "\n".join(
            "".join(f"{i.sentence.index + 1}. {i.sentence.text}\n" for i in paragraph)
            for paragraph in paragraphs(report.sentences)
        )
    parts: list[str] = []
    if report.title:
        parts.append(f"# {report.title.translation or report.title.source}\n")
        if report.title.translation:
            parts.append(f"*{report.title.source}*\n")
    if report.summary is not None:
        parts.append(_summary(report.summary))
    if report.summary is None or report.every_sentence_translated:
        if report.summary is not None:
            parts.append("## Translation\n")
        flags = used(i.flags for i in report.sentences)
        if flags:  # a narrow column of marks, explained under the table
            rows = ["| # | Indonesian | English | ! |", "|---:|---|---|---|"]
            rows += [
                f"| {i.sentence.index + 1} | {_cell(i.sentence.text)} | {_cell(i.translation)} "
                f"| {letters(i.flags)} |"
                for i in report.sentences
            ]
            rows += ["", *(f"- `{line}`" for line in legend_lines(flags))]
        else:
            rows = ["| # | Indonesian | English |", "|---:|---|---|"]
            rows += [
                f"| {i.sentence.index + 1} | {_cell(i.sentence.text)} | {_cell(i.translation)} |"
                for i in report.sentences
            ]
        parts.append("\n".join(rows) + "\n")
    if report.model and report.translated:
        parts.append(f"*Translated with {report.model}.*\n")
    return "\n".join(parts)


def _summary(summary: Iterable[SummaryItem]) -> str:
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


MARKDOWN = MarkdownRenderer()
