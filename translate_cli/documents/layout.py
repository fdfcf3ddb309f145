"""Pages of positioned words rebuilt into an article: lines, columns, paragraphs, a title.

The PDF reader (and its OCR path) hands each page over as ``Word`` boxes in points, top-down.
From them: rows of words sharing a baseline; a vertical gutter splits two-column pages so that
the left column is read before the right; a line repeated at the top or bottom of most pages
(digits ignored) and page numbers (``Halaman 2 dari 5``, ``- 3 -``, ``Page 3 of 5``) are running
headers and footers; lines become paragraphs where the gap, an indent, a change of size or a
line left short on purpose says so; a hyphen at a line end is undone unless the word is a real
compound. The largest line(s) near the top of page 1 are the title, what stands above them the
letterhead, and a block from ``Narahubung``/``Kontak``/``Untuk informasi lebih lanjut`` to the
end the contact block: both are set apart, not dropped.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median

HYPHENS = "-\u00ad\u2010\ufffe\x02"  # pdfium writes a line-end hyphen as U+FFFE or 0x02
PAGE_NUMBER = re.compile(
    r"^(?:(?:halaman|hal\.?|page|p\.)\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?"
    r"(?:\s*(?:dari|of|/)\s*\d{1,4})?$",
    re.IGNORECASE,
)
# A contact block's first paragraph. "Kontak"/"Contact" only as a label: "Kontak senjata
# terjadi ..." (an exchange of fire) opens news paragraphs.
CONTACT = re.compile(
    r"^(?:narahubung|untuk informasi lebih lanjut|informasi lebih lanjut"
    r"|for (?:further|more) information|(?:media )?(?:kontak|contact)(?: (?:media|person|pers))?"
    r"\s*(?:[:\-–]|$))",
    re.IGNORECASE,
)
MAX_LETTERHEAD_LINES = 12  # more lines above the title are text, not a letterhead
BULLET = re.compile(r"^[•●▪◦‣■□➢✓\uf0b7\uf0a7–-]\s")  # a list item starts a paragraph
SENTENCE_END = '.!?:;"”’)'
COMPOUND = re.compile(r"\w+(?:-\w+)+")
TITLE_RATIO = 1.2  # a title's font is at least this much larger than the body's
RUNNING_EDGE_ROWS = 3  # rows at each end of a page that may be running headers/footers


@dataclass(frozen=True)
class Word:
    """A word's box in points, ``baseline`` measured from the top of the page."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float


@dataclass
class Line:
    words: list[Word]
    page: int
    column: int  # 0: across the page, 1: left column, 2: right column

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def baseline(self) -> float:
        return median(word.baseline for word in self.words)

    @property
    def size(self) -> float:
        """Its words' usual size: a drop cap or a superscript does not make it a heading."""
        return median(word.size for word in self.words)


@dataclass
class Layout:
    """What the pages say, in reading order, and what was set apart from the body."""

    title: str | None
    paragraphs: list[str]
    letterhead: list[str] = field(default_factory=list)
    contact: list[str] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # running headers (page numbers included)
    footer: list[str] = field(default_factory=list)  # running footers (page numbers included)


