"""A Word file's translated copy: the same document, its text in English.

Every paragraph of the body, of each table cell and of every header and footer is segmented
into sentences, all of them translated in one call (so a translator's batching, memory and
flags apply), and written back into the paragraph's own runs: styles, numbering, tables,
images and page layout are the original's, and so are the paragraphs' count and order.

How the runs take the English (docs/documents.md):
- when every run boundary falls between sentences, each run gets the translation of the
  sentences it holds, so a bold or italic sentence stays bold or italic;
- otherwise (a run ends inside a sentence, e.g. one italic word) the paragraph's whole
  translation goes into its first run holding text, and the other runs' text is removed.
A run's non-text content (an image, a page break, a field) is never touched.

A flagged sentence (low confidence, a repeated output) gets a Word comment on the run that
holds it, naming the flags and the Indonesian source; in a header or footer, where Word shows
no comments, the run is highlighted yellow instead.
"""

from __future__ import annotations

import io
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from translate_cli.document import Document, Sentence
from translate_cli.documents.docx import body_paragraphs, open_docx, running_parts
from translate_cli.report import TranslatedSentence
from translate_cli.segment import segment

if TYPE_CHECKING:
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

# Translates a document's sentences: ``pipeline.translate(document).sentences``.
Translate = Callable[[Document], Sequence[TranslatedSentence]]
COMMENT_AUTHOR = "translate-cli"
# Run children that hold text; everything else in a run (drawings, fields, page breaks) stays.
_TEXT_TAGS = ("t", "tab", "cr", "noBreakHyphen", "softHyphen")


@dataclass
class _Place:
    """One paragraph to translate: where it is, its text and its runs' spans in that text."""

    paragraph: Paragraph
    runs: list[Run]
    spans: list[tuple[int, int]]
    comments: bool  # False in headers and footers: a highlight marks a flag there
    sentences: list[TranslatedSentence]


def translate_docx(data: bytes, translate: Translate, *, name: str) -> bytes:
    """The bytes of ``data``'s Word file with every text translated by ``translate``."""
    document = open_docx(data, name)
    places = [_place(p, comments=True) for p in body_paragraphs(document)]
    for _, part in running_parts(document):
        places += [_place(p, comments=False) for p in body_paragraphs(part)]
    places = [place for place in places if _text(place).strip()]
    _translate_all(places, translate)
    for place in places:
        _write(document, place)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _runs(paragraph: Paragraph) -> list[Run]:
    """The paragraph's runs in order, those inside hyperlinks included."""
    from docx.text.hyperlink import Hyperlink

    runs: list[Run] = []
    for item in paragraph.iter_inner_content():
        runs.extend(item.runs if isinstance(item, Hyperlink) else [item])
    return runs


def _place(paragraph: Paragraph, *, comments: bool) -> _Place:
    runs = _runs(paragraph)
    spans, at = [], 0
    for run in runs:
        spans.append((at, at + len(run.text)))
        at += len(run.text)
    return _Place(paragraph, runs, spans, comments, [])


def _text(place: _Place) -> str:
    # Tabs and line breaks become spaces of the same length, so offsets stay the runs'.
    text = "".join(run.text for run in place.runs)
    return text.replace("\t", " ").replace("\n", " ")


def _translate_all(places: list[_Place], translate: Translate) -> None:
    """One document of every paragraph's sentences (a paragraph each), translated in one call;
    each translated sentence goes back to its paragraph."""
    texts = [_text(place) for place in places]
    starts: list[int] = []
    spans: list[tuple[int, int, int]] = []
    at = 0
    for number, text in enumerate(texts):
        starts.append(at)
        spans += [(number, at + s.start, at + s.end) for s in segment(text).sentences]
        at += len(text) + 2
    document = Document.from_spans("\n\n".join(texts), spans)
    for item in translate(document):
        number = bisect_right(starts, item.sentence.start) - 1
        offset = starts[number]
        sentence = item.sentence
        local = Sentence(
            sentence.index, number, sentence.start - offset, sentence.end - offset, sentence.text
        )
        places[number].sentences.append(
            TranslatedSentence(local, item.translation, item.score, item.flags)
        )


def _english(items: Sequence[TranslatedSentence]) -> str:
    return " ".join((item.translation or item.sentence.text).strip() for item in items)


def _write(document: Any, place: _Place) -> None:
    """Put the English into the paragraph's runs (the rule in the module's docstring)."""
    sentences = place.sentences
    if not sentences:  # nothing the segmenter calls a sentence: left as it is
        return
    inside = [(item.sentence.start, item.sentence.end) for item in sentences if item.sentence.text]
    whole = all(
        not any(start < cut < end for start, end in inside)
        for _, cut in place.spans[:-1]  # the boundaries between runs
    )
    holders: list[tuple[Run, list[TranslatedSentence]]] = []
    if whole:
        for run, (begin, end) in zip(place.runs, place.spans, strict=True):
            held = [item for item in sentences if begin <= item.sentence.start < end]
            if held:
                text = run.text
                lead = text[: len(text) - len(text.lstrip())]
                trail = text[len(text.rstrip()) :]
                _set_text(run, lead + _english(held) + trail)
                holders.append((run, held))
    else:
        first = next(run for run in place.runs if run.text.strip())
        _set_text(first, _english(sentences))
        for run in place.runs:
            if run is not first and run.text:
                _set_text(run, "")
        holders.append((first, sentences))
    for run, held in holders:
        _mark_flags(document, run, held, comments=place.comments)


def _set_text(run: Run, text: str) -> None:
    """Replace the run's text, leaving its formatting and any non-text content in place."""
    from docx.oxml.ns import qn

    element = run._r
    text_tags = {qn(f"w:{tag}") for tag in _TEXT_TAGS}
    removed = [
        child
        for child in element
        if child.tag in text_tags
        or (child.tag == qn("w:br") and child.get(qn("w:type")) in (None, "textWrapping"))
    ]
    position = element.index(removed[0]) if removed else len(element)
    for child in removed:
        element.remove(child)
    if text:
        t = element.makeelement(qn("w:t"), {})
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        element.insert(position, t)


def _mark_flags(
    document: Any, run: Run, held: Sequence[TranslatedSentence], *, comments: bool
) -> None:
    flagged = [item for item in held if item.flags]
    if not flagged:
        return
    if not comments:
        from docx.enum.text import WD_COLOR_INDEX

        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return
    notes = "\n".join(f"{', '.join(item.flags)}: {item.sentence.text}" for item in flagged)
    document.add_comment(run, text=f"Check this translation ({notes})", author=COMMENT_AUTHOR)
