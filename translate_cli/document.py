"""The document model every stage passes along: Document → paragraphs → Sentence.

Sentences keep character offsets into the original text, so "nothing lost" is checkable:
``document.text[s.start:s.end]`` is exactly the sentence, and the gaps between sentences
hold only whitespace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Sentence:
    """One source sentence. ``index`` counts across the whole document, from 0."""

    index: int
    paragraph: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Document:
    """A segmented article. ``paragraphs`` holds the sentence indices of each paragraph."""

    text: str
    sentences: tuple[Sentence, ...]
    paragraph_count: int = field(default=0)

    def paragraphs(self) -> Iterator[tuple[Sentence, ...]]:
        """Yield the sentences of each non-empty paragraph, in order."""
        current: list[Sentence] = []
        for sentence in self.sentences:
            if current and sentence.paragraph != current[-1].paragraph:
                yield tuple(current)
                current = []
            current.append(sentence)
        if current:
            yield tuple(current)

    @classmethod
    def from_spans(cls, text: str, spans: list[tuple[int, int, int]]) -> Document:
        """Build a document from ``(paragraph, start, end)`` spans over ``text``.

        Spans are trimmed of surrounding whitespace; empty ones are dropped. Paragraph
        numbers are renumbered densely so the first paragraph is 0.
        """
        sentences: list[Sentence] = []
        renumber: dict[int, int] = {}
        for paragraph, start, end in spans:
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start == end:
                continue
            number = renumber.setdefault(paragraph, len(renumber))
            sentences.append(Sentence(len(sentences), number, start, end, text[start:end]))
        return cls(text=text, sentences=tuple(sentences), paragraph_count=len(renumber))
