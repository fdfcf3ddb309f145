"""Word tokens and the word lists of ``summarize/data/`` (one entry a line, ``#`` comments)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from translate_cli.resources import entries
from translate_cli.resources import word_list as _word_list

_PACKAGE = "translate_cli.summarize"
_WORD = re.compile(r"\w+")
_DATE = re.compile(r"\(\d{1,2}/\d{1,2}(?:/\d{2,4})?\)")


@cache
def word_list(name: str) -> frozenset[str]:
    """The entries of ``data/<name>.txt`` (lowercase)."""
    return _word_list(_PACKAGE, name + ".txt")


@cache
def phrase_list(name: str) -> tuple[str, ...]:
    """The entries of ``data/<name>.txt`` in file order (lowercase, spaces normalised)."""
    return tuple(entry.lower() for entry in entries(_PACKAGE, name + ".txt"))


def stopwords() -> frozenset[str]:
    """The Indonesian stopword list shipped in ``data/stopwords.txt``."""
    return word_list("stopwords")


def words(text: str) -> list[str]:
    """Lowercased word tokens (letters, digits, underscore runs)."""
    return _WORD.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    """The set of word n-grams of ``tokens``."""
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def mentions_date(text: str) -> bool:
    """A date such as "(27/3)" or a day's name ("Senin") in ``text``."""
    days = word_list("days")
    return bool(_DATE.search(text)) or any(w in days for w in words(text))
