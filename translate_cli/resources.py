"""The one loader of data shipped inside the package: ``<package>/data/<name>``.

Word lists hold one entry a line; ``#`` starts a comment, blank lines are skipped. Sectioned
files (regular expressions, where ``#`` may be part of a pattern) take only whole-line
comments, and a line ``[name]`` starts a section; a pattern before the first section is an
error in the file, never silently dropped. Parsed files are read once per process.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType

__all__ = ["entries", "sections", "text", "word_list"]

_SECTION = re.compile(r"\[(\w+)\]")


def text(package: str, name: str) -> str:
    """The file ``data/<name>`` of ``package`` (a dotted name), decoded as UTF-8.

    Not cached: the caller keeps what it parses (the summariser's weights are megabytes).
    """
    return resources.files(package).joinpath("data", name).read_text(encoding="utf-8")


@cache
def entries(package: str, name: str) -> tuple[str, ...]:
    """The entries of a word list in file order: comments cut, runs of spaces made one, case
    kept."""
    found = []
    for line in text(package, name).splitlines():
        entry = " ".join(line.split("#", 1)[0].split())
        if entry:
            found.append(entry)
    return tuple(found)


@cache
def word_list(package: str, name: str) -> frozenset[str]:
    """The entries of a word list, lowercased."""
    return frozenset(entry.lower() for entry in entries(package, name))


@cache
def sections(package: str, name: str) -> Mapping[str, tuple[str, ...]]:
    """The lines of each ``[section]`` of a sectioned file, stripped, in file order.

    Raises ValueError for a line before the first section.
    """
    return parse_sections(text(package, name), f"{package}: data/{name}")


def parse_sections(content: str, where: str) -> Mapping[str, tuple[str, ...]]:
    """``sections``' rule over ``content`` (``where`` names it in errors): whole-line ``#``
    comments and blank lines skipped, ``[name]`` starts a section."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in content.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        header = _SECTION.fullmatch(line)
        if header:
            current = found.setdefault(header[1], [])
        elif current is None:
            raise ValueError(f"{where}: a line outside any section: {line!r}")
        else:
            current.append(line)
    return MappingProxyType({section: tuple(lines) for section, lines in found.items()})
