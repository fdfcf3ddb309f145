"""``json`` and ``jsonl``: the report's ``to_dict()``, the keys documented in docs/output.md."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from translate_cli.output import json_document, json_line
from translate_cli.render import View, WholeDocument, Writer
from translate_cli.report import Report, TranslatedSentence, sentence_record


def write_line(out: Writer, value: Any) -> None:
    out.write(json_line(value))
    out.flush()


class JsonRenderer(WholeDocument):
    def write(self, out: Writer, report: Report, view: View) -> None:
        out.write(json_document(report.to_dict()))
        out.flush()


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
