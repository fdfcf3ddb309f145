"""Train the extractive summariser's weights (``translate_cli/summarize/data/weights.json``).

Usage, from the repository root::

    .venv/bin/python tools/train_summarizer.py \
        [--data ../shared/data/summarization/indosum-dev.jsonl] \
        [--out translate_cli/summarize/data/weights.json] [--limit N]

Data
    Each IndoSum article is rebuilt as a :class:`~translate_cli.document.Document` on its gold
    sentence split (``paragraphs``; the ``text`` field is exactly those sentences joined) and
    run through the summariser's own ``prepare`` (boilerplate out, datelines trimmed) and
    ``featurize``, so training sees exactly what run time sees. Training on the gold split keeps
    the weights independent of the sentence splitter; ``benchmarks/summary.py`` measures the
    model end to end through ``segment``.

Labels
    The summariser always picks N sentences (3 by default), so for each N in ``SIZES`` (1, 2, 3,
    5) each article gets soft labels from its good N-sentence extracts: among the 12 candidates
    with the highest unigram precision against the reference (``summary_text``), every
    N-subset is scored by ROUGE-1 + ROUGE-2 F1 (IndoSum normalisation, n-grams counted within
    sentences), weighted by exp((score - best) / ``TAU``), and a sentence's label is its share
    of that weight: 1 for a sentence in every good extract, near 0 for one in none. Soft labels
    credit a sentence that is in the second-best extract too, which the single best extract
    (:func:`best_extract`) does not; cross-validated they add about +0.1 ROUGE-1 for three
    sentences and +0.1 for one. Computed on the trimmed sentences.

Model
    One model per N, each in two parts. A conditional logit (softmax over each article's
    candidates, the soft labels as its target), L2-penalised on standardised features, fitted by
    damped Newton's method; and LightGBM gradient-boosted trees (``TREE_PARAMS``) fitted to the
    same labels as a pointwise cross-entropy. At run time each part's scores are standardised
    within the article and mixed, ``LINEAR_SHARE`` of the linear one (only the order within an
    article matters). Trained on 3-sentence extracts, the top-ranked sentence is a worse
    one-sentence summary and the top five a worse five-sentence one, hence a model per N. The
    trees are stored as data (split feature by name, threshold, children) and evaluated in pure
    Python at run time: no LightGBM, no numpy. Cross-validated (``benchmarks/summary.py``), the
    trees lift 3-sentence summaries from +4.5 to about +4.9 ROUGE-1 over LEAD-3 (the depth-4
    listwise trees they replace gave +4.66). Articles are sorted by id, LightGBM runs
    deterministic with a fixed seed and thread count, and nothing else is random: the same data
    gives the same file byte for byte on a machine.

Text without paragraph breaks
    Pasted and scraped news often arrives as one run of sentences, and then the paragraph
    features say nothing. For it the file holds a second set of models (``unparagraphed``),
    trained on every article laid out that way (:func:`flat_document`: the same sentences joined
    by single spaces). A paragraph-break model (LightGBM, binary, ``BREAK_PARAMS``) learns from
    the articles' real breaks which candidate opens a paragraph, from its features and its
    neighbours'; its probabilities become four more features (expected paragraph number,
    probability of being in the first paragraph, of opening one, of the next one opening one;
    ``translate_cli/summarize/paragraphs.py``). The unparagraphed models train on that text as
    our segmenter splits it (a heading without a full stop runs into the next sentence there,
    as at run time; retrain after changing the segmenter) with out-of-fold break probabilities
    (:func:`break_estimates`), as noisy as the ones they get at run time.
    Cross-validated on IndoSum laid out that way, this lifts 3-sentence summaries from +4.13
    to +4.65 ROUGE-1 over LEAD-3 (``benchmarks/summary.py``, ``flat`` layout).

House style
    The reference summaries follow each outlet's habits (a CNN Indonesia summary is mostly the
    first three sentences, a DailySocial one reaches far past them), and the text shows its
    outlet (datelines, editor tags, closing lines, vocabulary). :func:`fit_styles` fits a
    multinomial logistic regression from the article's tokens to its ``source``
    (``translate_cli/summarize/styles.py``), and every ranker reads its probabilities as
    article-level features; the rankers train on out-of-fold probabilities
    (:func:`style_estimates`), as uncertain as the ones they get at run time. Rows without a
    ``source`` train no classifier and no style features. Cross-validated, 3 sentences: +4.97
    -> +5.18 ROUGE-1 over LEAD-3 with paragraphs, +4.65 -> +5.09 without (300 trees); with
    500 trees, +5.24 and +5.14.

Outlets the data does not have
    Those cross-validated figures are optimistic for our users, who read outlets IndoSum never
    saw: trained with one outlet left out, the house-style rankers fell furthest on it (issue
    28). So the classifier stores a confidence (``STYLE_CONFIDENCE``): below it the rankers
    read all zeros, "house style unknown", and they learn that mode from every article the
    out-of-fold classifier is unsure of plus one in ``STYLE_DROPOUT`` of the rest. And the
    features of ``translate_cli/summarize/features/information.py`` say what a sentence brings
    (names and numbers it mentions first, the article's main names, decision and target
    verbs, who speaks its quote, roll calls of who attended) rather than where it stands.
    The rankers' trees are kept sturdy (leaves of at least 400 sentences, at most 15 a tree)
    and the linear score, which carries across outlets better, gets half the mix
    (``LINEAR_SHARE``): tuned leave-one-outlet-out on the training part (300 trees), where
    they took 3-sentence summaries from +4.27 to +4.37 ROUGE-1 over LEAD-3. Text without
    paragraph breaks keeps its earlier settings (``FLAT_TREE_PARAMS``,
    ``FLAT_LINEAR_SHARE``).

Held-out split
    ``held_out``: an article whose id's SHA-256 is 0 modulo ``HELD_OUT_MODULUS`` (5) is held
    out; ``--part training`` trains on the rest, to score the held-out part with
    ``benchmarks/summary.py --protocol fixed-split``. The shipped weights train on every
    article (``--part all``, the default).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from translate_cli.document import Document  # noqa: E402
from translate_cli.segment import segment  # noqa: E402
from translate_cli.summarize.features import FEATURE_NAMES, featurize  # noqa: E402
from translate_cli.summarize.paragraphs import (  # noqa: E402
    BREAK_FEATURE_NAMES,
    PARAGRAPH_ESTIMATES,
    break_rows,
    paragraph_breaks,
    paragraph_estimates,
)
from translate_cli.summarize.prepare import prepare  # noqa: E402
from translate_cli.summarize.rouge import f1, ngram_counts, normalize  # noqa: E402
from translate_cli.summarize.styles import (  # noqa: E402
    StyleModel,
    gated,
    outlet_rows,
    style_tokens,
)
from translate_cli.summarize.trees import Forest  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "summarization" / "indosum-dev.jsonl"
DEFAULT_OUT = ROOT / "translate_cli" / "summarize" / "data" / "weights.json"

EXTRACT = 3  # sentences in the label extract (the CLI's default --sentences)
# One model per summary length; a length between two uses the shorter one's model, a longer
# one the last. 5 (issue 28): --ratio asks for long summaries, and ranked by the 3-sentence
# model five sentences gained +1.3 ROUGE-1 over LEAD-5 leave-one-outlet-out on the training
# part, by a model of 5-sentence labels +3.1 (4: +2.5 by the 3-sentence model, +2.7 by its own:
# not worth another 1.3 MB of weights).
SIZES = (1, 2, 3, 5)
POOL = 12  # candidates searched for the best extracts
TAU = 0.03  # soft labels: weight of an extract is exp((its ROUGE-1 + 2 - the best's) / TAU)
L2 = 10.0  # ridge penalty on the standardised coefficients
MAX_OVERLAP = 0.5  # selection: skip a sentence sharing more than this of its trigrams
# Run time: LINEAR_SHARE x standardised linear score + the rest x standardised trees. 0.5 (0.3
# before issue 28): the linear model carries across outlets better than the trees.
LINEAR_SHARE = 0.5
TREES = 500  # boosting rounds (300 before the outlet features: with them 500 adds about +0.07)
# LightGBM, tuned by 5-fold cross-validation on IndoSum dev (benchmarks/summary.py); leaves of
# at least 400 sentences and at most 15 (50 and 31 before issue 28) tuned leave-one-outlet-out
# on the training part: smaller, sturdier trees learn less of one outlet's habits.
TREE_PARAMS: dict[str, Any] = {
    "objective": "cross_entropy",  # soft labels in [0, 1]
    "learning_rate": 0.03,
    "num_leaves": 15,
    "min_data_in_leaf": 400,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 5.0,
    "seed": 1,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,  # fixed: results may depend on the thread count
    "verbose": -1,
}
# The paragraph-break model for text without breaks: a binary target, so log-odds trees.
BREAK_TREES = 300
# Text without paragraph breaks keeps the rankers' settings from before issue 28 (tuned by
# 5-fold cross-validation): the leave-one-outlet-out tuning above was measured with breaks only.
FLAT_LINEAR_SHARE = 0.3
FLAT_TREE_PARAMS: dict[str, Any] = {**TREE_PARAMS, "num_leaves": 31, "min_data_in_leaf": 50}
BREAK_PARAMS: dict[str, Any] = {
    **FLAT_TREE_PARAMS,
    "objective": "binary",
    "learning_rate": 0.05,
}
BREAK_FOLDS = 5  # out-of-fold break estimates for training the unparagraphed models
FLAT_NAMES = (*FEATURE_NAMES, *PARAGRAPH_ESTIMATES)
# The outlet classifier (translate_cli/summarize/styles.py): multinomial logistic regression,
# L2 penalty 1 / STYLE_C, over tokens seen in at least STYLE_MIN_ARTICLES training articles;
# refitted on the STYLE_TOKENS tokens with the largest weights, stored to STYLE_DECIMALS.
# 5-fold held out on IndoSum dev it names 97.7% of the outlets right (97.6% with all 12,000
# tokens seen in 3 or more articles).
STYLE_C = 3.0
STYLE_MIN_ARTICLES = 5
STYLE_TOKENS = 1000
STYLE_DECIMALS = 4
STYLE_FOLDS = 5  # out-of-fold outlet probabilities for training the rankers
# Outlets the data does not have (issue 28): below this top probability the rankers read no
# house style (all zeros), and they train with that mode on every article the out-of-fold
# classifier is unsure of plus one in STYLE_DROPOUT of the others, so they rank an unseen
# outlet's article by what its sentences say. Tuned leave-one-outlet-out on the training part.
STYLE_CONFIDENCE = 0.9
STYLE_DROPOUT = 3
DECIMALS = 6
FORMAT = 5
# The fixed held-out split, chosen before any tuning and never looked at while tuning: an
# article is held out when the SHA-256 of its id is 0 modulo HELD_OUT_MODULUS (about 1 in 5,
# 428 of IndoSum dev's 2,146, every outlet represented). Tune on the rest (``--part training``).
HELD_OUT_MODULUS = 5
PARTS = ("all", "training", "held-out")

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Example:
    """One article: a feature row and a 0/1 label per candidate sentence."""

    features: list[list[float]]
    labels: list[float]


@dataclass(frozen=True)
class FlatArticle:
    """One article laid out without paragraph breaks.

    ``features`` and ``labels`` (soft labels per summary length) are for the candidates our
    segmenter finds in that text, as run time sees it; ``break_features`` are for IndoSum's own
    sentences in that layout, and ``breaks`` says which of those open a real paragraph (None
    when the two layouts' candidates differ and the article cannot teach the break model).
    """

    features: list[list[float]]
    labels: dict[int, list[float]]
    break_features: list[list[float]]
    breaks: list[float] | None


def load_rows(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """IndoSum rows sorted by id (the first ``limit`` of them when given)."""
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows.sort(key=lambda r: str(r["id"]))
    return rows[:limit] if limit is not None else rows


def held_out(row: Mapping[str, Any]) -> bool:
    """Is ``row`` in the fixed held-out split (see :data:`HELD_OUT_MODULUS`)?"""
    digest = hashlib.sha256(str(row["id"]).encode("utf-8")).hexdigest()
    return int(digest, 16) % HELD_OUT_MODULUS == 0


def part_of(rows: Iterable[dict[str, Any]], part: str) -> list[dict[str, Any]]:
    """The rows of ``part``: ``all``, ``training`` (not held out) or ``held-out``."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; choose from {PARTS}")
    if part == "all":
        return list(rows)
    return [row for row in rows if held_out(row) == (part == "held-out")]


