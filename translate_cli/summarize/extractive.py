"""Extractive summaries for Indonesian news: ``summarize(document, sentences=3, ratio=None)``.

How it works (no neural model, pure Python, about 15 ms for a typical news article):

1. :func:`~translate_cli.summarize.features.prepare` sets aside the heading lines at the top of
   the article (the longest is reported as the title; a short kicker such as a city name above
   it is neither title nor pick), drops boilerplate (``Baca juga: …`` links, photo and editor
   credits, ``(red)``, bylines, datelines alone; patterns in ``data/boilerplate.txt``) and
   trims a leading dateline (``JAKARTA, KOMPAS.com -``) off the sentence it starts (for the
   features and for ``Summary.trimmed``).
2. Every remaining sentence gets a few dozen named features (position in article and
   paragraph, length, centrality, overlap with the lead, named entities, numbers, quotation
   state, attribution, …) and a score from a model fitted on IndoSum by
   ``tools/train_summarizer.py`` and shipped as data (``data/weights.json``, keyed by feature
   name): a conditional logit over each article's sentences plus boosted regression trees
   (trained with LightGBM, evaluated here in pure Python), both taught which sentences the
   good N-sentence extracts of the reference share, their scores standardised within the
   article and mixed. There is one model per summary length N = 1, 2, 3 (longer summaries use the
   N = 3 model): the best single sentence is not simply the top of the best three.
3. Sentences are taken best score first, skipping any that repeat too much of what is already
   picked (word-trigram overlap above the threshold stored with the weights; near-duplicates
   are never picked). The picks come back in article order.

``Summary.picks`` are the document's own sentences. ``Summary.trimmed`` has the same picks with
any leading dateline cut off: a :class:`~translate_cli.document.Sentence` with the same
``index`` and ``paragraph`` but a later ``start`` (``text`` is still
``document.text[start:end]``). Only if the splitter left the heading lines and the first body
sentence in one sentence does a pick start after the headings, and the title then carries the
index of the sentence it lies in.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from translate_cli.document import Document, Sentence
from translate_cli.report import SummaryItem
from translate_cli.summarize import SummaryRequest, SummaryResult
from translate_cli.summarize.features import FEATURE_NAMES, featurize, ngrams, prepare, words

if TYPE_CHECKING:
    from translate_cli.config import Settings

__all__ = ["ExtractiveSummarizer", "Summarizer", "Summary", "summarize"]

_WEIGHTS = "weights.json"
# Near-duplicates are never picked, not even to reach N: a candidate whose word trigrams are at
# least _NEAR_DUPLICATE contained in a pick's (or vice versa), or whose word set has a Jaccard
# similarity of at least _NEAR_DUPLICATE_WORDS with a pick's.
_NEAR_DUPLICATE = 0.8
_NEAR_DUPLICATE_WORDS = 0.7


@dataclass(frozen=True)
class Summary:
    """The result of :func:`summarize`.

    ``title`` is a heading line found at the top of the article (never a pick); ``picks`` are
    the chosen sentences in article order, never boilerplate, never the title: the document's
    own sentences, so ``document.sentences[p.index] == p``. ``trimmed`` holds the same picks
    with a leading dateline (``JAKARTA, KOMPAS.com -``) cut off, for display: IndoSum's
    reference summaries never carry the dateline, and showing ``trimmed`` instead of ``picks``
    scores about 1 ROUGE-1 point higher (see ``benchmarks/summary.py``).
    """

    title: Sentence | None
    picks: tuple[Sentence, ...]
    trimmed: tuple[Sentence, ...] = ()


_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}


def _weight_vector(weights: Mapping[str, Any]) -> tuple[float, ...]:
    given = dict(weights)
    missing = [name for name in FEATURE_NAMES if name not in given]
    unknown = sorted(set(given) - set(FEATURE_NAMES))
    if missing or unknown:
        raise ValueError(
            "summariser weights do not match this version's features "
            f"(missing: {missing[:5]}, unknown: {unknown[:5]})"
        )
    return tuple(float(given[name]) for name in FEATURE_NAMES)


class _Tree:
    """A binary regression tree (see ``tools/train_summarizer.py`` ``fit_trees``).

    ``split`` holds ``[feature name, threshold, left, right]`` per node, the root first; a row
    goes left when its feature is ``<= threshold``; a child ``c >= 0`` is node ``c`` and
    ``c < 0`` the leaf ``-c - 1``.
    """

    __slots__ = ("features", "leaf", "left", "right", "thresholds")

    def __init__(self, tree: Mapping[str, Any]) -> None:
        split = tree["split"]
        self.leaf = tuple(float(v) for v in tree["leaf"])
        features = []
        for name, *_ in split:
            if name not in _INDEX:
                raise ValueError(f"summariser tree uses an unknown feature: {name!r}")
            features.append(_INDEX[name])
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


def _standardised(values: Sequence[float]) -> list[float]:
    """Mean 0, standard deviation 1 (all 0 when the values do not vary)."""
    mean, spread = statistics.fmean(values), statistics.pstdev(values)
    return [(v - mean) / spread if spread > 1e-12 else 0.0 for v in values]


class _Model:
    """One scorer: a weight per named feature and boosted trees on the same features.

    With trees, the two scores are standardised within the article and mixed,
    ``linear_share`` of the linear one: their scales differ, and only the order within an
    article matters.
    """

    def __init__(self, model: Mapping[str, Any]) -> None:
        self.weights = _weight_vector(model["weights"])
        self.trees = tuple(_Tree(tree) for tree in model.get("trees", ()))
        self.linear_share = float(model.get("linear_share", 0.0))

    def score(self, features: Sequence[Sequence[float]]) -> list[float]:
        linear = [
            math.fsum(w * x for w, x in zip(self.weights, row, strict=True)) for row in features
        ]
        if not self.trees or not features:
            return linear
        boosted = [math.fsum(tree(row) for tree in self.trees) for row in features]
        share = self.linear_share
        return [
            share * a + (1.0 - share) * b
            for a, b in zip(_standardised(linear), _standardised(boosted), strict=True)
        ]


class Summarizer:
    """A scorer per summary length plus the selection rule, from a weights mapping.

    ``weights["models"]`` maps a summary length ("1", "2", "3") to ``{"weights": {feature name:
    weight}, "trees": [...], "linear_share": s}`` (a linear score and boosted trees, mixed);
    a summary of N sentences is ranked by the model for N, or by the longest one when there is
    none for N. Every model must name exactly the features of
    :data:`~translate_cli.summarize.features.FEATURE_NAMES`.
    """

    def __init__(self, weights: Mapping[str, Any]) -> None:
        models = weights.get("models")
        if not isinstance(models, Mapping) or not models:
            raise ValueError("summariser weights have no models (an older weights file?)")
        self._models = {int(size): _Model(m) for size, m in models.items()}
        selection = weights.get("selection", {})
        self._max_overlap = float(selection.get("max_overlap", 1.0))

    def model_for(self, sentences: int) -> int:
        """The summary length whose model ranks a summary of ``sentences`` sentences."""
        sizes = sorted(self._models)
        return max((s for s in sizes if s <= sentences), default=sizes[0])

    def score(self, features: Sequence[Sequence[float]], sentences: int = 3) -> list[float]:
        """Scores, one per feature row, from the model for ``sentences``; only their order
        within an article matters."""
        return self._models[self.model_for(sentences)].score(features)

    def __call__(
        self, document: Document, sentences: int = 3, ratio: float | None = None
    ) -> Summary:
        _check(sentences, ratio)
        prepared = prepare(document)
        candidates = prepared.candidates
        if ratio is not None:
            # Article sentences only: the title, heading lines and boilerplate do not count.
            sentences = max(1, math.floor(ratio * len(candidates) + 0.5))
        scores = self.score(featurize(prepared), sentences)
        order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
        grams = [ngrams(words(c.sentence.text), 3) for c in candidates]
        bags = [set(words(c.sentence.text)) for c in candidates]
        chosen: list[int] = []
        skipped: list[int] = []
        for i in order:
            if len(chosen) == sentences:
                break
            overlap = max((_containment(grams[i], grams[j]) for j in chosen), default=0.0)
            if overlap > self._max_overlap:
                skipped.append(i)
            elif not any(_near_duplicate(bags[i], bags[j], grams[i], grams[j]) for j in chosen):
                chosen.append(i)
        for i in skipped:
            if len(chosen) == sentences:
                break
            if not any(_near_duplicate(bags[i], bags[j], grams[i], grams[j]) for j in chosen):
                chosen.append(i)
        chosen.sort()
        return Summary(
            title=prepared.title,
            picks=tuple(candidates[i].pick for i in chosen),
            trimmed=tuple(candidates[i].sentence for i in chosen),
        )


def _check(sentences: int, ratio: float | None) -> None:
    if isinstance(sentences, bool) or not isinstance(sentences, int) or sentences <= 0:
        raise ValueError(f"sentences must be a positive integer, got {sentences!r}")
    if ratio is not None and not (isinstance(ratio, int | float) and 0.0 < ratio <= 1.0):
        raise ValueError(f"ratio must be in (0, 1], got {ratio!r}")


def _containment(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    if not a:
        return 0.0
    return len(a & b) / len(a)


def _near_duplicate(
    bag_a: set[str], bag_b: set[str], grams_a: set[tuple[str, ...]], grams_b: set[tuple[str, ...]]
) -> bool:
    union = len(bag_a | bag_b)
    if union and len(bag_a & bag_b) / union >= _NEAR_DUPLICATE_WORDS:
        return True
    return max(_containment(grams_a, grams_b), _containment(grams_b, grams_a)) >= _NEAR_DUPLICATE


def load_weights() -> dict[str, Any]:
    """The shipped weights (``data/weights.json``) as a dict."""
    text = resources.files("translate_cli.summarize.data").joinpath(_WEIGHTS).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def _default() -> Summarizer:
    return Summarizer(load_weights())


def summarize(document: Document, sentences: int = 3, ratio: float | None = None) -> Summary:
    """Pick the ``sentences`` best sentences of ``document`` (or ``ratio`` of them).

    ``ratio`` in (0, 1], when given, overrides ``sentences``: the number of picks is that
    fraction of the article's sentences (the candidates: not the title or other heading lines,
    not boilerplate), rounded half up, at least 1 (the LLM summariser rounds the same way).
    Either way there are never more picks than candidate sentences. Raises ValueError for
    ``sentences <= 0`` or a ratio outside (0, 1].
    """
    _check(sentences, ratio)
    return _default()(document, sentences=sentences, ratio=ratio)


class ExtractiveSummarizer:
    """The ``extractive`` summariser of the registry: the picks, shown without a dateline.

    Items quote the document's sentences (``index`` set) and carry no English: the pipeline
    translates what is shown.
    """

    needs_translations = False

    def __init__(self, settings: Settings | None = None) -> None:
        pass

    def summarize(self, document: Document, request: SummaryRequest) -> SummaryResult:
        chosen = summarize(document, sentences=request.sentences, ratio=request.ratio)
        shown = chosen.trimmed or chosen.picks
        title = SummaryItem(chosen.title.index, chosen.title.text, None) if chosen.title else None
        return SummaryResult(title, tuple(SummaryItem(s.index, s.text, None) for s in shown))
