"""Candidates and features for the extractive summariser (pure Python, no heavy imports).

:func:`prepare` turns a :class:`~translate_cli.document.Document` into the title line (if any)
and the candidate sentences a summary may use: boilerplate (``Baca juga: …`` links, credits,
``(red)``, bylines, standalone datelines) is dropped, a leading dateline such as
``JAKARTA, KOMPAS.com -`` is trimmed off the sentence it starts, and heading lines at the top of
the article are set aside. :func:`featurize` then describes every candidate with numeric
features. Each feature is a function registered under its name with ``@_feature("name")`` (or a
group of related features under their names with ``@_features(...)``), and
:data:`FEATURE_NAMES` is the registration order; the model in ``data/weights.json`` refers to
features by name. The word lists the features consult are plain text in ``data/`` (one entry a
line, ``#`` comments), like the segmenter's. The training script
(``tools/train_summarizer.py``) calls the same two functions, so training and run time cannot
drift apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib import resources

from translate_cli.document import Document, Sentence

_DATA = "translate_cli.summarize.data"

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
# A trimmed dateline must leave at least this many words, else the sentence is a dateline alone.
_MIN_WORDS_AFTER_DATELINE = 3

_WORD = re.compile(r"\w+")
_FINAL_PUNCT = ".!?,;:…"
_SENTENCE_END = re.compile(r"\w{2,}[.!?…]+[\"'”’)]*\s+\S")
_QUOTES = '"“”„«»'
_DATE = re.compile(r"\(\d{1,2}/\d{1,2}(?:/\d{2,4})?\)")


def _entries(name: str) -> list[str]:
    text = resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")
    found = []
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip().lower()
        if entry:
            found.append(" ".join(entry.split()))
    return found


@cache
def word_list(name: str) -> frozenset[str]:
    """The entries of ``data/<name>.txt`` (lowercase)."""
    return frozenset(_entries(name + ".txt"))


@cache
def phrase_list(name: str) -> tuple[str, ...]:
    """The entries of ``data/<name>.txt`` in file order (lowercase, spaces normalised)."""
    return tuple(_entries(name + ".txt"))


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


@dataclass(frozen=True)
class _Patterns:
    sentence: tuple[re.Pattern[str], ...]
    dateline: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    text = resources.files(_DATA).joinpath("boilerplate.txt").read_text(encoding="utf-8")
    sections: dict[str, list[re.Pattern[str]]] = {"sentence": [], "dateline": []}
    current: list[re.Pattern[str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]") and line[1:-1] in sections:
            current = sections[line[1:-1]]
            continue
        if current is None:
            raise ValueError(f"boilerplate.txt: pattern outside a section: {line!r}")
        current.append(re.compile(line))
    return _Patterns(tuple(sections["sentence"]), tuple(sections["dateline"]))


def stopwords() -> frozenset[str]:
    """The Indonesian stopword list shipped in ``data/stopwords.txt``."""
    return word_list("stopwords")


def words(text: str) -> list[str]:
    """Lowercased word tokens (letters, digits, underscore runs)."""
    return _WORD.findall(text.lower())


def is_boilerplate(text: str) -> bool:
    """True for link lines, credits, editor initials, bylines, footers and datelines alone."""
    stripped = text.strip()
    if not stripped:
        return True
    if any(p.match(stripped) for p in _patterns().sentence):
        return True
    rest = stripped[dateline_length(stripped) :]
    return len(words(rest)) < _MIN_WORDS_AFTER_DATELINE and rest != stripped


def dateline_length(text: str) -> int:
    """Length of the dateline prefix of ``text`` (with the space after it), 0 if none."""
    for pattern in _patterns().dateline:
        match = pattern.match(text)
        if match:
            end = match.end()
            while end < len(text) and text[end].isspace():
                end += 1
            return end
    return 0


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


def mentions_date(text: str) -> bool:
    """A date such as "(27/3)" or a day's name ("Senin") in ``text``."""
    days = word_list("days")
    return bool(_DATE.search(text)) or any(w in days for w in words(text))


