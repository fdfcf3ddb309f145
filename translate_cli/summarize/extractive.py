"""Extractive summaries for Indonesian news: ``summarize(document, sentences, ratio=None)``.

How it works (no neural model, pure Python, about 15 ms for a typical news article):

1. :func:`~translate_cli.summarize.prepare.prepare` sets aside the heading lines at the top of
   the article (the longest is reported as the title; a short kicker such as a city name above
   it is neither title nor pick), drops boilerplate (``Baca juga: …`` links, photo and editor
   credits, ``(red)``, bylines, datelines alone; patterns in ``web/data/news_boilerplate.txt``) and
   trims a leading dateline (``JAKARTA, KOMPAS.com -``) off the sentence it starts (for the
   features and for ``Summary.trimmed``).
2. Every remaining sentence gets a few dozen named features (position in article and
   paragraph, length, centrality, overlap with the lead, named entities, numbers, quotation
   state, attribution, …) and a score from a model fitted on IndoSum by
   ``tools/train_summarizer.py`` and shipped as data (``data/weights.json``, keyed by feature
   name): a conditional logit over each article's sentences plus boosted regression trees
   (trained with LightGBM, evaluated here in pure Python), both taught which sentences the
   good N-sentence extracts of the reference share, their scores standardised within the
   article and mixed. There is one model per summary length N = 1, 2, 3, 5 (4 sentences use the
   N = 3 model, longer summaries the N = 5 one): the best single sentence is not simply the top
   of the best three, nor the best five the top five of the 3-sentence ranking. Text without
   paragraph breaks (one paragraph of at least four candidates) is ranked by models of its own,
   which read estimated paragraph breaks instead (:mod:`~translate_cli.summarize.paragraphs`).
   Every model also reads the article's house style: the probability of each outlet of the
   training data, from a classifier over its tokens (:mod:`~translate_cli.summarize.styles`),
   since the reference summaries follow each outlet's habits — or, when the classifier is sure
   of no outlet (an outlet the data does not have), all zeros: no house style.
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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from translate_cli.config import Settings
from translate_cli.document import Document, Sentence
from translate_cli.report import SummaryItem
from translate_cli.resources import text
from translate_cli.summarize import SummaryRequest, SummaryResult
from translate_cli.summarize.features import FEATURE_NAMES, featurize
from translate_cli.summarize.paragraphs import (
    BREAK_FEATURE_NAMES,
    PARAGRAPH_ESTIMATES,
    break_rows,
    paragraph_estimates,
    unparagraphed,
)
from translate_cli.summarize.prepare import Prepared, prepare
from translate_cli.summarize.styles import StyleModel, outlet_rows
from translate_cli.summarize.tokens import ngrams, words
from translate_cli.summarize.trees import Forest

__all__ = ["ExtractiveSummarizer", "Summarizer", "Summary", "model_size", "summarize"]

_WEIGHTS = "weights.json"
_SENTENCES = Settings.sentences  # the one default summary length
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


def model_size(sizes: Iterable[int], sentences: int) -> int:
    """Which of the model ``sizes`` ranks a summary of ``sentences`` sentences: the longest
    not longer than it (the shortest when all are longer)."""
    ordered = sorted(sizes)
    return max((s for s in ordered if s <= sentences), default=ordered[0])


def _weight_vector(weights: Mapping[str, Any], names: Sequence[str]) -> tuple[float, ...]:
    given = dict(weights)
    missing = [name for name in names if name not in given]
    unknown = sorted(set(given) - set(names))
    if missing or unknown:
        raise ValueError(
            "summariser weights do not match this version's features "
            f"(missing: {missing[:5]}, unknown: {unknown[:5]})"
        )
    return tuple(float(given[name]) for name in names)


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

    def __init__(self, model: Mapping[str, Any], names: Sequence[str] = FEATURE_NAMES) -> None:
        self.weights = _weight_vector(model["weights"], names)
        self.trees = Forest(model.get("trees", ()), names)
        self.linear_share = float(model.get("linear_share", 0.0))

    def score(self, features: Sequence[Sequence[float]]) -> list[float]:
        linear = [
            math.fsum(w * x for w, x in zip(self.weights, row, strict=True)) for row in features
        ]
        if not self.trees or not features:
            return linear
        boosted = [self.trees(row) for row in features]
        share = self.linear_share
        return [
            share * a + (1.0 - share) * b
            for a, b in zip(_standardised(linear), _standardised(boosted), strict=True)
        ]


class Summarizer:
    """A scorer per summary length plus the selection rule, from a weights mapping.

    ``weights["models"]`` maps a summary length ("1", "2", "3", "5") to ``{"weights": {feature
    name: weight}, "trees": [...], "linear_share": s}`` (a linear score and boosted trees,
    mixed); a summary of N sentences is ranked by the longest model not longer than N (4
    sentences by the 3-sentence one, 9 by the 5-sentence one). Every model must name exactly
    the features of :data:`~translate_cli.summarize.features.FEATURE_NAMES` (and the styles',
    below).

    ``weights["unparagraphed"]``, when present, serves text without paragraph breaks (see
    :mod:`~translate_cli.summarize.paragraphs`): ``{"breaks": [...]}`` are the trees of the
    paragraph-break model (log-odds, over
    :data:`~translate_cli.summarize.paragraphs.BREAK_FEATURE_NAMES`) and ``{"models": {...}}``
    scorers like the above over ``FEATURE_NAMES`` plus
    :data:`~translate_cli.summarize.paragraphs.PARAGRAPH_ESTIMATES`.

    ``weights["styles"]``, when present, is an outlet classifier
    (:class:`~translate_cli.summarize.styles.StyleModel`); every model then also reads its
    probabilities, named ``style:<outlet>``, after the features above (the break model does
    not read them).
    """

    def __init__(self, weights: Mapping[str, Any]) -> None:
        models = weights.get("models")
        if not isinstance(models, Mapping) or not models:
            raise ValueError("summariser weights have no models (an older weights file?)")
        styles = weights.get("styles")
        self._styles = StyleModel(styles) if styles else None
        style_names = self._styles.names if self._styles else ()
        names = (*FEATURE_NAMES, *style_names)
        self._models = {int(size): _Model(m, names) for size, m in models.items()}
        flat = weights.get("unparagraphed") or {}
        flat_names = (*FEATURE_NAMES, *PARAGRAPH_ESTIMATES, *style_names)
        self._flat_models = {
            int(size): _Model(m, flat_names) for size, m in flat.get("models", {}).items()
        }
        self._breaks = Forest(flat.get("breaks", ()), BREAK_FEATURE_NAMES)
        if bool(self._flat_models) != bool(self._breaks):
            raise ValueError("summariser weights: unparagraphed models need their break model")
        selection = weights.get("selection", {})
        self._max_overlap = float(selection.get("max_overlap", 1.0))

    @staticmethod
    def _size(models: Mapping[int, _Model], sentences: int) -> int:
        return model_size(models, sentences)

    def model_for(self, sentences: int) -> int:
        """The summary length whose model ranks a summary of ``sentences`` sentences."""
        return self._size(self._models, sentences)

    def score(
        self, features: Sequence[Sequence[float]], sentences: int = _SENTENCES
    ) -> list[float]:
        """Scores, one per feature row (:data:`FEATURE_NAMES`, then the article's
        :meth:`style_probabilities`), from the model for ``sentences``; only their order within
        an article matters. :meth:`rank` builds the rows from a prepared article."""
        return self._models[self.model_for(sentences)].score(features)

    def paragraph_probabilities(self, features: Sequence[Sequence[float]]) -> list[float]:
        """Per candidate, the break model's probability that it opens a paragraph."""
        return [self._breaks.probability(row) for row in break_rows(features)]

    def style_probabilities(self, prepared: Prepared) -> list[float]:
        """Per outlet of the weights' style model, the probability that ``prepared`` is
        written in its house style (empty when the weights have no style model)."""
        return self._styles.probabilities(prepared.body) if self._styles else []

    def style_features(self, prepared: Prepared) -> list[float]:
        """What the models read of the house style: :meth:`style_probabilities`, or all zeros
        when the classifier is not confident of any outlet (see
        :meth:`~translate_cli.summarize.styles.StyleModel.features`)."""
        return self._styles.features(prepared.body) if self._styles else []

    def rank(self, prepared: Prepared, sentences: int = _SENTENCES) -> list[float]:
        """Scores for ``prepared``'s candidates: from the unparagraphed models, on estimated
        paragraphs, when the text has lost its breaks and the weights have them."""
        features = featurize(prepared)
        styles = self.style_features(prepared)
        if not (self._flat_models and unparagraphed(prepared)):
            return self.score(outlet_rows(features, styles), sentences)
        estimates = paragraph_estimates(self.paragraph_probabilities(features))
        rows = [[*row, *extra, *styles] for row, extra in zip(features, estimates, strict=True)]
        return self._flat_models[self._size(self._flat_models, sentences)].score(rows)

    def __call__(
        self, document: Document, sentences: int = _SENTENCES, ratio: float | None = None
    ) -> Summary:
        _check(sentences, ratio)
        prepared = prepare(document)
        candidates = prepared.candidates
        if ratio is not None:
            # Article sentences only: the title, heading lines and boilerplate do not count.
            sentences = max(1, math.floor(ratio * len(candidates) + 0.5))
        scores = self.rank(prepared, sentences)
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
    data: dict[str, Any] = json.loads(text("translate_cli.summarize", _WEIGHTS))
    return data


@lru_cache(maxsize=1)
def _default() -> Summarizer:
    return Summarizer(load_weights())


def summarize(
    document: Document, sentences: int = _SENTENCES, ratio: float | None = None
) -> Summary:
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