def _on_sentences(
    text: str, paragraphs: Sequence[Sequence[str]], one_paragraph: bool = False
) -> Document:
    """``text`` as a Document whose sentences are IndoSum's, found in order (all in paragraph
    0 when ``one_paragraph``)."""
    spans: list[tuple[int, int, int]] = []
    pos = 0
    for number, paragraph in enumerate(paragraphs):
        for sentence in paragraph:
            start = text.index(sentence, pos)
            end = start + len(sentence)
            spans.append((0 if one_paragraph else number, start, end))
            pos = end
    return Document.from_spans(text, spans)


def gold_document(row: dict[str, Any]) -> Document:
    """The article as a Document on IndoSum's own sentence split."""
    return _on_sentences(row["text"], row["paragraphs"])


def flat_text(row: dict[str, Any]) -> str:
    """The article's sentences joined by single spaces: its paragraph breaks lost, as much
    pasted and scraped text arrives."""
    return " ".join(sentence for paragraph in row["paragraphs"] for sentence in paragraph)


def flat_document(row: dict[str, Any]) -> Document:
    """:func:`flat_text` on IndoSum's sentence split, all in paragraph 0."""
    return _on_sentences(flat_text(row), row["paragraphs"], one_paragraph=True)


def gold_label_list(row: dict[str, Any]) -> list[bool]:
    """IndoSum's oracle labels flattened to one per sentence (gold_document's indices)."""
    return [bool(label) for paragraph in row["gold_labels"] for label in paragraph]


