"""``markdown``: a report — title, summary, and a sentence table (or a sentence list).

Markdown is often turned into HTML, so every text taken from the input is shown literally
(``literal``): one line (``readable.py``), and each character Markdown would read as markup —
raw HTML, link and image brackets, emphasis, table pipes, entities, a list or heading marker at
the start — escaped with a backslash. The only link is a page's own ``http(s)`` URL. Flagged
translations, the title's and the summary's included, carry their mark (``marks.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote

from translate_cli.render import View, WholeDocument, Writer
from translate_cli.render.marks import (
    Flags,
    legend_flags,
    legend_lines,
    letters,
    mark,
    summary_flags,
)
from translate_cli.render.readable import one_line
from translate_cli.report import Report, SummaryItem, paragraphs

# ASCII punctuation with a meaning in CommonMark or GFM inline text: a backslash makes it literal.
_MARKUP = re.compile(r"([\\`*_\[\]<>|&~#])")
# What would open a block at the start of a line: a list item, a setext rule, an ordered list.
_BLOCK_START = re.compile(r"^(?:([-+=])|(\d{1,9})([.)]))")


def literal(text: str | None) -> str:
    """``text`` as Markdown that shows exactly it, on one line, and nothing more."""
    escaped = _MARKUP.sub(r"\\\1", one_line(text or ""))
    return _BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)


def _link_target(url: str) -> str | None:
    """A page URL as a link destination, or None when it is not http(s) (not linked)."""
    url = one_line(url)
    if not re.match(r"https?://", url, re.IGNORECASE):
        return None
    return re.sub(r"[<>\\\s]", lambda m: quote(m.group()), url)


def _code_mark(flags: Sequence[str]) -> str:
    return f" `{mark(flags)}`" if flags else ""


class MarkdownRenderer(WholeDocument):
    def write(self, out: Writer, report: Report, view: View) -> None:
        if view.header is not None:
            out.write(f"**{literal(view.header)}**\n\n")
        if report.meta:
            out.write(_meta(report.meta))
        out.write(markdown_report(report))
        out.flush()


def _meta(meta: dict[str, str | None]) -> str:
    """A web page's source line: ``> [Site](<url>) · date · author``."""
    url, site = meta.get("url"), meta.get("site")
    target = _link_target(url) if url else None
    shown = literal(site or url)
    source = f"[{shown}](<{target}>)" if target else shown
    parts = [p for p in (source, literal(meta.get("date")), literal(meta.get("author"))) if p]
    return f"> {' · '.join(parts)}\n\n" if parts else ""


def markdown_report(report: Report) -> str:
    if not report.translated and report.summary is None:  # sentences only: a numbered list
        return "\n".join(
            "".join(f"{i.sentence.index + 1}. {literal(i.sentence.text)}\n" for i in paragraph)
            for paragraph in paragraphs(report.sentences)
        )
    title_flags, item_flags = summary_flags(report)
    parts: list[str] = []
    if report.title:
        if report.title.translation:
            parts.append(f"# {literal(report.title.translation)}{_code_mark(title_flags)}\n")
            parts.append(f"*{literal(report.title.source)}*\n")
        else:
            parts.append(f"# {literal(report.title.source)}\n")
    if report.summary is not None:
        parts.append(_summary(report.summary, item_flags))
    sentences = report.summary is None or report.every_sentence_translated
    if sentences:
        if report.summary is not None:
            parts.append("## Translation\n")
        parts.append(_sentence_table(report))
    flags = legend_flags(report, sentences=sentences)
    if flags:  # the marks explained, under the tables
        parts.append("\n".join(f"- `{line}`" for line in legend_lines(flags)) + "\n")
    if report.model and report.translated:
        parts.append(f"*Translated with {literal(report.model)}.*\n")
    return "\n".join(parts)


def _sentence_table(report: Report) -> str:
    flagged = any(i.flags for i in report.sentences)  # a narrow column of marks
    rows = ["| # | Indonesian | English |" + (" ! |" if flagged else "")]
    rows.append("|---:|---|---|" + ("---|" if flagged else ""))
    for i in report.sentences:
        row = f"| {i.sentence.index + 1} | {literal(i.sentence.text)} | {literal(i.translation)} |"
        rows.append(row + (f" {letters(i.flags)} |" if flagged else ""))
    return "\n".join(rows) + "\n"


def _summary(summary: Sequence[SummaryItem], flags: list[Flags]) -> str:
    items = list(summary)
    lines = ["## Summary\n"]
    if items and all(i.index is None for i in items):  # an abstract: prose, not a list
        for item in items:
            if item.translation:
                lines.append(f"{literal(item.translation)}\n")
                lines.append(f"*{literal(item.source)}*\n")
            else:
                lines.append(f"{literal(item.source)}\n")
        return "\n".join(lines)
    for item, item_flags in zip(items, flags, strict=True):
        if item.translation:
            english = f"{literal(item.translation)}{_code_mark(item_flags)}"
            lines.append(f"- {english}  \n  *{literal(item.source)}*")
        else:
            lines.append(f"- {literal(item.source)}")
    return "\n".join(lines) + "\n"


MARKDOWN = MarkdownRenderer()
