"""Values written for people: a byte count in words, anything on one line, text without what a
terminal would act on (``printable``, the one definition every output and message uses).

One spelling for every message and table (``larger than the 20 MB limit``, ``models list``,
``memory stats``). A leaf: it imports nothing from the package.
"""

from __future__ import annotations

import re

# What a terminal would act on instead of showing: C0 controls but tab and line feed (ESC starts
# ``ESC[2J``, clear the screen, and ``ESC]52;…``, write the clipboard; CR overwrites the line),
# DEL, the C1 controls (U+009B is a one-character ESC[), and the bidi embeddings, overrides and
# isolates, which make the text shown differ from the text held.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def format_size(count: int) -> str:
    """``count`` bytes in words: ``512 bytes``, ``1.5 KB``, ``20 MB``, ``1.2 GB``.

    1 KB is 1024 bytes; one decimal, dropped when it is 0.
    """
    if count < 1024:
        return f"{count} bytes"
    value, unit = count / 1024, "KB"
    for bigger in ("MB", "GB", "TB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def printable(text: str) -> str:
    """``text`` without the characters a terminal would act on (tab and line feed kept)."""
    return _UNPRINTABLE.sub("", text)


def one_line(value: object) -> str:
    """``value`` as one line for an error message: control characters and runs of space
    become one space."""
    return _SPACES.sub(" ", _UNPRINTABLE.sub(" ", str(value))).strip()
