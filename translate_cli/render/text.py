"""``text``: plain text to a pipe or file, side-by-side tables on a terminal.

Plain text is what a script wants: ``translate`` gives the English a paragraph a block,
``segment`` a source sentence a line, a summary its Indonesian and English blocks. It streams
paragraph by paragraph when the report has no summary. On a terminal the same content is laid
out as Indonesian | English tables, with only the columns that have something in them.
A flagged translation is followed by its mark (``[!L]``, see ``marks.py``) and the document
ends with a legend of the marks it used. Text from the input is shown ``readable``: a sentence a
line, no control characters, in a pipe as on a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable

from translate_cli.render import View, Writer
from translate_cli.render.marks import legend_lines, used
from translate_cli.render.plain import meta_lines, paragraph_lines, plain_report
from translate_cli.render.readable import one_line, readable, readable_sentence
from translate_cli.render.table import write_tables
from translate_cli.report import Report, TranslatedSentence, paragraphs


class TextRenderer:
    def write(self, out: Writer, report: Report, view: View) -> None:
        report = readable(report)
        if view.header is not None:
            out.write(f"==> {one_line(view.header)} <==\n")
        if report.meta:
            out.write("".join(line + "\n" for line in meta_lines(report.meta)) + "\n")
        if view.terminal:
            write_tables(out, report, view)
        else:
            out.write(plain_report(report))
        out.flush()

    def can_stream(self, view: View) -> bool:
        return not view.terminal

    def stream(
        self, out: Writer, items: Iterable[TranslatedSentence], *, translated: bool, view: View
    ) -> None:
        first = True
        flags: list[tuple[str, ...]] = []
        for paragraph in paragraphs(map(readable_sentence, items)):
            if first and view.header is not None:
                out.write(f"==> {one_line(view.header)} <==\n")
            out.write("".join(paragraph_lines(paragraph, translated, separate=not first)))
            out.flush()
            flags += [i.flags for i in paragraph] if translated else []
            first = False
        if used(flags):
            out.write("".join(f"{line}\n" for line in ["", *legend_lines(used(flags))]))
            out.flush()


TEXT = TextRenderer()