def scored_extracts(
    sentences: Sequence[str], reference: str, size: int = EXTRACT
) -> list[tuple[tuple[int, ...], float]]:
    """Every ``size``-subset of the ``POOL`` most precise sentences with its ROUGE-1 + ROUGE-2 F1.

    Subsets come in ``itertools.combinations`` order (sentence indices ascending); an article
    of at most ``size`` sentences has the one extract of all of them.
    """
    if len(sentences) <= size:
        return [(tuple(range(len(sentences))), 0.0)]
    ref_tokens = normalize(reference)
    ref1, ref2 = ngram_counts(ref_tokens, 1), ngram_counts(ref_tokens, 2)
    total1, total2 = sum(ref1.values()), sum(ref2.values())
    tokens = [normalize(s) for s in sentences]
    grams1 = [ngram_counts(t, 1) for t in tokens]
    grams2 = [ngram_counts(t, 2) for t in tokens]

    def precision(i: int) -> float:
        return sum(min(c, ref1[w]) for w, c in grams1[i].items()) / max(len(tokens[i]), 1)

    pool = sorted(sorted(range(len(sentences)), key=lambda i: (-precision(i), i))[:POOL])
    scored = []
    for combo in itertools.combinations(pool, size):
        c1: Counter[tuple[str, ...]] = Counter()
        c2: Counter[tuple[str, ...]] = Counter()
        for i in combo:
            c1.update(grams1[i])
            c2.update(grams2[i])
        value = f1(sum((c1 & ref1).values()), sum(c1.values()), total1) + f1(
            sum((c2 & ref2).values()), sum(c2.values()), total2
        )
        scored.append((combo, value))
    return scored


