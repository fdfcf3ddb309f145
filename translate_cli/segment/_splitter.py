"""The rules behind ``segment``: paragraphs, line breaks, then sentence-final punctuation.

Work is linear in the input: no regex has nested quantifiers or can rescan a long stretch of
text, and each candidate boundary looks at most a few dozen characters to either side.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from translate_cli.segment._lexicon import Lexicon, lexicon

TERMINATORS = ".!?…‼⁇⁈⁉"
CLOSERS = "\"'”’»›)]}"
CLOSING_QUOTES = "\"'”’»›"
OPENING_QUOTES = "\"'“‘«‹„‚"
OPENING_BRACKETS = "([{"
OPENERS = OPENING_QUOTES + OPENING_BRACKETS
# A line ending in one of these goes on at the next line. In a paragraph of long lines, where
# every break was typed, a semicolon or colon ends a list item, and so does a comma unless
# lowercase follows.
JOINERS = "-–—/&+=(“‘«„[{"
SOFT_JOINERS = ",;:"
LINE_BREAKS = "\n\r\x0b\x1c\x1d\x1e\x85\u2028"

_LB = r"(?:\r\n|\r(?!\n)|[\n\x0b\x1c-\x1e\x85\u2028])"
_HSPACE = r"[^\S\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]"
# A blank (or whitespace-only) line, a form feed or a paragraph separator.
_PARAGRAPH = re.compile(rf"(?:{_LB}{_HSPACE}*{_LB}|[\x0c\u2029])\s*")
_LINE = re.compile(_LB)
_T = re.escape(TERMINATORS)
_C = re.escape(CLOSERS)
# Terminators with the quotes and brackets that close on them; a closer cut off by a space
# ('". "' in sloppy text) still belongs to the sentence it closes.
_CANDIDATE = re.compile(rf"[{_T}][{_T}{_C}]*(?:[ \t\u00a0]+[{_C}]+(?=\s|$))?")
_NON_SPACE = re.compile(r"\S")
_SPACE = re.compile(r"\s")
_PUNCT = ".,;:!?\"'“”‘’()[]"
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.I)
_URL_TAIL = ".,;:!?)]}\"'”’»"  # punctuation after a URL belongs to the sentence
_LIST_ITEM = re.compile(r"(?:[-–—•·▪►*+]|\d{1,3}[.)]|[a-z][.)]|[A-Z]\)|[IVX]{1,4}\.|\(\w{1,3}\))\s")
_LIST_MARKER = re.compile(r"\d{1,3}|[a-zA-Z]|[IVXivx]{1,4}")
_DEGREE_SHAPE = re.compile(r"[A-Z][A-Za-z]{0,3}(?:\.[A-Z][A-Za-z]{0,3})+")
_INITIALS = re.compile(r"[A-Z]|[A-Za-z](?:\.[A-Za-z])+")
_LOWER_INITIALS = re.compile(r"[a-z](?:\.[a-z])+")
# "JAKARTA, KOMPAS.com", "BANDUNG (ANTARA)", "Jakarta, CNNIndonesia.com": a dateline alone
# on its line belongs to the first sentence.
_DATELINE = re.compile(
    r"[A-Z][A-Z .'-]{1,30}(?: \([^()\n]{1,40}\)|, [^\n]{1,40})"
    r"|[A-Z][\w .'-]{1,30}, [^\s,]{1,30}\.(?:com|co|id|co\.id|CO|ID|net)(?: [^\n]{0,20})?"
)
_ASIDE = re.compile(r"[(\[]\s*(\w+)(?:\s+juga)?\s*:")  # "(Baca juga: …)", "(Foto: …)"
_CITATION = re.compile(r"\([A-Z][^()\n]{0,80}?\b\d{4}[a-z]?\)")  # "(Bremer, 1998)"
_DOMAIN_WORDS = frozenset(
    ["com", "net", "org", "co", "id", "go", "ac", "or", "info", "tv", "io", "biz", "news"]
)

LONG_LINE = 200  # no one hard-wraps wider than this: a longer line means deliberate breaks
MIN_WRAP = 40  # nor narrower than this: shorter lines are a list or a poem
_FEW_LINES = 3  # a paragraph of this many lines is too short to show its wrap on its own
_OVERLONG = 1.15  # a first line this much wider than the rest is not part of their wrap
_MAX_TOKEN = 40  # how far a candidate looks for the word on either side


@dataclass(frozen=True)
class _Paragraph:
    """What the line-break rules need to know about a paragraph's shape."""

    width: int  # longest line, stripped
    wrapped: bool  # lines of even width that mostly end mid-sentence: hard-wrapped prose
    deliberate: bool  # some line is longer than any wrap width: every break was typed
    # Not wrapped, and most lines end a sentence: one sentence (or paragraph) a line, so a
    # break after final punctuation was typed too ("… mempercayai A.S.⏎Ri membuat …").
    sentence_lines: bool = False


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph; blank lines between them are left out."""
    spans = []
    start = 0
    for match in _PARAGRAPH.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def document_shape(text: str, spans: list[tuple[int, int]]) -> _Paragraph:
    """The shape of all the text's lines together: whether it is hard-wrapped, and how wide.

    A short paragraph of a wrapped text (two or three lines) is too small to show its wrap
    width on its own; the whole document shows it.
    """
    return _shape(text, [line for start, end in spans for line in _lines(text, start, end)])


def sentence_starts(
    text: str, start: int, end: int, *, document: _Paragraph | None = None
) -> tuple[list[int], list[int]]:
    """Offsets in ``[start, end)`` where a new sentence begins, after the paragraph's first,
    and the subset of them where a new paragraph begins.

    Text laid out one paragraph a line (as copied or scraped from news sites, with no blank
    lines) has a new paragraph at each line that ends a sentence or stands alone (a rubric, a
    headline): unless its lines are hard-wrapped (``document``, the shape of the whole text,
    says so), every line break that is a sentence boundary is a paragraph break. In wrapped
    text only a line that ends a sentence well short of the wrap width (the next word would
    have fitted), one wider than the wrap, or a headline ends a paragraph.
    """
    lex = lexicon()
    lines = _lines(text, start, end)
    if not lines:
        return [], []
    shape = _shape(text, lines)
    if (
        document is not None
        and document.wrapped
        and not (shape.wrapped or shape.deliberate)
        and (len(lines) <= _FEW_LINES or not shape.sentence_lines)
    ):
        # Too few lines to show the wrap, or too uneven: the whole text shows it. (A block of
        # lines that each end a sentence, a list say, keeps its own shape.)
        shape = document
    # Only a headline at the top of the text: lower down, such a line is a wrapped line with
    # names in it, or a splitting mistake.
    top = lines[0][0] if _NON_SPACE.search(text, 0, start) is None else -1
    breaks: set[int] = set()
    _line_breaks(text, lines, shape, lex, breaks, top)
    _punctuation_breaks(text, start, end, shape, lex, breaks)
    _aside_breaks(text, start, end, lex, breaks)
    breaks.discard(start)
    starts = sorted(breaks)
    pairs = [(a, b, c, d) for (a, b), (c, d) in itertools.pairwise(lines) if c in breaks]
    if document is not None and document.wrapped:
        shape = document
    elif not shape.wrapped:
        return starts, [c for _, _, c, _ in pairs]
    return starts, [c for a, b, c, d in pairs if _not_wrapped(text, a, b, c, d, shape, top)]


def _not_wrapped(
    text: str, a: int, b: int, c: int, d: int, shape: _Paragraph, lines_start: int
) -> bool:
    """Whether line ``[a, b)`` of wrapped text, which a boundary follows, ends a paragraph: it
    is the text's first line (a headline), a title-case line without final punctuation, the
    next word would have fitted on it, or it is wider than the wrap."""
    if a == lines_start or (not _ends_sentence(text, a, b) and _title_like(text[a:b])):
        return True
    return b - a > shape.width or (b - a) + 1 + _word_length(text, c, d) <= 0.85 * shape.width


def _word_length(text: str, c: int, d: int) -> int:
    """Length of the first word of line ``[c, d)``."""
    space = _SPACE.search(text, c, min(d, c + _MAX_TOKEN))
    return (space.start() if space else min(d, c + _MAX_TOKEN)) - c


# --- lines -------------------------------------------------------------------------------


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Stripped ``(start, end)`` of each non-empty line in the paragraph."""
    found = []
    line_start = start
    for match in _LINE.finditer(text, start, end):
        found.append((line_start, match.start()))
        line_start = match.end()
    found.append((line_start, end))
    stripped = []
    for a, b in found:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            stripped.append((a, b))
    return stripped


