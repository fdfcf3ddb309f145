"""A report as plain text, the form every renderer without a terminal falls back to.

``translate`` gives the English a paragraph a block, ``segment`` a source sentence a line, a
summary its Indonesian and English blocks, a line an item; flagged translations (the title and
summary lines included) carry their mark and the text ends with a legend of the marks it used
(``marks.py``). The report comes ``readable`` (``readable.py``): one line a sentence.
"""

from __future__ import annotations

from collections.abc import Sequence

from translate_cli.render.marks import legend_flags, legend_lines, mark, summary_flags
from translate_cli.report import Report, TranslatedSentence, paragraphs


def meta_lines(meta: dict[str, str | None]) -> list[str]:
    """A web page's source, site, date and author: the header of its report."""
    lines = []
    if meta.get("url") or meta.get("site"):
        site = f" ({meta['site']})" if meta.get("site") and meta.get("url") else ""
        lines.append(f"Source: {meta.get('url') or meta.get('site')}{site}")
    details = [f"{key.title()}: {meta[key]}" for key in ("date", "author") if meta.get(key)]
    if details:
        lines.append(" · ".join(details))
    return lines


def marked(text: str | None, flags: Sequence[str]) -> str:
    """A translation followed by its mark, ``EN text [!L]``."""
    return " ".join(filter(None, (text, mark(flags))))


def paragraph_lines(
    paragraph: list[TranslatedSentence], english: bool, *, separate: bool
) -> list[str]:
    lines = ["\n"] if separate else []
    if english:
        lines.append(" ".join(marked(i.translation, i.flags) for i in paragraph).strip() + "\n")
    else:
        lines += [i.sentence.text + "\n" for i in paragraph]
    return lines


def plain_report(report: Report) -> str:
    lines: list[str] = []
    if report.summary is not None:
        lines += _summary_lines(report)
    show_english = report.translated and report.every_sentence_translated
    if report.summary is None or show_english:
        if report.summary is not None:
            lines.append("Translation:")
        for paragraph in paragraphs(report.sentences):
            lines += "".join(paragraph_lines(paragraph, show_english, separate=False)).split("\n")
    flags = legend_flags(report, sentences=show_english)
    if flags:  # after one blank line, as the stream writes it
        lines += ([""] if lines and lines[-1] else []) + legend_lines(flags)
    text = "\n".join(lines).strip("\n")
    return text + "\n" if text else ""


def _summary_lines(report: Report) -> list[str]:
    title, items = report.title, list(report.summary or ())
    title_flags, item_flags = summary_flags(report)
    lines: list[str] = []
    if title:
        lines.append(f"Title: {title.source}")
        if title.translation:
            lines.append(f"       {marked(title.translation, title_flags)}")
        lines.append("")
    if items:
        lines += ["Summary (Indonesian):", *(s.source for s in items), ""]
        if any(s.translation for s in items):
            english = (marked(s.translation, f) for s, f in zip(items, item_flags, strict=True))
            lines += ["Summary (English):", *english, ""]
    return lines