def best_extract(sentences: Sequence[str], reference: str, size: int = EXTRACT) -> list[int]:
    """Indices of the ``size``-sentence extract with the best ROUGE-1 + ROUGE-2 F1 (ties: the
    earliest subset)."""
    best = max(scored_extracts(sentences, reference, size), key=lambda item: item[1])
    return list(best[0])


def soft_labels(
    sentences: Sequence[str], reference: str, size: int = EXTRACT, tau: float = TAU
) -> list[float]:
    """Per sentence, its share of the weight exp((score - best) / tau) of the scored extracts."""
    scored = scored_extracts(sentences, reference, size)
    top = max(value for _, value in scored)
    weights = [math.exp((value - top) / tau) for _, value in scored]
    total = math.fsum(weights)
    labels = [0.0] * len(sentences)
    for (combo, _), weight in zip(scored, weights, strict=True):
        for i in combo:
            labels[i] += weight / total
    # Rounded: a sentence in every extract gets exactly 1.0, not 0.9999999999999998.
    return [round(label, 12) for label in labels]


def article_examples(row: dict[str, Any], sizes: Sequence[int] = SIZES) -> dict[int, Example]:
    """Features (shared) and soft labels for one IndoSum row, per summary length in ``sizes``."""
    prepared = prepare(gold_document(row))
    texts = [c.sentence.text for c in prepared.candidates]
    features = featurize(prepared)
    return {
        size: Example(features, soft_labels(texts, row["summary_text"], size)) for size in sizes
    }


def flat_article(row: dict[str, Any], sizes: Sequence[int] = SIZES) -> FlatArticle:
    """One IndoSum row laid out without paragraph breaks: segmented as run time segments it,
    and on its own sentence split with its real breaks (from :func:`gold_document`)."""
    document = flat_document(row)
    segmented = prepare(segment(document.text))
    texts = [c.sentence.text for c in segmented.candidates]
    gold = prepare(document)
    with_paragraphs = prepare(gold_document(row))
    aligned = [c.sentence.text for c in gold.candidates] == [
        c.sentence.text for c in with_paragraphs.candidates
    ]
    return FlatArticle(
        featurize(segmented),
        {size: soft_labels(texts, row["summary_text"], size) for size in sizes},
        featurize(gold),
        paragraph_breaks(with_paragraphs) if aligned else None,
    )


