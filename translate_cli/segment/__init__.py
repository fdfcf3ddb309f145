"""Indonesian sentence segmentation: ``segment(text) -> Document``.

Rule-based and dependency-free. Paragraphs (blank lines) are always boundaries. Inside a
paragraph, a line break is a boundary when the line lacks final punctuation and reads as a
unit of its own (a headline, a list item), not as a hard wrap. Sentence-final punctuation is
a boundary unless what stands on either side says otherwise: an abbreviation that never ends
a sentence (``Ny.``, ``PT.``, ``Jl.``), initials, a degree, a lowercase continuation, a verb
of saying after a quotation. The word lists live in ``segment/data/``.

Every non-whitespace character lands in exactly one sentence, in order.
"""

from __future__ import annotations

from translate_cli.document import Document
from translate_cli.segment._splitter import paragraphs, sentence_starts

__all__ = ["segment"]


def segment(text: str) -> Document:
    """Split ``text`` into paragraphs and sentences with offsets into ``text``."""
    spans: list[tuple[int, int, int]] = []
    for number, (start, end) in enumerate(paragraphs(text)):
        begin = start
        for cut in sentence_starts(text, start, end):
            spans.append((number, begin, cut))
            begin = cut
        spans.append((number, begin, end))
    return Document.from_spans(text, spans)
