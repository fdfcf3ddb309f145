"""What the features of one article's candidates share (:class:`Article`), and its helpers."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import cached_property

from translate_cli.summarize.prepare import Candidate, Prepared
from translate_cli.summarize.tokens import stopwords, words

__all__ = ["Article", "cosine", "names_in", "quote_state"]

_NAME = re.compile(r"[A-Z][\w.-]*")
MAIN_NAMES = 5  # the article's main names: its most repeated names, at most this many


def names_in(text: str) -> frozenset[str]:
    """The names in ``text``: capitalised words, not the one opening it, lowercased, no
    stopwords ("Walikota Malang, H. Sutiaji memenuhi …" -> malang, h, sutiaji)."""
    stop = stopwords()
    found = _NAME.findall(text)
    if text[:1].isupper():
        found = found[1:]
    lowered = (name.lower().strip(".-") for name in found)
    return frozenset(name for name in lowered if name and name not in stop)


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """The cosine similarity of two bags of words."""
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

        The same value as ``cosine(c, total - c)`` without building ``total - c`` for every
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
    def names(self) -> list[frozenset[str]]:
        """Per sentence, :func:`names_in` its text."""
        return [names_in(text) for text in self.texts]

    @cached_property
    def words_earlier(self) -> list[frozenset[str]]:
        """Per sentence, every word (any case) of the sentences before it."""
        seen: set[str] = set()
        out = []
        for tokens in self.tokens:
            out.append(frozenset(seen))
            seen.update(tokens)
        return out

    @cached_property
    def main_names(self) -> frozenset[str]:
        """The names in the most sentences (at least two), at most :data:`MAIN_NAMES`."""
        counts = Counter(name for names in self.names for name in names)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAIN_NAMES]
        return frozenset(name for name, count in ranked if count > 1)

    @cached_property
    def sims(self) -> list[list[float]]:
        n = self.n
        sims = [[0.0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                sims[i][j] = sims[j][i] = cosine(self.content[i], self.content[j])
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
        return quote_state(self.candidates)

    def capitalised(self, i: int) -> int:
        return sum(1 for t in self.texts[i].split()[1:] if t[:1].isupper())

    def numbers(self, i: int) -> int:
        return sum(1 for w in self.tokens[i] if any(ch.isdigit() for ch in w))

    def n_words(self, i: int) -> int:
        return max(len(self.tokens[i]), 1)


def quote_state(candidates: Sequence[Candidate]) -> tuple[list[bool], list[float]]:
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
