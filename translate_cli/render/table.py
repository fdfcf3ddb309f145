"""Side-by-side Indonesian | English tables for a terminal (rich).

Long words wrap inside their cell (``overflow="fold"``) instead of being cut with an ellipsis,
and a column appears only when something is in it: an Indonesian-only summary has one, and the
``!`` column of marks only a table with a flagged translation. The report comes ``readable``
(``readable.py``): a sentence a row, each on one line of its cell's own wrapping.
"""

from __future__ import annotations

from typing import Any

from translate_cli.render import View, Writer
from translate_cli.render.marks import Flags, legend_flags, legend_lines, letters, summary_flags
from translate_cli.render.plain import marked, plain_report
from translate_cli.report import Report, SummaryItem


def write_tables(out: Writer, report: Report, view: View) -> None:
    from rich.console import Console

    console = Console(
        file=out,  # type: ignore[arg-type]  # rich needs only write() and flush()
        width=view.width,
        highlight=False,
        soft_wrap=False,
        force_terminal=view.color,
        no_color=not view.color,
    )
    if not report.translated and report.summary is None:  # sentences only: one a line
        out.write(plain_report(report))
        return
    title_flags, item_flags = summary_flags(report)
    if report.title:
        heading = marked(report.title.translation, title_flags) or report.title.source
        console.print(heading, style="bold", markup=False)
        if report.title.translation:
            console.print(report.title.source, style="dim", markup=False)
        console.print()
    if report.summary:
        console.print(_summary_table(report.summary, item_flags))
    sentences = report.summary is None or report.every_sentence_translated
    if sentences:
        console.print(_sentence_table(report))
    for line in legend_lines(legend_flags(report, sentences=sentences)):
        console.print(line, style="dim", markup=False, highlight=False)
    if report.model and report.translated:
        console.print(f"model: {report.model}", style="dim", markup=False)


def _table(title: str | None, numbered: bool, english: bool, flagged: bool, **options: Any) -> Any:
    from rich.table import Table

    table = Table(title=title, expand=True, **options)
    if numbered:
        table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("Indonesian", ratio=1, overflow="fold")
    if english:
        table.add_column("English", ratio=1, overflow="fold")
    if flagged:  # a narrow column of marks, explained by the legend
        table.add_column("!", style="bold", no_wrap=True)
    return table


def _summary_table(summary: tuple[SummaryItem, ...], flags: list[Flags]) -> Any:
    from rich.text import Text

    english = any(item.translation for item in summary)
    flagged = any(flags)
    table = _table("Summary", numbered=False, english=english, flagged=flagged, show_lines=True)
    for item, item_flags in zip(summary, flags, strict=True):
        cells = [Text(item.source)] + ([Text(item.translation or "")] if english else [])
        table.add_row(*cells, *([Text(letters(item_flags))] if flagged else []))
    return table


def _sentence_table(report: Report) -> Any:
    from rich.text import Text

    english = any(row.translation is not None for row in report.sentences)
    flagged = any(row.flags for row in report.sentences)
    title = "Translation" if report.summary is not None else None
    table = _table(title, numbered=True, english=english, flagged=flagged)
    previous = None
    for row in report.sentences:
        if previous is not None and row.sentence.paragraph != previous:
            table.add_section()
        previous = row.sentence.paragraph
        cells = [str(row.sentence.index + 1), Text(row.sentence.text)]
        cells += [Text(row.translation or "")] if english else []
        table.add_row(*cells, *([Text(letters(row.flags))] if flagged else []))
    return table