def rows(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped by baseline, each row left to right, rows top to bottom."""
    result: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.baseline, w.x0)):
        # 0.4 of the larger size: a superscript (a footnote mark) stays on its line.
        if result and abs(word.baseline - result[-1][0].baseline) <= 0.4 * max(
            word.size, result[-1][0].size
        ):
            result[-1].append(word)
        else:
            result.append([word])
    for row in result:
        row.sort(key=lambda w: w.x0)
    return result


def normalised(text: str) -> str:
    """A line's identity across pages: lowercase, digits as one ``#``, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text.lower())).strip()


def _row_text(row: list[Word]) -> str:
    return " ".join(word.text for word in row)


def drop_running(
    pages: list[list[list[Word]]],
) -> tuple[list[list[list[Word]]], list[str], list[str]]:
    """Pages without their running headers, footers and page numbers; the header texts and the
    footer texts dropped (each once).

    A row is running when its normalised text is among the first or last rows of at least 40%
    of the pages (two at least; 40%, as books alternate headers between odd and even pages),
    or when it looks like a page number. Only rows at a page's ends are peeled, so a sentence
    repeated in the middle of pages stays.
    """
    counts: Counter[str] = Counter()
    for page in pages:
        edge = page[:RUNNING_EDGE_ROWS] + page[-RUNNING_EDGE_ROWS:]
        counts.update({normalised(_row_text(row)) for row in edge})
    needed = max(2, math.ceil(0.4 * len(pages)))  # 0.4: odd and even pages may differ
    repeated = {text for text, count in counts.items() if count >= needed}

    def running(row: list[Word]) -> bool:
        text = _row_text(row)
        return normalised(text) in repeated or bool(PAGE_NUMBER.match(text.strip()))

    headers: dict[str, str] = {}  # normalised text: the first one seen
    footers: dict[str, str] = {}
    kept_pages = []
    for page in pages:
        start, end = 0, len(page)
        while start < end and start < RUNNING_EDGE_ROWS and running(page[start]):
            start += 1
        while end > start and len(page) - end < RUNNING_EDGE_ROWS and running(page[end - 1]):
            end -= 1
        for found, rows_dropped in ((headers, page[:start]), (footers, page[end:])):
            for row in rows_dropped:
                found.setdefault(normalised(_row_text(row)), _row_text(row))
        kept_pages.append(page[start:end])
    return kept_pages, list(headers.values()), list(footers.values())


def _crossing(page: list[list[Word]], x: float, reach: float = 1.0) -> int:
    """How many rows have a word within ``reach`` of ``x``."""
    return sum(1 for row in page if any(w.x0 - reach < x < w.x1 + reach for w in row))


def _columns_at(page: list[list[Word]], x: float, least_right: int) -> bool:
    """Whether ``x`` splits ``page`` into two columns of prose: almost no row crosses it, the
    left column's lines mostly run up to it (a table of short cells does not), and at least
    ``least_right`` rows have words right of it."""
    if _crossing(page, x) > 0.15 * len(page):
        return False
    left_ends = [max(w.x1 for w in row if w.x1 < x) for row in page if any(w.x1 < x for w in row)]
    right_rows = sum(1 for row in page if any(w.x0 > x for w in row))
    if len(left_ends) < 3 or right_rows < least_right:
        return False
    start = min(w.x0 for row in page for w in row)
    return median(left_ends) >= x - 0.2 * (x - start)


def gutter(page: list[list[Word]], hint: float | None = None) -> float | None:
    """The x of the gap between two columns, when the page has two; else None.

    The candidate is the x in the middle of the text that the fewest rows cross. ``hint`` is
    the gutter of the document's other pages: a last page with a short right column has too
    few rows to show its own, yet it splits at the same x.
    """
    words = [word for row in page for word in row]
    if len(page) < 4 or not words:
        return None
    if hint is not None and _columns_at(page, hint, 1):
        return hint
    left, right = min(w.x0 for w in words), max(w.x1 for w in words)
    middle = (left + right) / 2
    # A gutter is wider than a word space: probe 0.4 em either side; the middle wins ties.
    reach = 0.4 * median(w.size for w in words)
    candidates = [left + (0.3 + 0.01 * step) * (right - left) for step in range(41)]
    x = min(candidates, key=lambda c: (_crossing(page, c, reach), abs(c - middle)))
    return x if _columns_at(page, x, 3) else None


def page_lines(page: list[list[Word]], number: int, split: float | None) -> list[Line]:
    """A page's lines in reading order: across-the-page lines where they stand, and between
    them the left column's lines before the right column's (``split``: the gutter's x)."""
    result: list[Line] = []
    band: list[Line] = []
    for row in page:
        left = [w for w in row if split is not None and w.x1 <= split]
        right = [w for w in row if split is not None and w.x0 >= split]
        # A line across the page crosses the gutter, or spans it with an ordinary word space.
        across = split is None or len(left) + len(right) < len(row)
        if not across and left and right:
            across = right[0].x0 - left[-1].x1 < 0.8 * min(left[-1].size, right[0].size)
        if across:
            result.extend(sorted(band, key=lambda line: line.column))
            band = []
            result.append(Line(row, number, 0))
            continue
        band.extend(Line(part, number, column) for column, part in ((1, left), (2, right)) if part)
    result.extend(sorted(band, key=lambda line: line.column))  # stable: top to bottom kept
    return result


def compounds(lines: Sequence[Line]) -> set[str]:
    """Hyphenated words that stand whole inside a line: a line-end hyphen in them is kept."""
    found: set[str] = set()
    for line in lines:
        found.update(match.lower() for match in COMPOUND.findall(line.text))
    return found


def join(head: str, tail: str, known: set[str]) -> str:
    """``head`` and the next line ``tail`` as one text, undoing a hyphenation break.

    A hyphen at the end of ``head`` after a letter is a break (dropped) when ``tail`` starts
    with a lowercase letter, unless the hyphenated word occurs whole elsewhere in the document
    (``kerja-sama``); before a capital or a digit (``Covid-19``, ``Jawa-Bali``) it is kept.
    A soft hyphen is always a break.
    """
    if not head or not tail or head[-1] not in HYPHENS or len(head) < 2 or not head[-2].isalpha():
        return f"{head} {tail}" if head and tail else head or tail
    if head[-1] == "\u00ad":
        return head[:-1] + tail
    stem = head[:-1]
    if not tail[0].islower():
        return f"{stem}-{tail}"
    first = re.match(r"\w+", tail)
    last = re.search(r"\w+$", stem)
    if first and last and f"{last.group()}-{first.group()}".lower() in known:
        return f"{stem}-{tail}"
    return stem + tail


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class _Columns:
    """Each column's left and right edge on each page, from its lines there."""

    left: dict[tuple[int, int], float]
    right: dict[tuple[int, int], float]

    @classmethod
    def of(cls, lines: Sequence[Line]) -> _Columns:
        groups: dict[tuple[int, int], list[Line]] = {}
        for line in lines:
            groups.setdefault((line.page, line.column), []).append(line)
        left, right = {}, {}
        for key, mine in groups.items():
            few = len(mine) < 8  # too few for percentiles: the extremes
            left[key] = _percentile([line.x0 for line in mine], 0.0 if few else 0.2)
            right[key] = _percentile([line.x1 for line in mine], 1.0 if few else 0.9)
        return cls(left, right)


def _leading(lines: Sequence[Line]) -> float:
    """The usual distance between the baselines of two lines of a paragraph."""
    gaps = [
        b.baseline - a.baseline
        for a, b in pairwise(lines)
        if a.page == b.page
        and a.column == b.column
        and abs(a.size - b.size) < 0.5
        and b.baseline > a.baseline
    ]
    return _percentile(gaps, 0.3) if gaps else 1.2 * median(line.size for line in lines)


def _breaks(previous: Line, line: Line, columns: _Columns, leading: float, justified: bool) -> bool:
    """Whether ``line`` starts a new paragraph after ``previous``."""
    if abs(previous.size - line.size) > 0.1 * line.size or BULLET.match(line.text):
        return True
    here, there = (line.page, line.column), (previous.page, previous.column)
    indent = line.x0 - columns.left[here]
    if indent > 0.8 * line.size and previous.x0 - columns.left[there] < 0.4 * line.size:
        return True  # a first-line indent
    room = columns.right[there] - previous.x1
    first = line.words[0]
    if room > (first.x1 - first.x0) + 0.6 * line.size:
        return True  # the previous line ended short although this word would have fitted
    if justified and room > 0.4 * line.size and previous.text[-1] in SENTENCE_END:
        return True  # justified text: only a paragraph's last line stops short of the edge
    same_flow = previous.page == line.page and previous.column == line.column
    return same_flow and line.baseline - previous.baseline > 1.35 * leading


def paragraphs(lines: Sequence[Line]) -> list[list[Line]]:
    """Lines grouped into paragraphs, in reading order."""
    if not lines:
        return []
    columns = _Columns.of(lines)
    leading = _leading(lines)
    flush = sum(
        1 for line in lines if columns.right[line.page, line.column] - line.x1 < 0.3 * line.size
    )
    justified = flush >= 0.6 * len(lines)
    groups: list[list[Line]] = [[lines[0]]]
    for previous, line in pairwise(lines):
        if _breaks(previous, line, columns, leading, justified):
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _text(group: Sequence[Line], known: set[str]) -> str:
    text = ""
    for line in group:
        text = join(text, line.text, known)
    return text.replace("\ufffe", "-").replace("\x02", "-").replace("\u00ad", "")


def _title(lines: list[Line]) -> tuple[int, int] | None:
    """The first and end index of the title lines: the largest font near the top of page 1,
    clearly larger than the body's."""
    if not lines:
        return None
    body = median(line.size for line in lines)
    # Near the top of page 1; four characters at least, so a drop cap is not a title.
    head = [i for i, line in enumerate(lines[:25]) if line.page == 0 and len(line.text) >= 4]
    if not head:
        return None
    largest = max(lines[i].size for i in head)
    if largest < TITLE_RATIO * body:
        return None
    start = next(i for i in head if lines[i].size == largest)
    end = start + 1
    while end < len(lines) and lines[end].page == 0 and abs(lines[end].size - largest) < 0.1:
        end += 1
    return start, end


def _contact_start(texts: list[str]) -> int | None:
    """Where the contact block begins: a marker paragraph in the second half, a short tail."""
    for index in range(len(texts) // 2, len(texts)):
        if CONTACT.match(texts[index].strip()) and len(texts) - index <= 12:
            return index
    return None


def build(pages: list[list[Word]]) -> Layout:
    """The article of pages of words (each page's words in any order)."""
    row_pages, header, footer = drop_running([rows(page) for page in pages])
    splits = [gutter(page) for page in row_pages]
    found = [split for split in splits if split is not None]
    hint = median(found) if found else None
    splits = [
        split if split is not None else gutter(page, hint)
        for split, page in zip(splits, row_pages, strict=True)
    ]
    lines = [
        line
        for number, (page, split) in enumerate(zip(row_pages, splits, strict=True))
        for line in page_lines(page, number, split)
    ]
    known = compounds(lines)
    title_span = _title(lines)
    title, letterhead = None, []
    if title_span:
        start, end = title_span
        title = _text(lines[start:end], known)
        if start <= MAX_LETTERHEAD_LINES:
            letterhead = [line.text for line in lines[:start]]
            lines = lines[end:]
        else:
            lines = lines[:start] + lines[end:]
    texts = [_text(group, known) for group in paragraphs(lines)]
    contact: list[str] = []
    contact_at = _contact_start(texts)
    if contact_at is not None:
        texts, contact = texts[:contact_at], texts[contact_at:]
    return Layout(title, texts, letterhead, contact, header, footer)