def article_example(row: dict[str, Any], size: int = EXTRACT) -> Example:
    """Features and soft labels for ``size``-sentence summaries of one IndoSum row."""
    return article_examples(row, (size,))[size]


def fit_linear(
    examples: Iterable[Example], l2: float = L2, names: Sequence[str] = FEATURE_NAMES
) -> tuple[dict[str, float], int, int]:
    """Fit one conditional logit: ``({feature name: weight}, articles used, sentences)``."""
    import numpy as np

    usable = [e for e in examples if 0 < sum(e.labels) < len(e.labels)]
    if not usable:
        raise ValueError("no article has both picked and unpicked candidates")
    stacked = np.asarray([row for e in usable for row in e.features], dtype=np.float64)
    mean = stacked.mean(axis=0)
    scale = stacked.std(axis=0)
    scale[scale < 1e-9] = 1.0
    groups = [
        (
            (np.asarray(e.features, dtype=np.float64) - mean) / scale,
            np.asarray(e.labels, dtype=np.float64) / sum(e.labels),
        )
        for e in usable
    ]
    dim = stacked.shape[1]

    def objective(beta: Any) -> float:
        """Penalised log-likelihood (to be maximised)."""
        total = -0.5 * l2 * float(beta @ beta)
        for z, target in groups:
            scores = z @ beta
            top = scores.max()
            total += float(target @ scores) - top - float(np.log(np.exp(scores - top).sum()))
        return total

    beta = np.zeros(dim)
    current = objective(beta)
    for _ in range(100):
        gradient = -l2 * beta
        hessian = l2 * np.eye(dim)
        for z, target in groups:
            scores = z @ beta
            p = np.exp(scores - scores.max())
            p /= p.sum()
            gradient += z.T @ (target - p)
            zp = z.T @ p
            hessian += (z * p[:, None]).T @ z - np.outer(zp, zp)
        step = np.linalg.solve(hessian, gradient)
        # Damped Newton: halve the step until the objective does not fall (a full step can
        # overshoot when one sentence carries all of an article's target).
        for _ in range(30):
            if objective(beta + step) >= current:
                break
            step = step / 2
        beta += step
        current = objective(beta)
        if float(np.max(np.abs(step))) < 1e-10:
            break
    weights = beta / scale
    named = {name: round(float(w), DECIMALS) + 0.0 for name, w in zip(names, weights, strict=True)}
    return named, len(usable), int(stacked.shape[0])


def fit_trees(
    examples: Iterable[Example],
    rounds: int = TREES,
    names: Sequence[str] = FEATURE_NAMES,
    params: Mapping[str, Any] | None = None,
) -> list[dict[str, list[Any]]]:
    """LightGBM boosted trees on the soft labels (pointwise cross-entropy), as stored trees
    (the format is in ``translate_cli/summarize/trees.py``)."""
    usable = [e for e in examples if e.labels]
    rows = [row for e in usable for row in e.features]
    labels = [label for e in usable for label in e.labels]
    return _boost(TREE_PARAMS if params is None else params, rows, labels, rounds, names)


