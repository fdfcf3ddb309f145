"""Output formats, registered by name (``--format``); each renders a ``Report``.

A renderer decides from what the report holds (sentences, translations, a title, a summary),
never from the command that made it. Formats that can write sentences as they arrive (plain
text to a pipe, JSONL) also implement ``stream``, so a pipe sees the first lines while a long
document is still being translated. Adding a format is one module plus one ``register`` line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from translate_cli.registry import Registry
from translate_cli.report import Report, TranslatedSentence


class Writer(Protocol):
    """Where output goes: stdout or a file (see ``output.open_output``)."""

    def write(self, text: str, /) -> int: ...
    def flush(self) -> None: ...


@dataclass(frozen=True)
class View:
    """How the output will be seen."""

    terminal: bool = False  # stdout is a terminal: tables instead of plain text
    width: int | None = None  # terminal columns, when known
    color: bool = False
    header: str | None = None  # the input's name, when several inputs are rendered in turn


class Renderer(Protocol):
    def write(self, out: Writer, report: Report, view: View) -> None:
        """Render one finished document."""

    def can_stream(self, view: View) -> bool:
        """Whether ``stream`` works for this view (sentences written as they arrive)."""

    def stream(
        self, out: Writer, items: Iterable[TranslatedSentence], *, translated: bool, view: View
    ) -> None:
        """Render a document with no summary, sentence by sentence as ``items`` yields them."""


class WholeDocument:
    """Base for formats that need the finished document (no streaming)."""

    def can_stream(self, view: View) -> bool:
        return False

    def stream(
        self, out: Writer, items: Iterable[TranslatedSentence], *, translated: bool, view: View
    ) -> None:
        raise NotImplementedError(f"{type(self).__name__} renders whole documents only")


FORMATS: Registry[Renderer] = Registry("format")
FORMATS.register("text", "translate_cli.render.text:TEXT", help="plain text; tables on a terminal")
FORMATS.register("markdown", "translate_cli.render.markdown:MARKDOWN", help="a Markdown report")
FORMATS.register("json", "translate_cli.render.json:JSON", help="one JSON object a document")
FORMATS.register(
    "jsonl", "translate_cli.render.json:JSONL", help="one JSON object a line (sentences)"
)
FORMATS.register(
    "html", "translate_cli.render.html:HTML", help="a self-contained bilingual reading page"
)

__all__ = ["FORMATS", "Renderer", "View", "WholeDocument", "Writer"]
