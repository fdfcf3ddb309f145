"""The briefing's formats (``brief --format``): text, markdown, json and html.

Everything in an entry came from outside (headlines, outlet names, links): text and markdown
make each field one line without control characters, html escapes it and links only http(s)
URLs, in the reading page's style (``translate_cli.render.html``), with no network access.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape

from translate_cli.brief import Entry, Source
from translate_cli.brief.pages import page_key
from translate_cli.humanize import one_line
from translate_cli.output import json_document
from translate_cli.registry import Registry
from translate_cli.render.html import CSP, STYLE
from translate_cli.web.network import is_url

# (entries, title, reading pages: page_key -> relative link) -> the document
Pages = Mapping[str, str]
Formatter = Callable[[Sequence[Entry], str, Pages], str]
NO_PAGES: Pages = {}


def _when(source: Source) -> str:
    return f", {one_line(source.date)}" if source.date else ""


def text(entries: Sequence[Entry], title: str, pages: Pages = NO_PAGES) -> str:
    lines = [one_line(title), "=" * len(one_line(title)), ""]
    for number, entry in enumerate(entries, start=1):
        outlets = ", ".join(one_line(o) for o in entry.outlets)
        lines.append(f"{number}. {one_line(entry.headline)}")
        lines.append(f"   {outlets}{' — ' + one_line(entry.date) if entry.date else ''}")
        for line in entry.summary:
            lines.append(f"   - {one_line(line.translation)}")
            lines.append(f"     ({one_line(line.source)})")
        for source in entry.sources:
            lines.append(f"   {one_line(source.outlet)}{_when(source)}: {one_line(source.url)}")
        lines.append("")
    if not entries:
        lines.append("No stories.")
    return "\n".join(lines).rstrip("\n") + "\n"


def _md(value: str) -> str:
    """One line, with the characters markdown would read as markup escaped."""
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in one_line(value))


def markdown(entries: Sequence[Entry], title: str, pages: Pages = NO_PAGES) -> str:
    lines = [f"# {_md(title)}", ""]
    for entry in entries:
        lines += [f"## {_md(entry.headline)}", ""]
        lines.append(
            f"*{_md(', '.join(entry.outlets))}*" + (f" — {_md(entry.date)}" if entry.date else "")
        )
        lines.append("")
        for line in entry.summary:
            lines.append(f"- {_md(line.translation)}  ")
            lines.append(f"  *{_md(line.source)}*")
        lines.append("")
        for source in entry.sources:
            link = f"<{one_line(source.url)}>" if is_url(source.url) else _md(source.url)
            lines.append(f"- {_md(source.outlet)}{_md(_when(source))}: {link}")
        lines.append("")
    if not entries:
        lines.append("No stories.")
    return "\n".join(lines).rstrip("\n") + "\n"


def json_(entries: Sequence[Entry], title: str, pages: Pages = NO_PAGES) -> str:
    return json_document({"title": title, "entries": [e.to_dict() for e in entries]})


def _e(value: object) -> str:
    return escape(one_line(str(value)), quote=True)


def _link(source: Source) -> str:
    label = _e(source.outlet)
    if not is_url(source.url):
        return label
    href = _e(source.url)
    return f'<a href="{href}" rel="noopener noreferrer">{label}</a>'


def html(entries: Sequence[Entry], title: str, pages: Pages = NO_PAGES) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{_e(title)}</h1></header>",
    ]
    for entry in entries:
        parts.append('<section class="summary">')
        parts.append(f"<h2>{_e(entry.headline)}</h2>")
        if entry.headline_source:
            parts.append(f'<p class="source-title" lang="id">{_e(entry.headline_source)}</p>')
        parts.append("<ul>")
        for line in entry.summary:
            parts.append(
                f'<li><span lang="en">{_e(line.translation)}</span>'
                f'<span class="id" lang="id">{_e(line.source)}</span></li>'
            )
        parts.append("</ul>")
        parts.append('<dl class="meta">')
        for source in entry.sources:
            page = pages.get(page_key(source))
            reading = f' · <a href="{_e(page)}">reading page</a>' if page else ""
            parts.append(f"<dt>{_link(source)}</dt><dd>{_e(source.date or '')}{reading}</dd>")
        parts.append("</dl>")
        parts.append("</section>")
    if not entries:
        parts.append("<p>No stories.</p>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


BRIEF_FORMATS: Registry[Formatter] = Registry("format", "--format")
BRIEF_FORMATS.register("text", text, help="plain text (default)")
BRIEF_FORMATS.register("markdown", markdown, help="markdown")
BRIEF_FORMATS.register("json", json_, help="one JSON document: the entries and their sources")
BRIEF_FORMATS.register("html", html, help="one HTML page in the reading page's style")
