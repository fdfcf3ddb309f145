"""Compact marks for flagged sentences (``engines/quality.py``), shared by the text formats.

A flagged sentence gets a short mark beside it, never inside its translation — ``[!L]`` for
``low-confidence``, ``[!LR]`` for two flags — and the document ends with a legend of the marks
it used. JSON carries the flags themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from translate_cli.engines.quality import FLAG_HELP, FLAGS

LETTERS = {
    "low-confidence": "L",
    "repetition": "R",
    "split": "S",
    "untranslated": "U",
    "truncated-by-cap": "C",
}
assert set(LETTERS) == set(FLAGS), "every documented flag has a letter"


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
