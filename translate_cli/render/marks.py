"""Compact marks for flagged sentences (``engines/quality.py``), shared by the reading formats.

A flagged sentence gets a short mark beside it, never inside its translation — ``[!L]`` for
``low-confidence``, ``[!LR]`` for two flags — and the document ends with a legend of the marks
it used. The title and a summary line show the mark of the sentence they quote, wherever they
show its translation. JSON carries the flags themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from translate_cli.engines.quality import FLAG_HELP, FLAGS
from translate_cli.report import Report

LETTERS = {
    "low-confidence": "L",
    "repetition": "R",
    "split": "S",
    "untranslated": "U",
    "truncated-by-cap": "C",
    "glossary-missed": "G",
    "name-changed": "N",
    "number-mismatch": "M",
    "kept-english": "E",
}
assert set(LETTERS) == set(FLAGS), "every documented flag has a letter"

Flags = tuple[str, ...]


def letters(flags: Sequence[str]) -> str:
    """``"LR"`` for ``("low-confidence", "repetition")``; unknown flags show as ``?``."""
    return "".join(LETTERS.get(flag, "?") for flag in flags)


def mark(flags: Sequence[str]) -> str:
    """The plain-text mark, ``[!LR]``, or ``""`` for an unflagged sentence."""
    return f"[!{letters(flags)}]" if flags else ""


def used(flag_lists: Iterable[Sequence[str]]) -> list[str]:
    """The flags that occur, in the documented order."""
    seen = {flag for flags in flag_lists for flag in flags}
    return [f for f in FLAGS if f in seen] + sorted(seen - set(FLAGS))


def legend_lines(flags: Sequence[str]) -> list[str]:
    """One line a flag: ``[!L] low-confidence: the model was unsure (...)``."""
    return [f"[!{LETTERS.get(f, '?')}] {f}: {FLAG_HELP.get(f, '')}".rstrip() for f in flags]


def summary_flags(report: Report) -> tuple[Flags, list[Flags]]:
    """The flags beside the title and beside each summary line: those of the sentence each
    quotes, where it shows that sentence's translation (an LLM abstract quotes none)."""
    flagged = {s.sentence.index: s.flags for s in report.sentences if s.flags}

    def quoted(index: int | None, translation: str | None) -> Flags:
        return flagged.get(index, ()) if index is not None and translation else ()

    title = report.title
    title_flags = quoted(title.index, title.translation) if title else ()
    return title_flags, [quoted(item.index, item.translation) for item in report.summary or ()]


def legend_flags(report: Report, *, sentences: bool) -> list[str]:
    """The flags a document shows: its title's and summary's, and its sentences' when they
    are shown with their translation."""
    title, items = summary_flags(report)
    shown = [s.flags for s in report.sentences] if sentences else []
    return used([title, *items, *shown])