def _boost(
    params: Mapping[str, Any],
    rows: Sequence[Sequence[float]],
    labels: Sequence[float],
    rounds: int,
    names: Sequence[str],
) -> list[dict[str, list[Any]]]:
    import lightgbm
    import numpy as np

    x = np.asarray(rows, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    booster = lightgbm.train(dict(params), lightgbm.Dataset(x, y), num_boost_round=rounds)
    return [
        _stored_tree(info["tree_structure"], names) for info in booster.dump_model()["tree_info"]
    ]


def fit_breaks(
    articles: Iterable[FlatArticle], rounds: int = BREAK_TREES
) -> list[dict[str, list[Any]]]:
    """The paragraph-break model: log-odds trees that a candidate opens a paragraph, from the
    articles' unparagraphed features (the first candidate, which always opens one, left out)."""
    rows: list[list[float]] = []
    labels: list[float] = []
    for article in articles:
        if article.breaks is None:
            continue
        rows.extend(break_rows(article.break_features)[1:])
        labels.extend(article.breaks[1:])
    return _boost(BREAK_PARAMS, rows, labels, rounds, BREAK_FEATURE_NAMES)


def _out_of_fold(
    items: Sequence[T], folds: int, fitted: Callable[[list[T]], Callable[[T], R]]
) -> list[R]:
    """Each item's prediction from a model that did not see it: item k is in fold
    ``k % folds``, and ``fitted(others)`` returns the predictor trained on the other folds."""
    predictions: dict[int, R] = {}
    for fold in range(folds):
        predict = fitted([item for k, item in enumerate(items) if k % folds != fold])
        for k in range(fold, len(items), folds):
            predictions[k] = predict(items[k])
    return [predictions[k] for k in range(len(items))]


def break_estimates(
    articles: Sequence[FlatArticle], folds: int = BREAK_FOLDS, rounds: int = BREAK_TREES
) -> list[list[float]]:
    """Each article's break probabilities from a break model that did not see it (article k
    is in fold ``k % folds``): the unparagraphed models train on estimates as noisy as the
    ones they get at run time."""

    def fitted(trained: list[FlatArticle]) -> Callable[[FlatArticle], list[float]]:
        forest = Forest(fit_breaks(trained, rounds), BREAK_FEATURE_NAMES)
        return lambda article: [forest.probability(row) for row in break_rows(article.features)]

    return _out_of_fold(articles, folds, fitted)


def style_text(row: dict[str, Any]) -> str:
    """The text the outlet classifier reads for one IndoSum row (its body, as at run time)."""
    return prepare(gold_document(row)).body


def row_outlets(rows: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """``(style text, outlet)`` per row, or nothing unless every row names its ``source``."""
    if not rows or not all(row.get("source") for row in rows):
        return []
    return [(style_text(row), str(row["source"])) for row in rows]


def _softmax_regression(
    documents: Sequence[Sequence[int]], labels: Sequence[int], width: int, classes: int
) -> tuple[Any, Any]:
    """Multinomial logistic regression on binary token features (``documents`` hold token
    columns), L2 penalty ``1 / STYLE_C``, fitted by L-BFGS: ``(weights [width x classes],
    bias)``."""
    import numpy as np
    import scipy.optimize
    import scipy.sparse

    rows = [k for k, doc in enumerate(documents) for _ in doc]
    columns = [column for doc in documents for column in doc]
    x = scipy.sparse.csr_matrix(
        (np.ones(len(rows)), (rows, columns)), shape=(len(documents), width)
    )
    target = np.zeros((len(documents), classes))
    target[np.arange(len(documents)), list(labels)] = 1.0

    def loss(flat: Any) -> tuple[float, Any]:
        weights, bias = flat[: width * classes].reshape(width, classes), flat[width * classes :]
        scores = x @ weights + bias
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=1, keepdims=True)
        value = -float(np.sum(target * np.log(p + 1e-300))) + 0.5 / STYLE_C * float(
            np.sum(weights * weights)
        )
        error = p - target
        gradient = np.concatenate([(x.T @ error + weights / STYLE_C).ravel(), error.sum(axis=0)])
        return value, gradient

    start = np.zeros(width * classes + classes)
    result = scipy.optimize.minimize(
        loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 1000}
    )
    return result.x[: width * classes].reshape(width, classes), result.x[width * classes :]


def fit_styles(outlets: Sequence[tuple[str, str]]) -> dict[str, Any] | None:
    """The outlet classifier from ``(style text, outlet)`` pairs, stored as
    :class:`~translate_cli.summarize.styles.StyleModel` reads it (None with fewer than two
    outlets)."""
    names = sorted({outlet for _, outlet in outlets})
    if len(names) < 2:
        return None
    labels = [names.index(outlet) for _, outlet in outlets]
    tokens = [style_tokens(text) for text, _ in outlets]
    seen = Counter(token for bag in tokens for token in bag)
    vocabulary = sorted(t for t, count in seen.items() if count >= STYLE_MIN_ARTICLES)

    def fitted(vocabulary: Sequence[str]) -> tuple[Any, Any]:
        column = {token: k for k, token in enumerate(vocabulary)}
        documents = [sorted(column[t] for t in bag if t in column) for bag in tokens]
        return _softmax_regression(documents, labels, len(vocabulary), len(names))

    weights, _ = fitted(vocabulary)
    strength = abs(weights).max(axis=1)
    ranked = sorted(range(len(vocabulary)), key=lambda k: (-float(strength[k]), vocabulary[k]))
    kept = sorted(vocabulary[k] for k in ranked[:STYLE_TOKENS])
    weights, bias = fitted(kept)

    def stored(values: Iterable[float]) -> list[float]:
        return [round(float(v), STYLE_DECIMALS) + 0.0 for v in values]

    return {
        "outlets": names,
        "bias": stored(bias),
        "tokens": {token: stored(weights[k]) for k, token in enumerate(kept)},
    }


