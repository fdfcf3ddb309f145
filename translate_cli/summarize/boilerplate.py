"""Boilerplate sentences and leading datelines, by the patterns of
``web/data/news_boilerplate.txt`` (shared with the web extractor, the layer below).

``[sentence]`` patterns match a whole sentence that is never scored nor picked ("Baca juga:
…", credits, "(red)", bylines); ``[dateline]`` patterns match the start of a sentence that
carries a dateline ("JAKARTA, KOMPAS.com -"). The web extractor reads the same ``[sentence]``
list.
"""

from __future__ import annotations

import re
from functools import cache

from translate_cli.resources import sections
from translate_cli.summarize.tokens import words

# A trimmed dateline must leave at least this many words, else the sentence is a dateline alone.
_MIN_WORDS_AFTER_DATELINE = 3


@cache
def _patterns(section: str) -> tuple[re.Pattern[str], ...]:
    lines = sections("translate_cli.web", "news_boilerplate.txt")[section]
    return tuple(re.compile(line) for line in lines)


def is_boilerplate(text: str) -> bool:
    """True for link lines, credits, editor initials, bylines, footers and datelines alone."""
    stripped = text.strip()
    if not stripped:
        return True
    if any(p.match(stripped) for p in _patterns("sentence")):
        return True
    rest = stripped[dateline_length(stripped) :]
    return len(words(rest)) < _MIN_WORDS_AFTER_DATELINE and rest != stripped


def dateline_length(text: str) -> int:
    """Length of the dateline prefix of ``text`` (with the space after it), 0 if none."""
    for pattern in _patterns("dateline"):
        match = pattern.match(text)
        if match:
            end = match.end()
            while end < len(text) and text[end].isspace():
                end += 1
            return end
    return 0
