"""Boosted regression trees stored as data and evaluated in pure Python.

The summariser's models are trained offline with LightGBM (``tools/train_summarizer.py``) and
shipped in ``data/weights.json`` as plain lists, so run time needs neither LightGBM nor numpy.
A stored tree is ``{"split": [[feature name, threshold, left, right], ...], "leaf": [...]}``:
node 0 is the root, a row goes ``left`` when its feature is ``<= threshold``, and a child
``c >= 0`` is the split node ``c``, ``c < 0`` the leaf ``-c - 1``. A tree that never split has no
split nodes and one leaf.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["Forest", "Tree"]


class Tree:
    """One stored tree, its feature names resolved to row positions through ``index``."""

    __slots__ = ("features", "leaf", "left", "right", "thresholds")

    def __init__(self, tree: Mapping[str, Any], index: Mapping[str, int]) -> None:
        split = tree["split"]
        self.leaf = tuple(float(v) for v in tree["leaf"])
        features = []
        for name, *_ in split:
            if name not in index:
                raise ValueError(f"summariser tree uses an unknown feature: {name!r}")
            features.append(index[name])
        self.features = tuple(features)
        self.thresholds = tuple(float(node[1]) for node in split)
        self.left = tuple(int(node[2]) for node in split)
        self.right = tuple(int(node[3]) for node in split)
        # Every node but the root and every leaf is some node's child exactly once, and
        # children come after their parent: no cycle, nothing dangling or unreachable.
        # (A tree that never split is one leaf.)
        children = sorted((*self.left, *self.right))
        expected = [*range(-len(self.leaf), 0), *range(1, len(split))] if split else []
        ordered = all(
            c < 0 or c > k
            for k, pair in enumerate(zip(self.left, self.right, strict=True))
            for c in pair
        )
        if children != expected or not ordered or (not split and len(self.leaf) != 1):
            raise ValueError("summariser tree is malformed")

    def __call__(self, row: Sequence[float]) -> float:
        node = 0 if self.features else -1
        features, thresholds, left, right = self.features, self.thresholds, self.left, self.right
        while node >= 0:
            node = left[node] if row[features[node]] <= thresholds[node] else right[node]
        return self.leaf[-node - 1]


class Forest:
    """A sum of stored trees over rows whose columns are ``names``."""

    def __init__(self, trees: Iterable[Mapping[str, Any]], names: Sequence[str]) -> None:
        index = {name: i for i, name in enumerate(names)}
        self.trees = tuple(Tree(tree, index) for tree in trees)

    def __bool__(self) -> bool:
        return bool(self.trees)

    def __call__(self, row: Sequence[float]) -> float:
        return math.fsum(tree(row) for tree in self.trees)

    def probability(self, row: Sequence[float]) -> float:
        """The logistic of the sum: trees fitted to a binary target give log-odds."""
        z = self(row)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        return math.exp(z) / (1.0 + math.exp(z))  # no overflow for a very negative sum
