"""The ``brief`` command: the day's stories in English from batch folders, feeds, URLs and
files. It parses options and calls ``translate_cli.brief``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from translate_cli.cli.common import environment, settings_from
from translate_cli.cli.options import MODEL_OPTIONS, QUIET_OPTION, READING_OPTIONS, with_options
from translate_cli.errors import UsageError

if TYPE_CHECKING:
    from translate_cli.brief import Entry

BRIEF_HELP = (
    "A briefing: one entry per story (English headline, bilingual summary, outlets, date, "
    "link), near-identical stories from several outlets merged.\n\n"
    "INPUT is a batch output folder (read as it is: no model is loaded), or feeds, URLs and "
    "files (translated and summarised first). With -f html -o FILE, each article's reading "
    "page is written in FILE's folder, under NAME_pages/, and linked."
)


@with_options(READING_OPTIONS, MODEL_OPTIONS, QUIET_OPTION)
def brief_command(
    ctx: typer.Context,
    inputs: Annotated[list[str], typer.Argument(metavar="INPUT", show_default=False, hidden=True)],
    format: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", help="text, markdown, json or html."),
    ] = "text",
    order: Annotated[
        str,
        typer.Option("--order", metavar="ORDER", help="time (newest first) or outlets (most)."),
    ] = "time",
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", metavar="TEXT", help="The briefing's title.")
    ] = None,
    **options: Any,
) -> None:
    from translate_cli.brief import ORDERS, build, collect
    from translate_cli.brief.render import BRIEF_FORMATS
    from translate_cli.output import open_output

    env = environment(ctx)
    env.quiet = bool(options.get("quiet"))
    formatter = BRIEF_FORMATS.get(BRIEF_FORMATS.check(format.strip().lower(), "--format"))
    order = ORDERS.check(order.strip().lower(), "--order")
    if not inputs:
        raise UsageError("brief needs at least one INPUT: a batch folder, a feed, a URL or a file")
    failures: list[str] = []

    def failed(message: str) -> None:
        failures.append(message)
        env.stderr.write(f"brief: {message}\n")

    settings = settings_from(options)
    entries = build(collect(inputs, settings, on_error=failed, hooks=env), order=order)
    heading = title or f"Briefing, {datetime.now(UTC):%Y-%m-%d}"
    pages: dict[str, str] = {}
    if format.strip().lower() == "html" and output not in (None, "-"):
        pages = _write_pages(entries, Path(str(output)))
    with open_output(output, stdout=env.stdout) as out:
        out.write(formatter(entries, heading, pages))
    if failures:
        raise typer.Exit(4)


def _write_pages(entries: list[Entry], output: Path) -> dict[str, str]:
    """Each source's reading page, in ``<name>_pages/`` beside the briefing ``output``; the
    links to them (relative, so the folder can be moved with the briefing)."""
    from translate_cli.brief.pages import page_key, reading_page
    from translate_cli.output import open_output

    folder = output.with_name(f"{output.stem}_pages")
    links: dict[str, str] = {}
    for source in (s for entry in entries for s in entry.sources):
        if source.record is None or page_key(source) in links:
            continue
        if not links:
            folder.mkdir(exist_ok=True)
        name = f"{len(links) + 1:04d}.html"
        with open_output(str(folder / name)) as out:
            out.write(reading_page(source.record))
        links[page_key(source)] = f"{folder.name}/{name}"
    return links