_CLOSING = "\"'”’»)]"


def _opens_headline(line: str) -> bool:
    """A word or number opens it, maybe after a quote ("iPhone …", "‘Laut adalah …")."""
    stripped = line.lstrip("\"'“‘«„(")
    return bool(stripped) and stripped[0].isalnum()


def _sentence_ends(document: Document, offset: int) -> bool:
    return any(s.end == offset for s in document.sentences[: _MAX_HEADING_LINES + 2])


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
        if _is_heading(line) and (
            not headings
            or not _sentence_ends(document, headings[0][1])
            or _sentence_ends(document, pos + len(line))
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


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(count * b[word] for word, count in a.items() if word in b)
    if not dot:
        return 0.0
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm


class Article:
    """What the features of one article's candidates share, computed once and on demand."""

    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.candidates = prepared.candidates
        self.n = len(self.candidates)
        self.texts = [c.sentence.text.strip() for c in self.candidates]
        self.tokens = [words(text) for text in self.texts]
        stop = stopwords()
        self.content = [
            Counter(w for w in ws if w not in stop and len(w) > 1) for ws in self.tokens
        ]

    @cached_property
    def doc_freq(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for bag in self.content:
            counts.update(bag.keys())
        return counts

    @cached_property
    def total(self) -> Counter[str]:
        bag: Counter[str] = Counter()
        for content in self.content:
            bag.update(content)
        return bag

    @cached_property
    def sim_doc(self) -> list[float]:
        """Per sentence, the cosine of its content words with the rest of the article's.

        The same value as ``_cosine(c, total - c)`` without building ``total - c`` for every
        sentence: counts are integers, so the dot product and the squared norms are exact and
        the rest's squared norm is the total's with this sentence's words corrected.
        """
        total = self.total
        total_square = sum(v * v for v in total.values())
        values = []
        for bag in self.content:
            dot = sum(count * (total[w] - count) for w, count in bag.items())
            rest_square = total_square - sum(
                total[w] * total[w] - (total[w] - count) ** 2 for w, count in bag.items()
            )
            own_square = sum(v * v for v in bag.values())
            if not dot or not own_square or not rest_square:
                values.append(0.0)
            else:
                values.append(dot / math.sqrt(own_square * rest_square))
        return values

    @cached_property
    def sim_doc_rank(self) -> list[int]:
        values = self.sim_doc
        ranked = sorted(range(self.n), key=lambda i: (-values[i], i))
        rank = [0] * self.n
        for place, i in enumerate(ranked):
            rank[i] = place
        return rank

    @cached_property
    def first_paragraph(self) -> Counter[str]:
        bag: Counter[str] = Counter()
        for content, rank in zip(self.content, self.paragraph_rank, strict=True):
            if rank == 0:
                bag.update(content)
        return bag

    @cached_property
    def first_seen(self) -> dict[str, int]:
        seen: dict[str, int] = {}
        for i, content in enumerate(self.content):
            for word in content:
                seen.setdefault(word, i)
        return seen

    @cached_property
    def words_before(self) -> list[int]:
        out, total = [], 0
        for ws in self.tokens:
            out.append(total)
            total += len(ws)
        return out

    @cached_property
    def sims(self) -> list[list[float]]:
        n = self.n
        sims = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                sims[i][j] = sims[j][i] = _cosine(self.content[i], self.content[j])
        return sims

    @cached_property
    def centrality(self) -> list[float]:
        return [sum(row) / (self.n - 1) if self.n > 1 else 0.0 for row in self.sims]

    @cached_property
    def central_top3(self) -> frozenset[int]:
        ranked = sorted(range(self.n), key=lambda i: (-self.centrality[i], i))
        return frozenset(ranked[:3])

    @cached_property
    def lead3(self) -> Counter[str]:
        bag: Counter[str] = Counter()
        for content in self.content[:3]:
            bag.update(content)
        return bag

    @cached_property
    def dateline(self) -> float:
        return 1.0 if any(c.had_dateline for c in self.candidates[:2]) else 0.0

    @cached_property
    def mean_len(self) -> float:
        return max(sum(len(ws) for ws in self.tokens) / self.n, 1.0)

    @cached_property
    def top_words(self) -> frozenset[str]:
        ranked = sorted(self.doc_freq.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        return frozenset(w for w, c in ranked if c > 1)

    @cached_property
    def paragraph_rank(self) -> list[int]:
        rank: dict[int, int] = {}
        return [rank.setdefault(c.sentence.paragraph, len(rank)) for c in self.candidates]

    @cached_property
    def in_paragraph(self) -> list[tuple[int, int]]:
        """``(place in its paragraph, paragraph size)`` per candidate, among candidates."""
        sizes = Counter(c.sentence.paragraph for c in self.candidates)
        seen: Counter[int] = Counter()
        out = []
        for c in self.candidates:
            out.append((seen[c.sentence.paragraph], sizes[c.sentence.paragraph]))
            seen[c.sentence.paragraph] += 1
        return out

    @cached_property
    def quotes(self) -> tuple[list[bool], list[float]]:
        return _quote_state(self.candidates)

    def capitalised(self, i: int) -> int:
        return sum(1 for t in self.texts[i].split()[1:] if t[:1].isupper())

    def numbers(self, i: int) -> int:
        return sum(1 for w in self.tokens[i] if any(ch.isdigit() for ch in w))

    def n_words(self, i: int) -> int:
        return max(len(self.tokens[i]), 1)


Feature = Callable[[Article, int], float]
Group = Callable[[Article, int], Sequence[float]]
# (names, function): a function computes one feature or a group of them, named here only.
_REGISTRY: list[tuple[tuple[str, ...], Group]] = []


def _features(*names: str) -> Callable[[Group], Group]:
    """Register a function computing the features ``names`` (in that order) for sentence i."""

    def register(function: Group) -> Group:
        known = {name for registered, _ in _REGISTRY for name in registered}
        if known & set(names) or len(set(names)) != len(names):
            raise ValueError(f"feature registered twice: {names}")
        _REGISTRY.append((names, function))
        return function

    return register


def _feature(name: str) -> Callable[[Feature], Feature]:
    """Register a function computing the feature ``name`` for sentence i."""

    def register(function: Feature) -> Feature:
        _features(name)(lambda article, i: (function(article, i),))
        return function

    return register


def _flag(condition: object) -> float:
    return 1.0 if condition else 0.0


# --- position --------------------------------------------------------------------------------


@_features(
    "pos_0", "pos_1", "pos_2", "pos_3", "pos_4", "pos_5", "pos_6", "pos_7", "pos_8_9", "pos_10_plus"
)  # fmt: skip
def _position(article: Article, i: int) -> Sequence[float]:
    slots = [0.0] * 10
    slots[i if i < 8 else (8 if i < 10 else 9)] = 1.0
    return slots


@_feature("pos_rel")
def _pos_rel(article: Article, i: int) -> float:
    return i / (article.n - 1) if article.n > 1 else 0.0


@_feature("pos_inv")
def _pos_inv(article: Article, i: int) -> float:
    return 1.0 / (i + 1)


@_features("para_0", "para_1", "para_2", "para_3_plus")
def _paragraph(article: Article, i: int) -> Sequence[float]:
    slots = [0.0] * 4
    slots[min(article.paragraph_rank[i], 3)] = 1.0
    return slots


@_feature("first_in_para")
def _first_in_para(article: Article, i: int) -> float:
    return _flag(article.in_paragraph[i][0] == 0)


@_feature("last_in_para")
def _last_in_para(article: Article, i: int) -> float:
    place, size = article.in_paragraph[i]
    return _flag(place == size - 1)


@_feature("single_para")
def _single_para(article: Article, i: int) -> float:
    return _flag(article.in_paragraph[i][1] == 1)


@_feature("in_para_rel")
def _in_para_rel(article: Article, i: int) -> float:
    place, size = article.in_paragraph[i]
    return place / (size - 1) if size > 1 else 0.0


# --- length ----------------------------------------------------------------------------------


@_feature("len_log")
def _len_log(article: Article, i: int) -> float:
    return math.log1p(len(article.tokens[i]))


@_feature("len_short")
def _len_short(article: Article, i: int) -> float:
    return _flag(len(article.tokens[i]) <= 7)


@_feature("len_long")
def _len_long(article: Article, i: int) -> float:
    return _flag(len(article.tokens[i]) >= 35)


@_feature("len_over_30")
def _len_over_30(article: Article, i: int) -> float:
    return len(article.tokens[i]) / 30.0


@_feature("len_rel")
def _len_rel(article: Article, i: int) -> float:
    return len(article.tokens[i]) / article.mean_len


@_feature("doc_len_log_x_pos_inv")
def _doc_len_log_x_pos_inv(article: Article, i: int) -> float:
    return math.log(article.n) / (i + 1)


# --- datelines -------------------------------------------------------------------------------


@_features("dateline_x_pos_0", "dateline_x_pos_1", "dateline_x_pos_2")
def _dateline_x_position(article: Article, i: int) -> Sequence[float]:
    return [article.dateline * _flag(i == k) for k in range(3)]


@_feature("had_dateline")
def _had_dateline(article: Article, i: int) -> float:
    return _flag(article.candidates[i].had_dateline)


# --- content: centrality and overlap ---------------------------------------------------------


@_feature("centrality")
def _centrality(article: Article, i: int) -> float:
    return article.centrality[i]


@_feature("centrality_rank_top3")
def _centrality_rank_top3(article: Article, i: int) -> float:
    return _flag(i in article.central_top3)


@_feature("sim_lead")
def _sim_lead(article: Article, i: int) -> float:
    return article.sims[i][0] if i > 0 else 0.0


@_feature("sim_lead3")
def _sim_lead3(article: Article, i: int) -> float:
    others = article.lead3 - article.content[i] if i < 3 else article.lead3
    return _cosine(article.content[i], others)


@_feature("sim_prev")
def _sim_prev(article: Article, i: int) -> float:
    return article.sims[i][i - 1] if i > 0 else 0.0


@_feature("sim_next")
def _sim_next(article: Article, i: int) -> float:
    return article.sims[i][i + 1] if i + 1 < article.n else 0.0


@_feature("max_sim")
def _max_sim(article: Article, i: int) -> float:
    return max((s for j, s in enumerate(article.sims[i]) if j != i), default=0.0)


@_feature("lead_containment")
def _lead_containment(article: Article, i: int) -> float:
    bag = article.content[i]
    if not bag or i == 0:
        return 0.0
    return sum(1 for w in bag if w in article.content[0]) / len(bag)


@_feature("top_words")
def _top_words(article: Article, i: int) -> float:
    top = article.top_words
    return sum(1 for w in article.content[i] if w in top) / max(len(top), 1)


@_feature("topic_words")
def _topic_words(article: Article, i: int) -> float:
    bag = article.content[i]
    if not bag:
        return 0.0
    return sum(article.doc_freq[w] - 1 for w in bag) / (len(bag) * max(article.n - 1, 1))


# --- names and numbers -----------------------------------------------------------------------


@_feature("ne_ratio")
def _ne_ratio(article: Article, i: int) -> float:
    return article.capitalised(i) / article.n_words(i)


@_feature("ne_count_log")
def _ne_count_log(article: Article, i: int) -> float:
    return math.log1p(article.capitalised(i))


@_feature("has_number")
def _has_number(article: Article, i: int) -> float:
    return _flag(article.numbers(i))


@_feature("number_ratio")
def _number_ratio(article: Article, i: int) -> float:
    return article.numbers(i) / article.n_words(i)


# --- quotation and attribution ---------------------------------------------------------------


@_feature("quote_start")
def _quote_start(article: Article, i: int) -> float:
    return _flag(article.texts[i][:1] in _QUOTES)


@_feature("quote_any")
def _quote_any(article: Article, i: int) -> float:
    return _flag(any(q in article.texts[i] for q in _QUOTES))


@_feature("in_open_quote")
def _in_open_quote(article: Article, i: int) -> float:
    return _flag(article.quotes[0][i])


@_feature("quote_frac")
def _quote_frac(article: Article, i: int) -> float:
    return article.quotes[1][i]


@_feature("attribution")
def _attribution(article: Article, i: int) -> float:
    verbs = word_list("attribution_verbs")
    return _flag(any(w in verbs for w in article.tokens[i]))


@_feature("indirect_speech")
def _indirect_speech(article: Article, i: int) -> float:
    verbs = word_list("indirect_speech_verbs")
    return _flag(any(w in verbs for w in article.tokens[i]))


@_feature("first_person")
def _first_person(article: Article, i: int) -> float:
    pronouns = word_list("first_person")
    return _flag(any(w in pronouns for w in article.tokens[i]))


@_feature("date_mention")
def _date_mention(article: Article, i: int) -> float:
    return _flag(mentions_date(article.texts[i]))


# --- how the sentence opens and ends ---------------------------------------------------------


@_feature("lowercase_start")
def _lowercase_start(article: Article, i: int) -> float:
    return _flag(article.texts[i][:1].islower())


@_feature("connective_start")
def _connective_start(article: Article, i: int) -> float:
    lowered = article.texts[i].lower()
    return _flag(any(_starts_with(lowered, c) for c in phrase_list("connectives")))


@_feature("pronoun_start")
def _pronoun_start(article: Article, i: int) -> float:
    ws = article.tokens[i]
    return _flag(ws and ws[0] in word_list("pronouns"))


@_feature("question")
def _question(article: Article, i: int) -> float:
    return _flag(article.texts[i].endswith("?"))


@_feature("exclamation")
def _exclamation(article: Article, i: int) -> float:
    return _flag(article.texts[i].endswith("!"))


@_feature("colon_end")
def _colon_end(article: Article, i: int) -> float:
    return _flag(article.texts[i].endswith(":"))


@_feature("has_paren")
def _has_paren(article: Article, i: int) -> float:
    return _flag("(" in article.texts[i])


@_feature("stopword_ratio")
def _stopword_ratio(article: Article, i: int) -> float:
    stop = stopwords()
    return sum(1 for w in article.tokens[i] if w in stop) / article.n_words(i)


@_feature("web_marker")
def _web_marker(article: Article, i: int) -> float:
    text = article.texts[i]
    lowered = text.lower()
    return _flag("http" in lowered or "www." in lowered or "@" in text)


# --- relation to the whole article and to its first paragraph -------------------------------


@_feature("sim_doc")
def _sim_doc(article: Article, i: int) -> float:
    """Cosine with the rest of the article's content words (a centrality without pairs)."""
    return article.sim_doc[i]


@_feature("sim_doc_rank")
def _sim_doc_rank(article: Article, i: int) -> float:
    """Rank of ``sim_doc`` among the article's sentences, 1 for the best, towards 0 for the last."""
    return 1.0 - article.sim_doc_rank[i] / article.n


@_feature("sim_first_para")
def _sim_first_para(article: Article, i: int) -> float:
    """Cosine with the first paragraph's content words, this sentence's own left out."""
    own = article.content[i] if article.paragraph_rank[i] == 0 else Counter()
    return _cosine(article.content[i], article.first_paragraph - own)


@_feature("novelty")
def _novelty(article: Article, i: int) -> float:
    """Share of content words no earlier sentence has used."""
    bag = article.content[i]
    if not bag:
        return 0.0
    return sum(1 for w in bag if article.first_seen[w] == i) / len(bag)


@_feature("word_pos_rel")
def _word_pos_rel(article: Article, i: int) -> float:
    """Share of the article's words before this sentence."""
    return article.words_before[i] / max(article.words_before[-1] + len(article.tokens[-1]), 1)


@_features("len_1_10", "len_11_20", "len_21_30", "len_31_45", "len_46_plus")
def _length_band(article: Article, i: int) -> Sequence[float]:
    length = len(article.tokens[i])
    bands = [0.0] * 5
    bands[
        0
        if length <= 10
        else 1
        if length <= 20
        else 2
        if length <= 30
        else 3
        if length <= 45
        else 4
    ] = 1.0
    return bands


@_features("doc_short", "doc_long")
def _document_size(article: Article, i: int) -> Sequence[float]:
    """Articles of at most 6 candidates, of at least 20."""
    return _flag(article.n <= 6), _flag(article.n >= 20)


@_feature("name_start")
def _name_start(article: Article, i: int) -> float:
    """Opens with a capitalised content word and another follows: "Ketua MPR Zulkifli …"."""
    raw = article.texts[i].split()[:3]
    if len(raw) < 2 or not raw[0][:1].isupper() or raw[0].lower() in stopwords():
        return 0.0
    return _flag(raw[1][:1].isupper())


@_feature("mostly_quoted")
def _mostly_quoted(article: Article, i: int) -> float:
    return _flag(article.quotes[1][i] > 0.6)


FEATURE_NAMES: tuple[str, ...] = tuple(name for names, _ in _REGISTRY for name in names)
"""Every feature's name, in the order of :func:`featurize`'s rows."""


def featurize(prepared: Prepared) -> list[list[float]]:
    """One feature vector per candidate, ordered as :data:`FEATURE_NAMES`."""
    article = Article(prepared)
    rows: list[list[float]] = []
    for i in range(article.n):
        row: list[float] = []
        for names, function in _REGISTRY:
            values = function(article, i)
            if len(values) != len(names):
                raise ValueError(f"features {names} computed {len(values)} values")
            row.extend(float(v) for v in values)
        rows.append(row)
    return rows


def feature_table(prepared: Prepared) -> list[dict[str, float]]:
    """:func:`featurize` with each value under its feature's name (for inspection)."""
    return [dict(zip(FEATURE_NAMES, row, strict=True)) for row in featurize(prepared)]


def _quote_state(candidates: Sequence[Candidate]) -> tuple[list[bool], list[float]]:
    """Per candidate: does it start inside an open quotation, and what share of it is quoted.

    Quotation state carries from sentence to sentence within a paragraph, so the middle
    sentences of a multi-sentence quote (which carry no quote marks) count as quoted.
    """
    starts: list[bool] = []
    shares: list[float] = []
    open_ = False
    paragraph = None
    for candidate in candidates:
        if candidate.sentence.paragraph != paragraph:
            paragraph = candidate.sentence.paragraph
            open_ = False
        starts.append(open_)
        inside = 0
        text = candidate.sentence.text
        for ch in text:
            if ch == "“" or ch == "„" or ch == "«":
                open_ = True
            elif ch == "”" or ch == "»":
                open_ = False
            elif ch == '"':
                open_ = not open_
            elif open_ and not ch.isspace():
                inside += 1
        visible = sum(1 for ch in text if not ch.isspace())
        shares.append(inside / visible if visible else 0.0)
    return starts, shares


def _starts_with(lowered: str, phrase: str) -> bool:
    return lowered.startswith(phrase) and (
        len(lowered) == len(phrase) or not lowered[len(phrase)].isalnum()
    )


def ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    """The set of word n-grams of ``tokens``."""
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}
