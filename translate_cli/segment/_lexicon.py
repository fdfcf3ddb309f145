"""Word lists the splitter consults, shipped as plain text in ``segment/data/``.

Each file holds one entry a line; ``#`` starts a comment. The files are read once, on the
first call, so importing the package stays free.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Lexicon:
    """Abbreviations are stored without their final period (``"Dr"``, ``"K.H"``)."""

    no_break: frozenset[str]
    numeric: frozenset[str]
    degrees: frozenset[str]
    closers: frozenset[str]
    starters: frozenset[str]
    saying_verbs: frozenset[str]
    function_words: frozenset[str]
    asides: frozenset[str]
    letter_labels: frozenset[str]
    lower_titles: frozenset[str]  # "dr", "drg": lowercase titles that may open a sentence

    def is_abbreviation(self, word: str) -> bool:
        return (
            word in self.no_break
            or word in self.numeric
            or word in self.degrees
            or word in self.closers
        )


def _entries(name: str) -> list[str]:
    text = resources.files("translate_cli.segment").joinpath("data", name).read_text("utf-8")
    entries = []
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            entries.append(entry)
    return entries


def _abbreviations(name: str) -> frozenset[str]:
    found: set[str] = set()
    for entry in _entries(name):
        word = entry.removesuffix(".")
        found.add(word)
        # "hlm." also opens a sentence as "Hlm."; single letters ("v.", "p.") are left
        # alone because their capitals are initials or roman numerals.
        if len(word) > 1 and word[0].islower():
            found.add(word[0].upper() + word[1:])
    return frozenset(found)


def _words(name: str) -> frozenset[str]:
    return frozenset(entry.lower() for entry in _entries(name))


@functools.cache
def lexicon() -> Lexicon:
    """Load every list once."""
    verbs = _words("saying_verbs.txt")
    return Lexicon(
        no_break=_abbreviations("no_break.txt"),
        numeric=_abbreviations("numeric.txt"),
        degrees=_abbreviations("degrees.txt"),
        closers=_abbreviations("closers.txt"),
        starters=_words("starters.txt"),
        saying_verbs=verbs | frozenset(verb + "nya" for verb in verbs),
        function_words=_words("function_words.txt"),
        asides=_words("asides.txt"),
        letter_labels=_words("letter_labels.txt"),
        lower_titles=frozenset(e.removesuffix(".") for e in _entries("lower_titles.txt")),
    )
