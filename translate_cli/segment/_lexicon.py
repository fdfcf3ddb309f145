"""Word lists the splitter consults, shipped as plain text in ``segment/data/``.

Each file holds one entry a line; ``#`` starts a comment (read by
:mod:`translate_cli.resources`). The files are read once, on the first call, so importing the
package stays free.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from translate_cli.resources import entries, word_list


@dataclass(frozen=True)
class Lexicon:
    """Abbreviations are stored without their final period (``"Dr"``, ``"K.H"``)."""

    no_break: frozenset[str]
    numeric: frozenset[str]
    degrees: frozenset[str]
    closers: frozenset[str]
    starters: frozenset[str]
    saying_verbs: frozenset[str]
    speakers: frozenset[str]  # who may follow a verb of saying: "” kata dia.", "” ujar pak …"
    function_words: frozenset[str]
    asides: frozenset[str]
    letter_labels: frozenset[str]
    lower_titles: frozenset[str]  # "dr", "drg": lowercase titles that may open a sentence
    company_suffixes: frozenset[str]  # "Tbk", "Pte", "S.A": after a company's name

    def is_abbreviation(self, word: str) -> bool:
        return (
            word in self.no_break
            or word in self.numeric
            or word in self.degrees
            or word in self.closers
        )


_PACKAGE = "translate_cli.segment"


def _abbreviations(name: str) -> frozenset[str]:
    found: set[str] = set()
    for entry in entries(_PACKAGE, name):
        word = entry.removesuffix(".")
        found.add(word)
        # "hlm." also opens a sentence as "Hlm."; single letters ("v.", "p.") are left
        # alone because their capitals are initials or roman numerals.
        if len(word) > 1 and word[0].islower():
            found.add(word[0].upper() + word[1:])
    return frozenset(found)


@functools.cache
def lexicon() -> Lexicon:
    """Load every list once."""
    verbs = word_list(_PACKAGE, "saying_verbs.txt")
    suffixes = frozenset(e.removesuffix(".") for e in entries(_PACKAGE, "company_suffixes.txt"))
    return Lexicon(
        no_break=_abbreviations("no_break.txt"),
        numeric=_abbreviations("numeric.txt"),
        degrees=_abbreviations("degrees.txt"),
        closers=_abbreviations("closers.txt") | {s for s in suffixes if "." not in s},
        starters=word_list(_PACKAGE, "starters.txt"),
        saying_verbs=verbs | frozenset(verb + "nya" for verb in verbs),
        speakers=word_list(_PACKAGE, "speakers.txt"),
        function_words=word_list(_PACKAGE, "function_words.txt"),
        asides=word_list(_PACKAGE, "asides.txt"),
        letter_labels=word_list(_PACKAGE, "letter_labels.txt"),
        lower_titles=frozenset(e.removesuffix(".") for e in entries(_PACKAGE, "lower_titles.txt")),
        company_suffixes=suffixes,
    )
