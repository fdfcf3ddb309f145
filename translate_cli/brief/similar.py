"""Near-duplicate stories: word shingles and their Jaccard similarity, on the Indonesian text.

Two outlets' reports of one event (a syndicated copy, a rewrite of the same agency wire) share
many of their word 3-grams; two different stories share almost none, even on one topic. The
sets are compared exactly (a day's briefing is hundreds or thousands of articles, not millions:
no MinHash sketch is needed), and only pairs that share a shingle are compared at all.
``THRESHOLD`` and how it was measured: docs/brief.md and benchmarks/brief.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

SHINGLE = 3  # words a shingle
THRESHOLD = 0.15  # Jaccard at or above which two texts are one story (measured: docs/brief.md)
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, size: int = SHINGLE) -> frozenset[str]:
    """The set of ``size``-word runs of ``text``, lower-cased (a text shorter than ``size``
    words is one shingle of all of it)."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def clusters(texts: Sequence[str], threshold: float = THRESHOLD) -> list[list[int]]:
    """The indices of ``texts`` grouped into stories: single-link (a chain of near-duplicate
    pairs is one story), each group in input order, groups by their first member.

    Exact Jaccard for every pair that shares a shingle, counted through an index from each
    shingle to the texts holding it: the work grows with the shared shingles, not with the
    square of the number of texts."""
    sets = [shingles(text) for text in texts]
    holders: dict[str, list[int]] = {}
    for i, found in enumerate(sets):
        for shingle in found:
            holders.setdefault(shingle, []).append(i)
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    shared_by = [postings for postings in holders.values() if len(postings) > 1]
    common: dict[tuple[int, int], int] = Counter()
    for postings in shared_by:  # postings are in increasing order
        for a, i in enumerate(postings):
            for j in postings[a + 1 :]:
                common[i, j] += 1
    for (i, j), shared in common.items():
        found = sets[i]
        if shared / (len(found) + len(sets[j]) - shared) >= threshold and root(i) != root(j):
            parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda group: group[0])
