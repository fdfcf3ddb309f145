"""``json`` and ``jsonl``: the report's ``to_dict()``, the keys documented in the README."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from translate_cli.render import View, Writer
from translate_cli.report import Report, TranslatedSentence, sentence_record

# json.dumps(ensure_ascii=False) leaves these raw, and line splitters other than "\n"
# (str.splitlines, some JSONL readers) would cut a record in two at them.
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON text with no raw line separators and no NaN (which is not JSON)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent).translate(
        _LINE_BREAKS
    )


def write_line(out: Writer, value: Any) -> None:
    out.write(dumps(value) + "\n")
    out.flush()


class JsonRenderer:
    def write(self, out: Writer, report: Report, view: View) -> None:
        out.write(dumps(report.to_dict(), indent=2) + "\n")
        out.flush()

    def can_stream(self, view: View) -> bool:
        return False

    def stream(
        self, out: Writer, items: Iterable[TranslatedSentence], *, translated: bool, view: View
    ) -> None:
        raise NotImplementedError


class JsonLinesRenderer:
    """One sentence object a line when streaming; a whole report on one line otherwise."""

    def write(self, out: Writer, report: Report, view: View) -> None:
        if report.summary is None:  # nothing but sentences: one a line, as when streaming
            self.stream(out, report.sentences, translated=report.translated, view=view)
        else:
            write_line(out, report.to_dict())

    def can_stream(self, view: View) -> bool:
        return True

    def stream(
        self, out: Writer, items: Iterable[TranslatedSentence], *, translated: bool, view: View
    ) -> None:
        for item in items:
            write_line(out, sentence_record(item, translated=translated))


JSON = JsonRenderer()
JSONL = JsonLinesRenderer()
