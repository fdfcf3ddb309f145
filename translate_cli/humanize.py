"""Values written for people: a byte count in words, anything on one line.

One spelling for every message and table (``larger than the 20 MB limit``, ``models list``,
``memory stats``). A leaf: it imports nothing from the package.
"""

from __future__ import annotations

import re

# C0 controls, DEL and the C1 controls: in a message they could move the cursor, recolour or
# retitle the terminal it is printed on.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
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


def one_line(value: object) -> str:
    """``value`` as one line for an error message: control characters and runs of space
    become one space."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", str(value))).strip()