def style_estimates(
    outlets: Sequence[tuple[str, str]], folds: int = STYLE_FOLDS
) -> list[list[float]]:
    """Each article's outlet probabilities from a classifier that did not see it (article k
    is in fold ``k % folds``), in the outlet order of :func:`fit_styles` on all of them."""
    names = sorted({outlet for _, outlet in outlets})

    def fitted(trained: list[tuple[str, str]]) -> Callable[[tuple[str, str]], list[float]]:
        stored = fit_styles(trained)
        if stored is None:
            raise ValueError("an outlet-classifier fold has fewer than two outlets")
        model = StyleModel(stored)

        def predict(pair: tuple[str, str]) -> list[float]:
            given = dict(zip(model.outlets, model.probabilities(pair[0]), strict=True))
            return [given.get(name, 0.0) for name in names]

        return predict

    return _out_of_fold(outlets, folds, fitted)


def _stored_tree(root: Mapping[str, Any], names: Sequence[str]) -> dict[str, list[Any]]:
    split: list[list[Any]] = []
    leaf: list[float] = []

    def visit(node: Mapping[str, Any]) -> int:
        if "leaf_value" in node:
            leaf.append(round(float(node["leaf_value"]), DECIMALS) + 0.0)
            return -len(leaf)
        if node["decision_type"] != "<=":
            raise ValueError(f"unexpected LightGBM split: {node['decision_type']}")
        k = len(split)
        split.append([names[node["split_feature"]], float(node["threshold"]), 0, 0])
        split[k][2] = visit(node["left_child"])
        split[k][3] = visit(node["right_child"])
        return k

    visit(root)
    return {"split": split, "leaf": leaf}


def _scorer(
    examples: Sequence[Example],
    l2: float,
    trees: int,
    names: Sequence[str],
    params: Mapping[str, Any] | None = None,
    share: float | None = None,
) -> tuple[dict[str, Any], int, int]:
    """One summary length's model: linear weights, and trees mixed in when ``trees``
    (``params`` and ``share``: the rankers' ``TREE_PARAMS`` and ``LINEAR_SHARE`` unless given)."""
    weights, articles, sentences = fit_linear(examples, l2, names)
    model: dict[str, Any] = {"weights": weights}
    if trees:
        model["trees"] = fit_trees(examples, trees, names, params)
        model["linear_share"] = LINEAR_SHARE if share is None else share
    return model, articles, sentences


def fit(
    per_size: Mapping[int, Iterable[Example]],
    flat: Sequence[FlatArticle] = (),
    l2: float = L2,
    trees: int = TREES,
    break_trees: int = BREAK_TREES,
    outlets: Sequence[tuple[str, str]] = (),
    style_confidence: float = STYLE_CONFIDENCE,
    style_dropout: int = STYLE_DROPOUT,
) -> dict[str, Any]:
    """Fit one model per summary length, and with ``flat`` articles the break model and the
    unparagraphed models; with ``outlets`` (``(style text, outlet)`` per article, parallel to
    the examples) the outlet classifier, whose out-of-fold probabilities every model then
    reads. Returns the weights mapping the summariser loads."""
    by_size = {size: list(examples) for size, examples in per_size.items()}
    articles = len(next(iter(by_size.values())))  # each length's list has one example an article
    styles = fit_styles(outlets) if outlets else None
    style_names = StyleModel(styles).names if styles else ()
    estimates_of_style = (
        [
            [0.0] * len(p)
            if style_dropout and k % style_dropout == 0
            else gated(p, style_confidence)
            for k, p in enumerate(style_estimates(outlets))
        ]
        if styles
        else [[] for _ in range(articles)]
    )
    models: dict[str, Any] = {}
    training: dict[str, Any] = {"l2": l2, "trees": trees, "tau": TAU, "lightgbm": TREE_PARAMS}
    for size in sorted(by_size):
        examples = [
            Example(outlet_rows(e.features, p), e.labels)
            for e, p in zip(by_size[size], estimates_of_style, strict=True)
        ]
        model, used, sentences = _scorer(examples, l2, trees, (*FEATURE_NAMES, *style_names))
        models[str(size)] = model
        training[f"articles_used_{size}"] = used
        training[f"sentences_{size}"] = sentences
    weights: dict[str, Any] = {
        "format": FORMAT,
        "model": "conditional logit plus LightGBM trees per summary length on IndoSum soft "
        "extract labels, reading an outlet classifier's probabilities (tools/train_summarizer.py)",
        "models": models,
        "selection": {"max_overlap": MAX_OVERLAP},
        "training": training,
    }
    if styles:
        weights["styles"] = {**styles, "confidence": style_confidence}
        training["styles"] = {
            "c": STYLE_C,
            "min_articles": STYLE_MIN_ARTICLES,
            "articles": articles,
            "dropout": style_dropout,
        }
    if flat and break_trees:
        estimates = break_estimates(flat, rounds=break_trees)
        flat_models = {}
        for size in sorted(by_size):
            examples = [
                Example(
                    [
                        [*row, *extra, *p]
                        for row, extra in zip(a.features, paragraph_estimates(b), strict=True)
                    ],
                    a.labels[size],
                )
                for a, b, p in zip(flat, estimates, estimates_of_style, strict=True)
            ]
            flat_models[str(size)] = _scorer(
                examples,
                l2,
                trees,
                (*FLAT_NAMES, *style_names),
                params=FLAT_TREE_PARAMS,
                share=FLAT_LINEAR_SHARE,
            )[0]
        weights["unparagraphed"] = {"breaks": fit_breaks(flat, break_trees), "models": flat_models}
        training["break_model"] = {"trees": break_trees, "lightgbm": BREAK_PARAMS}
        training["unparagraphed"] = {
            "lightgbm": FLAT_TREE_PARAMS,
            "linear_share": FLAT_LINEAR_SHARE,
        }
        training["break_articles"] = sum(a.breaks is not None for a in flat)
    return weights


