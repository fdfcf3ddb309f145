"""Indonesian sentence segmentation: ``segment(text) -> Document``.

Rule-based and dependency-free. Paragraphs (blank lines) are always boundaries. Inside a
paragraph, a line break is a boundary when the line lacks final punctuation and reads as a
unit of its own (a headline, a list item), not as a hard wrap. Unless the text is hard-wrapped
(judged from all its lines), a line break that is a boundary also starts a paragraph: news
text copied or scraped from the web comes one paragraph a line, without blank lines.
Sentence-final punctuation is a boundary unless what stands on either side says otherwise: an
abbreviation that never ends a sentence (``Ny.``, ``PT.``, ``Jl.``), initials, a degree, a
lowercase continuation, a verb of saying after a quotation. The word lists live in
``segment/data/``.

Every non-whitespace character lands in exactly one sentence, in order, and every sentence
has visible text: a stretch that would hold only invisible characters (controls such as BEL,
format characters such as ZWSP or a BOM, odd spaces) joins the sentence before it, or the one
after it when it comes first. Text with no visible character at all gives no sentences, like
blank text: there is nothing to translate.
"""

from __future__ import annotations

import unicodedata

from translate_cli.document import Document
from translate_cli.segment._splitter import document_shape, paragraphs, sentence_starts

__all__ = ["segment"]

# Characters that show nothing on their own: controls, format characters (ZWSP, ZWJ, BOM,
# bidi marks), separators, and the blank "letters" fonts draw as empty space.
_INVISIBLE_CATEGORIES = frozenset(["Cc", "Cf", "Zs", "Zl", "Zp"])
_BLANK_LETTERS = frozenset("\u115f\u1160\u2800\u3164\uffa0")


def visible(text: str) -> bool:
    """Whether ``text`` has at least one character that shows on the page."""
    return any(
        not ch.isspace()
        and ch not in _BLANK_LETTERS
        and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
        for ch in text
    )


def segment(text: str) -> Document:
    """Split ``text`` into paragraphs and sentences with offsets into ``text``."""
    spans: list[tuple[int, int, int]] = []
    blocks = paragraphs(text)
    shape = document_shape(text, blocks)
    number = 0
    for start, end in blocks:
        begin = start
        cuts, new_paragraphs = sentence_starts(text, start, end, document=shape)
        opens = set(new_paragraphs)
        for cut in cuts:
            spans.append((number, begin, cut))
            begin = cut
            if cut in opens:
                number += 1
        spans.append((number, begin, end))
        number += 1
    return Document.from_spans(text, _attach_invisible(text, spans))


def _attach_invisible(text: str, spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Merge every span without visible text into its neighbour (the previous one if any)."""
    merged: list[tuple[int, int, int]] = []
    pending: int | None = None  # start of invisible spans before the first visible one
    for number, start, end in spans:
        if visible(text[start:end]):
            if pending is not None:
                start, pending = pending, None
            merged.append((number, start, end))
        elif merged:
            previous_number, previous_start, _ = merged[-1]
            if text[start:end].strip():
                merged[-1] = (previous_number, previous_start, end)
        elif pending is None and text[start:end].strip():
            pending = start
    return merged