def _ends_sentence(text: str, a: int, b: int) -> bool:
    """Whether the line ``text[a:b]`` ends in sentence-final punctuation."""
    while b > a and text[b - 1] in CLOSERS:
        b -= 1
    return b > a and text[b - 1] in TERMINATORS


def _shape(text: str, lines: list[tuple[int, int]]) -> _Paragraph:
    width = max((b - a for a, b in lines), default=0)
    rest = max((b - a for a, b in lines[1:]), default=0)
    if len(lines) >= 3 and width > _OVERLONG * rest:
        # A headline longer than the wrap width above a wrapped body: the body sets the width.
        width = rest
    # A long line of prose (not a URL or a table rule) was never wrapped.
    deliberate = any(b - a > LONG_LINE and text.count(" ", a, b) >= 10 for a, b in lines)
    inner = lines[:-1]
    if deliberate or width < MIN_WRAP or len(inner) < 2:
        # Two lines are too few to tell a wrap width from a headline over its sentence.
        return _Paragraph(width, wrapped=False, deliberate=deliberate)
    full = sum(1 for a, b in inner if b - a >= 0.6 * width)
    open_ended = sum(1 for a, b in inner if not _ends_sentence(text, a, b))
    if open_ended <= 0.25 * len(inner):
        return _Paragraph(width, wrapped=False, deliberate=False, sentence_lines=True)
    # Most words are lowercase, so a wrap usually carries one onto the next line; lines that
    # all start with capitals are units of their own (headlines, one sentence a line).
    carried = sum(1 for a, _ in lines[1:] if text[a].islower())
    # Or every line that ends mid-sentence does so because the next word would not have
    # fitted: few carried words, when the wraps happen to fall before names.
    reflowed = sum(
        1
        for (a, b), (c, d) in itertools.pairwise(lines)
        if not _ends_sentence(text, a, b) and (b - a) + 1 + _word_length(text, c, d) > 0.85 * width
    )
    # Short sentences, each about a line long, leave few lines open at the end; then every
    # open line must pass the reflow test and some word must be carried.
    wrapped = full >= 0.6 * len(inner) and (
        (
            open_ended >= 0.5 * len(inner)
            and (carried >= max(1, 0.2 * len(inner)) or 2 <= open_ended == reflowed)
        )
        or (open_ended >= 0.3 * len(inner) and carried >= 1 and 2 <= open_ended == reflowed)
    )
    return _Paragraph(width, wrapped=wrapped, deliberate=False)