def train(
    rows: Iterable[dict[str, Any]],
    l2: float = L2,
    trees: int = TREES,
    break_trees: int = BREAK_TREES,
) -> dict[str, Any]:
    """Weights trained on IndoSum ``rows`` (paragraphs, text and summary_text needed; the
    outlet classifier only when every row names its ``source``)."""
    rows = list(rows)
    examples = [article_examples(row) for row in rows]
    flat = [flat_article(row) for row in rows]
    per_size = {size: [e[size] for e in examples] for size in SIZES}
    return fit(per_size, flat, l2, trees, break_trees, row_outlets(rows))


def dumps(weights: dict[str, Any]) -> str:
    """The weights file's exact text: indented, but each tree on one line."""
    trees: list[str] = []

    def placeholder(value: Any) -> str:  # a tree or a vector, kept on one line
        trees.append(json.dumps(value, sort_keys=True, separators=(",", ":")))
        return f"@tree{len(trees) - 1}@"

    def models(group: Mapping[str, Any]) -> dict[str, Any]:
        return {
            size: {**model, "trees": [placeholder(t) for t in model.get("trees", [])]}
            for size, model in group.items()
        }

    shown = {**weights, "models": models(weights["models"])}
    if "unparagraphed" in weights:
        flat = weights["unparagraphed"]
        shown["unparagraphed"] = {
            "breaks": [placeholder(t) for t in flat["breaks"]],
            "models": models(flat["models"]),
        }
    if "styles" in weights:
        styles = weights["styles"]
        shown["styles"] = {
            **styles,
            "bias": placeholder(styles["bias"]),
            "tokens": {token: placeholder(v) for token, v in styles["tokens"].items()},
        }
    text = json.dumps(shown, indent=1, sort_keys=True, ensure_ascii=False)
    return re.sub(r'"@tree(\d+)@"', lambda m: trees[int(m.group(1))], text) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="IndoSum jsonl")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="weights file to write")
    parser.add_argument("--limit", type=int, default=None, help="use the first N articles by id")
    parser.add_argument(
        "--part",
        choices=PARTS,
        default="all",
        help="train on every article (the shipped weights), or only the fixed split's training "
        "part (to score the held-out part with benchmarks/summary.py)",
    )
    parser.add_argument("--l2", type=float, default=L2, help="ridge penalty")
    parser.add_argument("--trees", type=int, default=TREES, help="boosting rounds (0: linear)")
    parser.add_argument(
        "--break-trees", type=int, default=BREAK_TREES, help="paragraph-break model rounds"
    )
    args = parser.parse_args(argv)
    rows = part_of(load_rows(args.data, args.limit), args.part)
    weights = train(rows, args.l2, args.trees, args.break_trees)
    args.out.write_text(dumps(weights), encoding="utf-8")
    print(
        f"trained on {len(rows)} articles ({weights['training'][f'articles_used_{EXTRACT}']} "
        f"usable, {weights['training'][f'sentences_{EXTRACT}']} sentences) -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
