"""Candidates for the extractive summariser: what of a document a summary may use.

:func:`prepare` turns a :class:`~translate_cli.document.Document` into the title line (if any)
and the candidate sentences a summary may use: boilerplate (``Baca juga: …`` links, credits,
``(red)``, bylines, standalone datelines; :mod:`~translate_cli.summarize.boilerplate`) is
dropped, a leading dateline such as ``JAKARTA, KOMPAS.com -`` is trimmed off the sentence it
starts, and heading lines at the top of the article are set aside. The features
(:mod:`~translate_cli.summarize.features`) then describe the candidates; the training script
(``tools/train_summarizer.py``) calls the same functions, so training and run time cannot
drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from translate_cli.document import Document, Sentence
from translate_cli.summarize.boilerplate import dateline_length, is_boilerplate
from translate_cli.summarize.tokens import mentions_date, word_list

__all__ = ["TITLE_MAX_WORDS", "Candidate", "Prepared", "prepare"]

# A heading line: at most this many words, no sentence-final punctuation, followed by "\n".
TITLE_MAX_WORDS = 16
# At most this many heading lines are looked for at the top of an article (kicker + title).
_MAX_HEADING_LINES = 3
# In text laid out one paragraph a line, a headline the segmenter keeps as a sentence of its
# own may be this long, in sentence case, and end in "?", "!" or (first) "." (NTREX's do).
HEADLINE_MAX_CHARS = 200
# A first line ending in "." is a headline only this short, and naming no day or date: longer,
# or dated, it is the lead sentence (IndoSum's run 20-30 words; NTREX's headlines at most 18).
HEADLINE_FULL_STOP_MAX_WORDS = 18
# Heading lines above such a headline are a rubric ("Kota Malang") of at most this many words.
_KICKER_MAX_WORDS = 4
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")

_FINAL_PUNCT = ".!?,;:…"
_CLOSING = "\"'”’»)]"
_SENTENCE_END = re.compile(r"\w{2,}[.!?…]+[\"'”’)]*\s+\S")


@dataclass(frozen=True)
class Candidate:
    """A sentence the summary may use.

    ``original`` is the document's sentence; ``pick`` is the same sentence unless heading lines
    at the top of the article share it (when the splitter did not cut after them), in which
    case it starts after them; ``sentence`` is ``pick`` with any leading dateline trimmed off,
    and is what the features read.
    """

    sentence: Sentence
    pick: Sentence
    original: Sentence
    had_dateline: bool


@dataclass(frozen=True)
class Prepared:
    """What :func:`prepare` makes of a document; ``body`` is its text after the heading lines."""

    title: Sentence | None
    candidates: tuple[Candidate, ...]
    body: str = ""


def _is_heading(line: str) -> bool:
    """A short line without final punctuation, mostly capitalised, not a dateline or boilerplate.

    Indonesian headlines are written in title case; a lowercase line without a full stop at
    the top is far more often a sentence cut by a stray line break than a headline.
    """
    tokens = [t for t in line.split() if t[:1].isalpha()]
    if not tokens or len(line.split()) > TITLE_MAX_WORDS or line[-1] in _FINAL_PUNCT:
        return False
    if _SENTENCE_END.search(line):  # more than one sentence: body text, not a headline
        return False
    return (
        _title_case(tokens)
        and tokens[0][:1].isupper()
        and not dateline_length(line)
        and not is_boilerplate(line)
    )


def _headline(document: Document, start: int, end: int, first: bool) -> bool:
    """Whether line ``[start, end)`` is a headline in news layout, long or in sentence case.

    Only in text laid out one paragraph a line (the line alone in its paragraph, a body of
    several lines and no blank line in it), and the segmenter must have kept the line as one
    sentence. Elsewhere such a line may be a sentence cut by a stray line break, or a lead
    paragraph of one sentence (IndoSum has many, some ending in "?"). One ending in "." reads
    like a lead sentence even here unless it is the first line, short, and names no day or
    date.
    """
    text = document.text
    line = text[start:end]
    if len(line) > HEADLINE_MAX_CHARS or line[-1] in ",;:-–—" or not _opens_headline(line):
        return False
    if dateline_length(line) or is_boilerplate(line):
        return False
    index = next((s.index for s in document.sentences if s.start == start), None)
    if index is None or document.sentences[index].end != end:
        return False
    full_stop = line.rstrip(_CLOSING)[-1:] in ".…"
    body = text[end:].strip()
    following = document.sentences[index + 1 : index + 2]
    laid_out = (
        bool(following)
        and following[0].paragraph != document.sentences[index].paragraph
        and "\n" in body
        and not _BLANK_LINE.search(body)
    )
    if not laid_out:
        return False
    return not full_stop or (first and _short_undated(line))


def _short_undated(line: str) -> bool:
    return len(line.split()) <= HEADLINE_FULL_STOP_MAX_WORDS and not mentions_date(line)


def _opens_headline(line: str) -> bool:
    """A word or number opens it, maybe after a quote ("iPhone …", "‘Laut adalah …")."""
    stripped = line.lstrip("\"'“‘«„(")
    return bool(stripped) and stripped[0].isalnum()


def _sentence_ends(document: Document, offset: int) -> bool:
    return any(s.end == offset for s in document.sentences[: _MAX_HEADING_LINES + 2])


def _cut_inside(document: Document, start: int, end: int) -> bool:
    """Whether the segmenter ends a sentence inside ``[start, end)``: two sentences on one line
    are body text, not a heading, whatever their capitals (``_SENTENCE_END`` misses an end
    after a bracket: "... Rabu (17/5). Foto: Shutterstock")."""
    for sentence in document.sentences:
        if sentence.start >= end:
            return False
        if start < sentence.end < end:
            return True
    return False


def _title_case(tokens: list[str]) -> bool:
    capitalised = sum(
        1 for t in tokens if t[:1].isupper() or t.lower() in word_list("title_lowercase")
    )
    return 2 * capitalised >= len(tokens)


def _header(document: Document) -> tuple[int, tuple[int, int] | None]:
    """End offset of the heading block at the top of the document and the title line's span.

    Heading lines are short lines without final punctuation, each followed by a newline; the
    longest of them is the title (a short kicker such as a city name may precede it). A
    headline as news text is laid out (:func:`_headline`: long, in sentence case, ending in
    "?") may follow such kickers and ends the block. A dateline on a line of its own between
    them is skipped. Nothing counts as a header unless body text follows it.
    """
    text = document.text
    pos = 0
    end = 0
    headings: list[tuple[int, int]] = []
    for _ in range(_MAX_HEADING_LINES + 1):
        while pos < len(text) and text[pos].isspace():
            pos += 1
        newline = text.find("\n", pos)
        if newline < 0:
            break
        line = text[pos:newline].rstrip()
        if not line:
            break
        if (
            _is_heading(line)
            and not _cut_inside(document, pos, pos + len(line))
            and (
                not headings
                or not _sentence_ends(document, headings[0][1])
                or _sentence_ends(document, pos + len(line))
            )
        ):
            # Where the splitter cut after the first heading, a heading under it must end a
            # sentence too: a line of wrapped body text does not.
            if len(headings) == _MAX_HEADING_LINES:
                break
            headings.append((pos, pos + len(line)))
        elif (
            all(len(text[a:b].split()) <= _KICKER_MAX_WORDS for a, b in headings)
            and len(line.split()) > max((len(text[a:b].split()) for a, b in headings), default=0)
            and _headline(document, pos, pos + len(line), first=pos == 0 or not text[:pos].strip())
        ):
            headings.append((pos, pos + len(line)))
            end = pos + len(line)
            break
        elif not (is_boilerplate(line) and dateline_length(line)):
            break
        end = pos + len(line)
        pos = newline + 1
    if not headings or not text[end:].strip():
        return 0, None
    title = max(headings, key=lambda span: (len(text[span[0] : span[1]].split()), -span[0]))
    return end, title


def _trimmed(sentence: Sentence, text: str, start: int) -> Sentence:
    while start < sentence.end and text[start].isspace():
        start += 1
    return Sentence(
        sentence.index, sentence.paragraph, start, sentence.end, text[start : sentence.end]
    )


def prepare(document: Document) -> Prepared:
    """Split ``document`` into its title line (or None) and its candidate sentences."""
    text = document.text
    header_end, title_span = _header(document)
    title: Sentence | None = None
    candidates: list[Candidate] = []
    for sentence in document.sentences:
        current = sentence
        if current.start < header_end:
            if title is None and title_span is not None and current.end > title_span[0]:
                start, end = title_span
                title = Sentence(current.index, current.paragraph, start, end, text[start:end])
            if current.end <= header_end:
                continue
            current = _trimmed(current, text, header_end)
        if is_boilerplate(current.text):
            continue
        cut = dateline_length(current.text)
        trimmed = _trimmed(current, text, current.start + cut) if cut else current
        candidates.append(Candidate(trimmed, current, sentence, cut > 0))
    return Prepared(title, tuple(candidates), text[header_end:])