def _line_breaks(
    text: str,
    lines: list[tuple[int, int]],
    shape: _Paragraph,
    lex: Lexicon,
    breaks: set[int],
    top: int,
) -> None:
    # In wrapped text a line as wide as the wrap is a headline only as the text's first line:
    # lower down, names make a wrapped line look like one ("… Konferensi Partai⏎Konservatif").
    for (a, b), (c, d) in itertools.pairwise(lines):
        if _LIST_ITEM.match(text, c) or (c + 1 == d and not text[c].isalnum()):
            breaks.add(c)  # a list item on its own line
        elif not _ends_sentence(text, a, b) and not _line_continues(
            text, a, b, c, d, shape, lex, a == top
        ):
            breaks.add(c)


def _line_continues(
    text: str, a: int, b: int, c: int, d: int, shape: _Paragraph, lex: Lexicon, on_top: bool
) -> bool:
    """Whether line ``[a, b)``, which lacks final punctuation, runs on into ``[c, d)``."""
    if text[b - 1] in JOINERS:
        return True
    if text[b - 1] in SOFT_JOINERS and (
        not shape.deliberate or (text[b - 1] == "," and text[c].islower())
    ):
        return True
    if _last_word(text, a, b).lower() in lex.function_words:
        return True
    if b - a <= 80 and _DATELINE.fullmatch(text, a, b):
        return True
    if text[c].islower():
        return not shape.deliberate
    if shape.wrapped and b - a > shape.width:
        return False  # longer than the wrap width: the line was not wrapped
    if shape.wrapped and not (on_top and _title_like(text[a:b])):
        # The reflow test: the next line's first word would not have fitted on this one.
        return (b - a) + 1 + _word_length(text, c, d) > 0.85 * shape.width
    return False


