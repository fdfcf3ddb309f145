"""Text from the input as the reading formats show it: one line, nothing a terminal acts on.

The reading formats (text, the terminal tables, markdown, html) show every sentence, title,
summary line and page detail on one line — a hard-wrapped source's line breaks become spaces —
and without control characters (``humanize.printable``): a page can neither clear the screen
nor write the clipboard of whoever reads the output, in a pipe to ``less -R`` too. JSON keeps
the text exact instead (its escapes make it safe).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from translate_cli.humanize import printable
from translate_cli.report import Report, SummaryItem, TranslatedSentence

# A run of white space holding a line break of any kind (str.splitlines' set): one space.
_BREAK = re.compile(r"\s*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]\s*")


def one_line(text: str) -> str:
    """``text`` on one line (each line break and the space around it shown as one space),
    printable."""
    return printable(_BREAK.sub(" ", text)).strip()


def readable_sentence(item: TranslatedSentence) -> TranslatedSentence:
    sentence = replace(item.sentence, text=one_line(item.sentence.text))
    translation = None if item.translation is None else one_line(item.translation)
    return replace(item, sentence=sentence, translation=translation)


def readable(report: Report) -> Report:
    """``report`` with every text in it made ``one_line``; the structure unchanged."""
    return replace(
        report,
        sentences=tuple(readable_sentence(item) for item in report.sentences),
        model=None if report.model is None else one_line(report.model),
        title=None if report.title is None else _item(report.title),
        summary=None if report.summary is None else tuple(map(_item, report.summary)),
        meta=None if report.meta is None else {k: _value(v) for k, v in report.meta.items()},
    )


def _item(item: SummaryItem) -> SummaryItem:
    translation = None if item.translation is None else one_line(item.translation)
    return replace(item, source=one_line(item.source), translation=translation)


def _value(value: Any) -> Any:
    return one_line(value) if isinstance(value, str) else value
