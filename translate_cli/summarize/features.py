"""Candidates and features for the extractive summariser (pure Python, no heavy imports).

:func:`prepare` turns a :class:`~translate_cli.document.Document` into the title line (if any)
and the candidate sentences a summary may use: boilerplate (``Baca juga: …`` links, credits,
``(red)``, bylines, standalone datelines) is dropped, a leading dateline such as
``JAKARTA, KOMPAS.com -`` is trimmed off the sentence it starts, and heading lines at the top of
the article are set aside. :func:`featurize` then describes every candidate with the numeric
features listed in :data:`FEATURE_NAMES`; the learned weights in ``data/weights.json`` score
them. The training script (``tools/train_summarizer.py``) calls the same two functions, so
training and run time cannot drift apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from translate_cli.document import Document, Sentence

_DATA = "translate_cli.summarize.data"

# A heading line: at most this many words, no sentence-final punctuation, followed by "\n".
TITLE_MAX_WORDS = 16
# At most this many heading lines are looked for at the top of an article (kicker + title).
_MAX_HEADING_LINES = 3
# A trimmed dateline must leave at least this many words, else the sentence is a dateline alone.
_MIN_WORDS_AFTER_DATELINE = 3

_WORD = re.compile(r"\w+")
_FINAL_PUNCT = ".!?,;:…"
_SENTENCE_END = re.compile(r"\w{2,}[.!?…]+[\"'”’)]*\s+\S")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Function words a title-case headline keeps in lowercase.
_TITLE_LOWER = _wordset("dan di ke dari yang untuk dengan atau pada dalam vs")
_QUOTES = '"“”„«»'
_ATTRIBUTION = _wordset(
    "kata katanya ujar ujarnya ucap ucapnya tutur tuturnya ungkap ungkapnya jelas jelasnya "
    "tegas tegasnya imbuh imbuhnya tambah tambahnya terang terangnya papar paparnya sebut "
    "sebutnya tukas tukasnya lanjut lanjutnya pungkas pungkasnya kilah ucapnya"
)
_CONNECTIVES = (
    "selain itu",
    "sementara itu",
    "namun",
    "meski",
    "meskipun",
    "hal ini",
    "hal itu",
    "hal tersebut",
    "tak hanya",
    "tidak hanya",
    "bukan hanya",
    "oleh karena",
    "oleh sebab",
    "dengan demikian",
    "kemudian",
    "lalu",
    "sedangkan",
    "adapun",
    "akan tetapi",
    "kendati",
    "di sisi lain",
    "lebih lanjut",
    "sebelumnya",
    "setelah itu",
    "hanya saja",
    "meski demikian",
    "meski begitu",
    "seperti diketahui",
    "untuk itu",
)
_INDIRECT = _wordset(
    "mengatakan menyatakan menjelaskan mengungkapkan menuturkan menegaskan menyebutkan "
    "menambahkan mengaku menilai menyebut berharap meminta mengimbau memastikan"
)
_FIRST_PERSON = _wordset("saya aku kami kita gue gua")
_DAYS = _wordset("senin selasa rabu kamis jumat sabtu minggu")
_DATE = re.compile(r"\(\d{1,2}/\d{1,2}(?:/\d{2,4})?\)")
_PRONOUNS = _wordset("ia dia mereka beliau kami kita saya aku itu ini")

FEATURE_NAMES: tuple[str, ...] = (
    "pos_0",
    "pos_1",
    "pos_2",
    "pos_3",
    "pos_4",
    "pos_5",
    "pos_6",
    "pos_7",
    "pos_8_9",
    "pos_10_plus",
    "pos_rel",
    "pos_inv",
    "para_0",
    "para_1",
    "para_2",
    "para_3_plus",
    "first_in_para",
    "last_in_para",
    "single_para",
    "in_para_rel",
    "len_log",
    "len_short",
    "len_long",
    "len_over_30",
    "len_rel",
    "doc_len_log_x_pos_inv",
    "dateline_x_pos_0",
    "dateline_x_pos_1",
    "dateline_x_pos_2",
    "had_dateline",
    "centrality",
    "centrality_rank_top3",
    "sim_lead",
    "sim_lead3",
    "sim_prev",
    "sim_next",
    "max_sim",
    "lead_containment",
    "top_words",
    "topic_words",
    "ne_ratio",
    "ne_count_log",
    "has_number",
    "number_ratio",
    "quote_start",
    "quote_any",
    "in_open_quote",
    "quote_frac",
    "attribution",
    "indirect_speech",
    "first_person",
    "date_mention",
    "lowercase_start",
    "connective_start",
    "pronoun_start",
    "question",
    "exclamation",
    "colon_end",
    "has_paren",
    "stopword_ratio",
    "web_marker",
)


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
    """What :func:`prepare` makes of a document."""

    title: Sentence | None
    candidates: tuple[Candidate, ...]


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


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """The Indonesian stopword list shipped in ``data/stopwords.txt``."""
    text = resources.files(_DATA).joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


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
    capitalised = sum(1 for t in tokens if t[:1].isupper() or t.lower() in _TITLE_LOWER)
    return (
        2 * capitalised >= len(tokens)
        and tokens[0][:1].isupper()
        and not dateline_length(line)
        and not is_boilerplate(line)
    )


def _header(text: str) -> tuple[int, tuple[int, int] | None]:
    """End offset of the heading block at the top of ``text`` and the title line's span.

    Heading lines are short lines without final punctuation, each followed by a newline; the
    longest of them is the title (a short kicker such as a city name may precede it). A
    dateline on a line of its own between them is skipped. Nothing counts as a header unless
    body text follows it.
    """
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
        if _is_heading(line):
            if len(headings) == _MAX_HEADING_LINES:
                break
            headings.append((pos, pos + len(line)))
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
    header_end, title_span = _header(text)
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
    return Prepared(title, tuple(candidates))


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


def featurize(prepared: Prepared) -> list[list[float]]:
    """One feature vector (ordered as :data:`FEATURE_NAMES`) per candidate."""
    candidates = prepared.candidates
    n = len(candidates)
    if n == 0:
        return []
    stop = stopwords()
    tokens = [words(c.sentence.text) for c in candidates]
    content = [Counter(w for w in ws if w not in stop and len(w) > 1) for ws in tokens]
    doc_freq: Counter[str] = Counter()
    for bag in content:
        doc_freq.update(bag.keys())
    sims = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            sims[i][j] = sims[j][i] = _cosine(content[i], content[j])
    centrality = [sum(row) / (n - 1) if n > 1 else 0.0 for row in sims]
    top3 = set(sorted(range(n), key=lambda i: (-centrality[i], i))[:3])
    lead3: Counter[str] = Counter()
    for bag in content[:3]:
        lead3.update(bag)
    doc_dateline = 1.0 if any(c.had_dateline for c in candidates[:2]) else 0.0
    doc_len_log = math.log(n)
    mean_len = max(sum(len(ws) for ws in tokens) / n, 1.0)
    lead_bag = content[0]
    top_words = {
        w for w, c in sorted(doc_freq.items(), key=lambda kv: (-kv[1], kv[0]))[:10] if c > 1
    }

    paragraph_rank: dict[int, int] = {}
    paragraph_sizes: Counter[int] = Counter()
    for c in candidates:
        paragraph_rank.setdefault(c.sentence.paragraph, len(paragraph_rank))
        paragraph_sizes[c.sentence.paragraph] += 1

    quote_open, quote_frac = _quote_state(candidates)
    rows: list[list[float]] = []
    seen_in_paragraph: Counter[int] = Counter()
    for i, candidate in enumerate(candidates):
        text = candidate.sentence.text.strip()
        ws = tokens[i]
        raw = text.split()
        n_words = max(len(ws), 1)
        paragraph = candidate.sentence.paragraph
        para_rank = paragraph_rank[paragraph]
        para_size = paragraph_sizes[paragraph]
        in_para = seen_in_paragraph[paragraph]
        seen_in_paragraph[paragraph] += 1
        capitalised = sum(1 for t in raw[1:] if t[:1].isupper())
        numbers = sum(1 for w in ws if any(ch.isdigit() for ch in w))
        lowered = text.lower()
        others_lead3 = lead3 - content[i] if i < 3 else lead3
        bag = content[i]
        topic = sum(doc_freq[w] - 1 for w in bag) / (len(bag) * max(n - 1, 1)) if bag else 0.0
        pos = [0.0] * 10
        pos[i if i < 8 else (8 if i < 10 else 9)] = 1.0
        para = [0.0] * 4
        para[min(para_rank, 3)] = 1.0
        rows.append(
            [
                *pos,
                i / (n - 1) if n > 1 else 0.0,
                1.0 / (i + 1),
                *para,
                1.0 if in_para == 0 else 0.0,
                1.0 if in_para == para_size - 1 else 0.0,
                1.0 if para_size == 1 else 0.0,
                in_para / (para_size - 1) if para_size > 1 else 0.0,
                math.log1p(len(ws)),
                1.0 if len(ws) <= 7 else 0.0,
                1.0 if len(ws) >= 35 else 0.0,
                len(ws) / 30.0,
                len(ws) / mean_len,
                doc_len_log / (i + 1),
                doc_dateline * pos[0],
                doc_dateline * pos[1],
                doc_dateline * pos[2],
                1.0 if candidate.had_dateline else 0.0,
                centrality[i],
                1.0 if i in top3 else 0.0,
                sims[i][0] if i > 0 else 0.0,
                _cosine(bag, others_lead3),
                sims[i][i - 1] if i > 0 else 0.0,
                sims[i][i + 1] if i + 1 < n else 0.0,
                max((sims[i][j] for j in range(n) if j != i), default=0.0),
                (sum(1 for w in bag if w in lead_bag) / len(bag) if bag and i > 0 else 0.0),
                sum(1 for w in bag if w in top_words) / max(len(top_words), 1),
                topic,
                capitalised / n_words,
                math.log1p(capitalised),
                1.0 if numbers else 0.0,
                numbers / n_words,
                1.0 if text[:1] in _QUOTES else 0.0,
                1.0 if any(q in text for q in _QUOTES) else 0.0,
                1.0 if quote_open[i] else 0.0,
                quote_frac[i],
                1.0 if any(w in _ATTRIBUTION for w in ws) else 0.0,
                1.0 if any(w in _INDIRECT for w in ws) else 0.0,
                1.0 if any(w in _FIRST_PERSON for w in ws) else 0.0,
                1.0 if (_DATE.search(text) or any(w in _DAYS for w in ws)) else 0.0,
                1.0 if text[:1].islower() else 0.0,
                1.0 if any(_starts_with(lowered, c) for c in _CONNECTIVES) else 0.0,
                1.0 if ws and ws[0] in _PRONOUNS else 0.0,
                1.0 if text.endswith("?") else 0.0,
                1.0 if text.endswith("!") else 0.0,
                1.0 if text.endswith(":") else 0.0,
                1.0 if "(" in text else 0.0,
                sum(1 for w in ws if w in stop) / n_words,
                1.0 if ("http" in lowered or "www." in lowered or "@" in text) else 0.0,
            ]
        )
    return rows


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
