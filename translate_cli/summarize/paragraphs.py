"""Paragraph structure for text that lost it.

Pasted news, JSONL records and scraped text often arrive as one run of sentences with no
paragraph breaks, and the summariser's strongest cues after position are paragraph cues (in
the first paragraph? past the third?). For such text a model trained on IndoSum's own paragraph
breaks (``tools/train_summarizer.py`` ``fit_breaks``) estimates the probability that each
candidate sentence opens a paragraph, from its features and its neighbours'
(:func:`break_rows`), and :func:`paragraph_estimates` turns those probabilities into the
:data:`PARAGRAPH_ESTIMATES` features the unparagraphed models read. Text with paragraphs never
needs them; its real breaks (:func:`paragraph_breaks`) are what the break model learns from.
"""

from __future__ import annotations

from collections.abc import Sequence

from translate_cli.summarize.features import FEATURE_NAMES
from translate_cli.summarize.prepare import Prepared

__all__ = [
    "BREAK_FEATURE_NAMES",
    "PARAGRAPH_ESTIMATES",
    "UNPARAGRAPHED_MIN_SENTENCES",
    "break_rows",
    "paragraph_breaks",
    "paragraph_estimates",
    "unparagraphed",
]

# Features of the next sentence that say "this one closes a paragraph" (a quotation or a new
# turn begins after it).
_NEXT = ("quote_start", "connective_start", "pronoun_start")
_NEXT_COLUMNS = tuple(FEATURE_NAMES.index(name) for name in _NEXT)
# A break model's row for candidate i: the previous candidate's features, its own, a few of the
# next one's, and its position.
BREAK_FEATURE_NAMES: tuple[str, ...] = (
    *(f"prev:{name}" for name in FEATURE_NAMES),
    *(f"this:{name}" for name in FEATURE_NAMES),
    *(f"next:{name}" for name in _NEXT),
    "index",
)
# Expected paragraph number, probability of being in the first paragraph, probability of
# opening a paragraph, and of the next sentence opening one.
PARAGRAPH_ESTIMATES = ("para_rank_est", "first_para_est", "para_break", "para_break_next")
# One paragraph of at least this many candidates is text that lost its breaks: shorter news
# really can be one paragraph.
UNPARAGRAPHED_MIN_SENTENCES = 4


def unparagraphed(prepared: Prepared) -> bool:
    """Whether every candidate sentence lies in one paragraph, and there are enough of them."""
    candidates = prepared.candidates
    return (
        len(candidates) >= UNPARAGRAPHED_MIN_SENTENCES
        and len({c.sentence.paragraph for c in candidates}) == 1
    )


def paragraph_breaks(prepared: Prepared) -> list[float]:
    """1.0 where a candidate opens a paragraph (the first one excepted), else 0.0."""
    candidates = prepared.candidates
    return [
        float(i > 0 and c.sentence.paragraph != candidates[i - 1].sentence.paragraph)
        for i, c in enumerate(candidates)
    ]


def break_rows(features: Sequence[Sequence[float]]) -> list[list[float]]:
    """The break model's row per candidate (see :data:`BREAK_FEATURE_NAMES`)."""
    width = len(FEATURE_NAMES)
    none = [0.0] * width
    rows = []
    for i, row in enumerate(features):
        previous = features[i - 1] if i else none
        following = features[i + 1] if i + 1 < len(features) else none
        rows.append([*previous, *row, *(following[k] for k in _NEXT_COLUMNS), float(i)])
    return rows


def paragraph_estimates(breaks: Sequence[float]) -> list[list[float]]:
    """The :data:`PARAGRAPH_ESTIMATES` per candidate from each one's probability of opening a
    paragraph (the first candidate's is ignored: it always opens one)."""
    rows = []
    rank, first = 0.0, 1.0
    for i, p in enumerate(breaks):
        if i:
            rank += p
            first *= 1.0 - p
        following = breaks[i + 1] if i + 1 < len(breaks) else 1.0
        rows.append([rank, first, p if i else 1.0, following])
    return rows
