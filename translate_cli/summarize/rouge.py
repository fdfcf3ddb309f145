"""ROUGE F1 the way the IndoSum paper scored it; for the benchmark and the training labels.

Not used at run time. Text is normalised as Kurniawan & Louvan (2018) describe: lowercased,
every digit replaced by ``0``, punctuation removed (here: every character that is not a letter,
digit or whitespace becomes a space), then split on whitespace. No stemming, no stopword removal.

* ROUGE-N F1: clipped n-gram matches between candidate and reference token sequences;
  P = matches / candidate n-grams, R = matches / reference n-grams, F1 = 2PR / (P + R).
  :func:`rouge` joins each side's sentences into one sequence, so n-grams may cross a sentence
  boundary.
* ROUGE-L F1: the same with the length of the longest common subsequence of the two whole
  token sequences as the match count (summary-level LCS over the joined text, not ROUGE-1.5.5's
  union-LCS per reference sentence).

Scores here are fractions in [0, 1]; the benchmark reports article means times 100.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["lcs_length", "ngram_counts", "normalize", "rouge", "rouge_l", "rouge_n"]

_NOT_WORD = re.compile(r"[^\w\s]|_")
_DIGIT = re.compile(r"\d")


def normalize(text: str) -> list[str]:
    """Lowercase, digits to 0, punctuation to spaces, split on whitespace."""
    return _NOT_WORD.sub(" ", _DIGIT.sub("0", text.lower())).split()


def ngram_counts(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    """Multiset of the word n-grams of ``tokens``."""
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def f1(matches: float, candidate: float, reference: float) -> float:
    """Harmonic mean of matches / candidate and matches / reference (0 when undefined)."""
    if not matches or not candidate or not reference:
        return 0.0
    precision, recall = matches / candidate, matches / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: Sequence[str], reference: Sequence[str], n: int) -> float:
    """ROUGE-N F1 of two token sequences (clipped n-gram counts)."""
    cand, ref = ngram_counts(candidate, n), ngram_counts(reference, n)
    return f1(sum((cand & ref).values()), sum(cand.values()), sum(ref.values()))


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (O(len(a) * len(b)) time, O(len(b)) space)."""
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def rouge_l(candidate: Sequence[str], reference: Sequence[str]) -> float:
    """ROUGE-L F1: LCS of the whole token sequences."""
    return f1(lcs_length(candidate, reference), len(candidate), len(reference))


def rouge(candidate: str, reference: str) -> tuple[float, float, float]:
    """(ROUGE-1, ROUGE-2, ROUGE-L) F1 of two texts, after :func:`normalize`."""
    cand, ref = normalize(candidate), normalize(reference)
    return rouge_n(cand, ref, 1), rouge_n(cand, ref, 2), rouge_l(cand, ref)