def _last_word(text: str, a: int, b: int) -> str:
    i = b
    while i > a and b - i < _MAX_TOKEN and text[i - 1].isalpha():
        i -= 1
    return text[i:b]


def _title_like(line: str) -> bool:
    """A headline: most of its longer words are capitalised."""
    words = [w for w in line.split() if len(w) > 3 and w[0].isalpha()]
    capitals = sum(1 for w in words if w[0].isupper())
    return line[:1].isupper() and len(words) >= 2 and capitals >= 0.7 * len(words)


# --- sentence-final punctuation ----------------------------------------------------------


def _protected(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """URLs and e-mail addresses, whose dots and question marks end nothing."""
    spans = []
    for match in _URL.finditer(text, start, end):
        url_end = match.end()
        while url_end > match.start() and text[url_end - 1] in _URL_TAIL:
            url_end -= 1
        spans.append((match.start(), url_end))
    at = text.find("@", start, end)
    while at != -1:
        left = at
        while (
            left > start
            and at - left < 64
            and (text[left - 1].isalnum() or text[left - 1] in "._%+-")
        ):
            left -= 1
        right = at + 1
        while right < end and right - at < 255 and (text[right].isalnum() or text[right] in ".-"):
            right += 1
        while right > at + 1 and text[right - 1] == ".":
            right -= 1  # a sentence may end right after the address
        if left < at and "." in text[at + 1 : right]:
            spans.append((left, right))
        at = text.find("@", right, end)
    spans.sort()
    return spans


def _punctuation_breaks(
    text: str, start: int, end: int, shape: _Paragraph, lex: Lexicon, breaks: set[int]
) -> None:
    protected = _protected(text, start, end)
    p = 0
    for match in _CANDIDATE.finditer(text, start, end):
        m_start, m_end = match.span()
        while p < len(protected) and protected[p][1] <= m_start:
            p += 1
        if p < len(protected) and protected[p][0] <= m_start:
            continue
        if m_end >= end:
            continue
        run = match.group()
        if m_start > start and text[m_start - 1] in OPENING_BRACKETS:
            continue  # "[...]", "(…)": an omission, not an ending
        if text[m_end].isspace():
            nxt = _NON_SPACE.search(text, m_end, end)
            if nxt is None:
                continue
            t = nxt.start()
            citation = _CITATION.match(text, t, min(end, t + 100))
            if citation and not _is_aside(text, t, end, lex):
                # "(Bremer, 1998)" belongs to the sentence before; the next one starts after it.
                after = _NON_SPACE.search(text, citation.end(), end)
                if after and after.start() > citation.end() and text[after.start()].isupper():
                    breaks.add(after.start())
                continue
            newline = any(ch in LINE_BREAKS for ch in text[m_end:t])
            if newline and (shape.deliberate or shape.sentence_lines) and text[t].isupper():
                # No abbreviation holds across a typed line break ("… A.S.⏎Ri membuat"): in
                # long lines every break was typed; else one after a line wider than the rest
                # or that the next word would have fitted on.
                line_start = max(text.rfind("\n", start, m_start) + 1, start)
                line = m_end - line_start
                fitted = line + 1 + _word_length(text, t, end) <= 0.85 * shape.width
                if shape.deliberate or line > shape.width or fitted:
                    breaks.add(t)
                    continue
            typed = shape.deliberate or shape.sentence_lines
            if _boundary(text, m_start, run, t, end, newline and typed, lex):
                breaks.add(t)
        elif _glued_boundary(text, start, m_start, run, m_end, end, lex):
            breaks.add(m_end)


def _left_word(text: str, lo: int, pos: int) -> tuple[str, int]:
    """The token before ``pos`` without its opening quotes or brackets, and where it starts."""
    i = pos
    while i > lo and pos - i <= _MAX_TOKEN and not text[i - 1].isspace():
        i -= 1
    if pos - i > _MAX_TOKEN:
        return "", pos  # a URL or a run of symbols: no abbreviation
    while i < pos and text[i] in OPENERS:
        i += 1
    word = text[i:pos]
    return word.rstrip(CLOSERS), i


def _right_word(text: str, t: int, end: int) -> tuple[str, int]:
    """The letters of the word at ``t`` (after opening quotes or brackets) and where they end."""
    i = t
    while i < end and i - t < 3 and text[i] in OPENERS:
        i += 1
    j = i
    while j < end and j - i < _MAX_TOKEN and text[j].isalpha():
        j += 1
    return text[i:j], j


def _opens_unit(text: str, lo: int, i: int) -> bool:
    """Whether ``i`` starts a line or follows a sentence end: where list markers stand."""
    k = i
    while k > lo and i - k < 8 and text[k - 1] in " \t\u00a0":
        k -= 1
    if k == lo or text[k - 1] in LINE_BREAKS + "\x0c\u2029":
        return True
    while k > lo and k < i and text[k - 1] in CLOSERS:
        k -= 1
    return k < i and text[k - 1] in TERMINATORS


def _attribution(text: str, t: int, end: int, lex: Lexicon) -> bool:
    """Whether the words at ``t``, after a closing quote, attribute it to a speaker.

    "” Tutur Sutiaji.", "” Ujarnya." and "” Hammel menambahkan." finish the quoted sentence;
    "” Presiden mengatakan bahwa …" starts a new one.
    """
    words = text[t : min(end, t + 80)].split()[:6]
    head = words[0].strip(_PUNCT).lower() if words else ""
    if head in lex.saying_verbs:
        if head.endswith("nya"):
            return True
        following = words[1].lstrip(OPENERS) if len(words) > 1 else ""
        return bool(following) and (following[0].isupper() or following.lower() in lex.speakers)
    for i, word in enumerate(words):
        core = word.strip(_PUNCT)
        if i and core.lower() in lex.saying_verbs:
            return word.endswith((".", "!", "?")) or (i == len(words) - 1 and t + 80 >= end)
        if not core or not (core[0].isupper() or word[0] == "("):
            return False
    return False


def _is_aside(text: str, t: int, end: int, lex: Lexicon) -> bool:
    match = _ASIDE.match(text, t, min(end, t + 40))
    return match is not None and match.group(1).lower() in lex.asides


def _boundary(
    text: str, m_start: int, run: str, t: int, end: int, deliberate_newline: bool, lex: Lexicon
) -> bool:
    """Whether a sentence ends with ``run`` (at ``m_start``) and the next begins at ``t``."""
    first = text[t]
    terms = run.rstrip(CLOSERS + " \t\u00a0")
    quoted = any(ch in CLOSING_QUOTES for ch in run)
    exclaims = "?" in terms or "!" in terms
    if first in TERMINATORS:
        return False  # ". . ." spaced out
    if first in CLOSERS and first not in OPENING_QUOTES:
        return False
    if first in OPENING_QUOTES and (t + 1 >= end or text[t + 1].isspace()):
        return False  # a stray closing quote
    word, _ = _right_word(text, t, end)
    period = terms == "." and not quoted  # only a bare period can belong to an abbreviation
    if first in OPENING_BRACKETS:
        if _is_aside(text, t, end, lex):
            return True
        if _bracket_continues(text, t, end):
            return False  # "Tbk. (BBCA) naik": the sentence goes on after the bracket
        # "Telp. (0341) …" is held by its abbreviation; "(1) Pendidikan", "(red)" stand apart.
        return not (period and _holds(text, m_start, t, end, lex))
    if first.islower() and not _capitalised(text, t, end):
        if _lower_title(text, t, end, lex):
            # "… pulang. dr. Reisa mengatakan …": a title before a name opens a sentence;
            # "RS. dr. Soetomo" is a hospital's name after an acronym.
            left, _ = _left_word(text, max(0, m_start - _MAX_TOKEN - 1), m_start)
            if period and left.isupper() and len(left) <= 5:
                return False
            return not (period and _holds(text, m_start, t, end, lex))
        if exclaims and not quoted:
            return word.lower() not in lex.saying_verbs  # "Siapa? tanya dia" is attribution
        return deliberate_newline and not _holds(text, m_start, t, end, lex)
    if quoted and first.isupper() and _attribution(text, t, end, lex):
        return False
    return not (period and _holds(text, m_start, t, end, lex))


def _lower_title(text: str, t: int, end: int, lex: Lexicon) -> bool:
    """Whether ``t`` starts a lowercase title and a capitalised name: "dr. Reisa", "ir. Budi"."""
    word, word_end = _right_word(text, t, end)
    if word_end != t + len(word) or word not in lex.lower_titles:
        return False
    if word_end + 2 >= end or text[word_end] != "." or text[word_end + 1] not in " \t\u00a0":
        return False
    return text[word_end + 2].isupper()


def _capitalised(text: str, t: int, end: int) -> bool:
    """A word with a lowercase first letter that still opens sentences: "iPhone", "e-KTP"."""
    second = text[t + 1 : t + 3]
    return second[:1].isupper() or (second[:1] == "-" and second[1:].isupper())


def _bracket_continues(text: str, t: int, end: int) -> bool:
    """Whether a short bracket at ``t`` is followed by a lowercase word: "(BBCA) naik"."""
    close = text.find(")", t, min(end, t + 40))
    if close == -1:
        return False
    nxt = _NON_SPACE.search(text, close + 1, min(end, close + 4))
    return nxt is not None and text[nxt.start()].islower()


def _degree_holds(text: str, word: str, word_end: int, end: int, lex: Lexicon) -> bool:
    """Names come before degrees, so a capitalised word after one is another degree, a title
    ("M.Sc. Kepala Dinas …") or a new sentence ("M.H. Terdakwa hadir", "M.Sc. Ia …")."""
    if _starts_sentence(word, lex):
        return False
    nxt = _NON_SPACE.search(text, word_end, min(end, word_end + 4))
    return not (nxt is not None and nxt.start() > word_end and text[nxt.start()].islower())


def _starts_sentence(word: str, lex: Lexicon) -> bool:
    """A capitalised word that opens sentences, not names: "Namun", "Ia", "Sebelumnya"."""
    lower = word.lower()
    return lower in lex.starters or (len(lower) >= 6 and lower.endswith("nya"))


def _previous_word(text: str, lo: int, pos: int) -> str:
    j = pos
    while j > lo and pos - j < 4 and text[j - 1].isspace():
        j -= 1
    i = j
    while i > lo and j - i < _MAX_TOKEN and not text[i - 1].isspace():
        i -= 1
    return text[i:j].strip(_PUNCT)


def _holds(text: str, m_start: int, t: int, end: int, lex: Lexicon) -> bool:
    """Whether the period at ``m_start`` ends an abbreviation that keeps the sentence going
    into the word at ``t``."""
    first = text[t]
    word, word_end = _right_word(text, t, end)
    lo = max(0, m_start - 2 * _MAX_TOKEN)
    left, left_start = _left_word(text, lo, m_start)
    if not left or text[m_start - 1] in CLOSERS:
        return False  # "(Gbr. 3).", "(A, B, dan D)." end like any word
    if _LIST_MARKER.fullmatch(left) and _opens_unit(text, max(0, left_start - 10), left_start):
        return True  # "1. Pendahuluan", "… banjir. 2. Metode"
    if first.isdigit():
        return left in lex.no_break or left in lex.numeric
    if left in lex.no_break or _LOWER_INITIALS.fullmatch(left):
        return True
    if left in lex.company_suffixes and _company_suffix(text, t, end, lex):
        return True  # "Maju Pte. Ltd.", "Samsung Co. Ltd.": one company's name
    if left in lex.closers:
        return False
    # Degrees and initials stand before names; a quotation or a sentence starter ends them.
    if first in OPENING_QUOTES:
        return False
    if left in lex.degrees:
        return _degree_holds(text, word, word_end, end, lex)
    if _INITIALS.fullmatch(left):
        if len(left) == 1:
            before = _previous_word(text, lo, left_start)
            if before.lower() in lex.letter_labels or before[-1:].isdigit():
                return False  # "vitamin C.", "dari A ke B.", "1300 M."
        return not _starts_sentence(word, lex)
    if _DEGREE_SHAPE.fullmatch(left):
        return _degree_holds(text, word, word_end, end, lex)
    return False


def _company_suffix(text: str, t: int, end: int, lex: Lexicon) -> bool:
    """Whether the token at ``t`` is a company suffix with its period: "Ltd.", "S.A."."""
    space = _SPACE.search(text, t, min(end, t + _MAX_TOKEN))
    token = text[t : space.start() if space else min(end, t + _MAX_TOKEN)].rstrip(",;:")
    return token.endswith(".") and token[:-1] in lex.company_suffixes


def _glued_boundary(
    text: str, lo: int, m_start: int, run: str, m_end: int, end: int, lex: Lexicon
) -> bool:
    """A sentence end with no space after it: "tukasnya.Anggota", "sekali.”Kami"."""
    first = text[m_end]
    if not (first.isupper() or first in "“‘«"):
        return False
    word, word_end = _right_word(text, m_end, end)
    if first.isupper() and (len(word) < 2 or not word[1:].islower()):
        return False  # "KOMPAS.COM", "A.B", "e.Go"
    if word.lower() in _DOMAIN_WORDS:
        return False
    if (
        word_end < end
        and text[word_end] in ".@"
        and word_end + 1 < end
        and text[word_end + 1].isalnum()
    ):
        return False  # "www.Kompas.com", "nama.Belakang@mail.id"
    left, _ = _left_word(text, max(lo, m_start - _MAX_TOKEN - 1), m_start)
    if any(ch in CLOSING_QUOTES for ch in run):
        return bool(left)
    if not left.isalpha() or len(left) < 3 or left.isupper():
        return False
    if "?" in run or "!" in run:
        return True
    return run == "." and not lex.is_abbreviation(left)


# --- asides ------------------------------------------------------------------------------


def _aside_breaks(text: str, start: int, end: int, lex: Lexicon, breaks: set[int]) -> None:
    """A bracketed aside that opens a sentence, "(Baca juga: …) Presiden …", stands alone."""
    starts = sorted({start, *breaks})
    for s, limit in zip(starts, [*starts[1:], end], strict=True):
        if text[s] not in "([":
            continue
        close = ")" if text[s] == "(" else "]"
        depth = 0
        i = s
        stop = min(limit, s + 300)
        while i < stop:
            ch = text[i]
            if ch in "([":
                depth += 1
            elif ch in ")]":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        if i >= stop or text[i] != close:
            continue
        nxt = _NON_SPACE.search(text, i + 1, limit)
        if nxt is None or nxt.start() == i + 1:
            continue
        ch = text[nxt.start()]
        if ch.isupper() or ch in '“‘«"' or _is_aside(text, s, limit, lex):
            breaks.add(nxt.start())
