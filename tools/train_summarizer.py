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
    The summariser always picks N sentences (3 by default), so for each N in ``SIZES`` (1, 2, 3)
    each article is labelled with its best N-sentence extract: among the 12 candidates with the
    highest unigram precision against the reference (``summary_text``), the N-subset with the
    highest ROUGE-1 + ROUGE-2 F1 (IndoSum normalisation, n-grams counted within sentences; ties
    go to the earliest subset). This fits the task better than IndoSum's own variable-length
    ``gold_labels`` (cross-validated ROUGE-1 about 0.5 higher) and is computed on the trimmed
    sentences.

Model
    One model per N: a conditional logit (softmax over each article's candidates; the best
    extract's sentences share the target mass), L2-penalised on standardised features, fitted
    by damped Newton's method. A separate model per N matters: trained on 3-sentence extracts,
    the top-ranked sentence is a worse one-sentence summary (cross-validated ROUGE-1 over
    LEAD-1 +3.1 instead of +5.8). Only the ranking within an article matters, so there is no
    bias. The standardisation is folded into the stored weights (keyed by feature name),
    rounded to 6 decimals. On top of the linear score, ``TREES`` boosted regression trees
    (``fit_trees``) fit the same listwise objective; they are stored with the weights, split
    on feature names, and evaluated in pure Python at run time. (Cross-validated, the trees add
    about +0.07 ROUGE-1 to 3-sentence summaries and halve the spread between folds.) Articles
    are sorted by id and nothing is random, so the same data gives the same file byte for byte.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from translate_cli.document import Document  # noqa: E402
from translate_cli.summarize.features import FEATURE_NAMES, featurize, prepare  # noqa: E402
from translate_cli.summarize.rouge import f1, ngram_counts, normalize  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "summarization" / "indosum-dev.jsonl"
DEFAULT_OUT = ROOT / "translate_cli" / "summarize" / "data" / "weights.json"

EXTRACT = 3  # sentences in the label extract (the CLI's default --sentences)
SIZES = (1, 2, 3)  # one model per summary length; longer summaries use the last
POOL = 12  # candidates searched for the best extract
L2 = 10.0  # ridge penalty on the standardised coefficients
MAX_OVERLAP = 0.5  # selection: skip a sentence sharing more than this of its trigrams
# Boosted trees on top of the linear model (the same listwise objective).
TREES = 600  # rounds
DEPTH = 4  # every tree is complete: 2**DEPTH - 1 splits, 2**DEPTH leaves
RATE = 0.03  # shrinkage
TREE_L2 = 5.0  # ridge on leaf values
MIN_HESSIAN = 10.0  # smallest summed hessian on either side of a split
BINS = 32  # candidate thresholds per feature: quantiles of the training values
DECIMALS = 6
FORMAT = 3


@dataclass(frozen=True)
class Example:
    """One article: a feature row and a 0/1 label per candidate sentence."""

    features: list[list[float]]
    labels: list[float]


def load_rows(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """IndoSum rows sorted by id (the first ``limit`` of them when given)."""
    with path.open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows.sort(key=lambda r: str(r["id"]))
    return rows[:limit] if limit is not None else rows


def gold_document(row: dict[str, Any]) -> Document:
    """The article as a Document on IndoSum's own sentence split."""
    text: str = row["text"]
    spans: list[tuple[int, int, int]] = []
    pos = 0
    for number, paragraph in enumerate(row["paragraphs"]):
        for sentence in paragraph:
            start = text.index(sentence, pos)
            end = start + len(sentence)
            spans.append((number, start, end))
            pos = end
    return Document.from_spans(text, spans)


def gold_label_list(row: dict[str, Any]) -> list[bool]:
    """IndoSum's oracle labels flattened to one per sentence (gold_document's indices)."""
    return [bool(label) for paragraph in row["gold_labels"] for label in paragraph]


def best_extract(sentences: Sequence[str], reference: str, size: int = EXTRACT) -> list[int]:
    """Indices of the ``size``-sentence extract with the best ROUGE-1 + ROUGE-2 F1."""
    if len(sentences) <= size:
        return list(range(len(sentences)))
    ref_tokens = normalize(reference)
    ref1, ref2 = ngram_counts(ref_tokens, 1), ngram_counts(ref_tokens, 2)
    total1, total2 = sum(ref1.values()), sum(ref2.values())
    tokens = [normalize(s) for s in sentences]
    grams1 = [ngram_counts(t, 1) for t in tokens]
    grams2 = [ngram_counts(t, 2) for t in tokens]

    def precision(i: int) -> float:
        return sum(min(c, ref1[w]) for w, c in grams1[i].items()) / max(len(tokens[i]), 1)

    pool = sorted(sorted(range(len(sentences)), key=lambda i: (-precision(i), i))[:POOL])
    best: tuple[float, tuple[int, ...]] = (-1.0, ())
    for combo in itertools.combinations(pool, size):
        c1: Counter[tuple[str, ...]] = Counter()
        c2: Counter[tuple[str, ...]] = Counter()
        for i in combo:
            c1.update(grams1[i])
            c2.update(grams2[i])
        value = f1(sum((c1 & ref1).values()), sum(c1.values()), total1) + f1(
            sum((c2 & ref2).values()), sum(c2.values()), total2
        )
        if value > best[0]:
            best = (value, combo)
    return list(best[1])


def article_examples(row: dict[str, Any], sizes: Sequence[int] = SIZES) -> dict[int, Example]:
    """Features (shared) and best-N-extract labels for one IndoSum row, per N in ``sizes``."""
    prepared = prepare(gold_document(row))
    texts = [c.sentence.text for c in prepared.candidates]
    features = featurize(prepared)
    examples = {}
    for size in sizes:
        chosen = set(best_extract(texts, row["summary_text"], size))
        examples[size] = Example(features, [1.0 if i in chosen else 0.0 for i in range(len(texts))])
    return examples


def article_example(row: dict[str, Any], size: int = EXTRACT) -> Example:
    """Features and best-``size``-extract labels for one IndoSum row."""
    return article_examples(row, (size,))[size]


def fit_linear(examples: Iterable[Example], l2: float = L2) -> tuple[dict[str, float], int, int]:
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
    named = {
        name: round(float(w), DECIMALS) + 0.0
        for name, w in zip(FEATURE_NAMES, weights, strict=True)
    }
    return named, len(usable), int(stacked.shape[0])


def fit_trees(
    examples: Iterable[Example],
    linear: Mapping[str, float],
    trees: int = TREES,
    depth: int = DEPTH,
) -> list[dict[str, list[Any]]]:
    """Gradient-boosted regression trees on the conditional logit, starting from ``linear``.

    Each round takes one Newton step in function space: per sentence the gradient
    (target - p) and the diagonal hessian p (1 - p) of the article's softmax, then a tree of
    ``depth`` levels whose splits maximise the usual second-order gain over ``BINS`` quantile
    thresholds per feature, its leaves G / (H + TREE_L2) times ``RATE``. Trees are stored
    complete, in heap order: ``split`` holds ``[feature name, threshold]`` for node k (children
    2k + 1 for ``x <= threshold``, 2k + 2 otherwise; ``[null, 0]`` sends everything left) and
    ``leaf`` the 2**depth leaf values. Ties go to the lowest feature and threshold: the same
    data gives the same trees.
    """
    import numpy as np

    usable = [e for e in examples if 0 < sum(e.labels) < len(e.labels)]
    x = np.asarray([row for e in usable for row in e.features], dtype=np.float64)
    target = np.concatenate(
        [np.asarray(e.labels, dtype=np.float64) / sum(e.labels) for e in usable]
    )
    group = np.repeat(np.arange(len(usable)), [len(e.labels) for e in usable])
    rows, width = x.shape
    # Thresholds are rounded before the rows are binned, so the stored ones split exactly so.
    edges = [
        np.unique(
            np.round(np.quantile(x[:, f], np.linspace(0, 1, BINS + 1)[1:-1], method="lower"), 6)
        )
        for f in range(width)
    ]
    binned = np.stack(
        [np.searchsorted(edges[f], x[:, f], side="left") for f in range(width)], axis=1
    )
    slots = BINS
    offsets = np.arange(width) * slots
    usable_bin = np.zeros((width, slots - 1), dtype=bool)
    for f in range(width):
        usable_bin[f, : len(edges[f])] = True
    score = x @ np.asarray([linear[name] for name in FEATURE_NAMES], dtype=np.float64)
    forest: list[dict[str, list[Any]]] = []
    for _ in range(trees):
        top = np.full(len(usable), -np.inf)
        np.maximum.at(top, group, score)
        e = np.exp(score - top[group])
        p = e / np.bincount(group, weights=e)[group]
        g = target - p
        h = np.maximum(p * (1 - p), 1e-9)
        split: list[list[Any]] = []
        nodes = [np.arange(rows)]
        for _level in range(depth):
            children = []
            for idx in nodes:
                best = None
                if len(idx) > 1:
                    total_g, total_h = g[idx].sum(), h[idx].sum()
                    flat = (binned[idx] + offsets).ravel()
                    hist_g = np.bincount(flat, np.repeat(g[idx], width), width * slots)
                    hist_h = np.bincount(flat, np.repeat(h[idx], width), width * slots)
                    left_g = np.cumsum(hist_g.reshape(width, slots), axis=1)[:, :-1]
                    left_h = np.cumsum(hist_h.reshape(width, slots), axis=1)[:, :-1]
                    gain = (
                        left_g**2 / (left_h + TREE_L2)
                        + (total_g - left_g) ** 2 / (total_h - left_h + TREE_L2)
                        - total_g**2 / (total_h + TREE_L2)
                    )
                    ok = usable_bin & (left_h >= MIN_HESSIAN) & (total_h - left_h >= MIN_HESSIAN)
                    gain = np.where(ok, gain, -np.inf)
                    k = int(np.argmax(gain))
                    if np.isfinite(gain.flat[k]) and gain.flat[k] > 0:
                        best = divmod(k, slots - 1)
                if best is None:
                    split.append([None, 0.0])
                    children += [idx, idx[:0]]
                else:
                    f, b = best
                    split.append([FEATURE_NAMES[f], float(edges[f][b])])
                    goes_left = binned[idx, f] <= b
                    children += [idx[goes_left], idx[~goes_left]]
            nodes = children
        leaf = []
        update = np.zeros(rows)
        for idx in nodes:
            value = round(RATE * float(g[idx].sum()) / (float(h[idx].sum()) + TREE_L2), DECIMALS)
            leaf.append(value + 0.0)
            update[idx] = value
        score += update
        forest.append({"split": split, "leaf": leaf})
    return forest


def fit(
    per_size: Mapping[int, Iterable[Example]], l2: float = L2, trees: int = TREES
) -> dict[str, Any]:
    """Fit one model per summary length; returns the weights mapping the summariser loads."""
    models: dict[str, Any] = {}
    training: dict[str, Any] = {"l2": l2, "trees": trees, "depth": DEPTH, "rate": RATE}
    for size in sorted(per_size):
        examples = list(per_size[size])
        weights, articles, sentences = fit_linear(examples, l2)
        models[str(size)] = {"weights": weights}
        if trees:
            models[str(size)]["trees"] = fit_trees(examples, weights, trees)
        training[f"articles_used_{size}"] = articles
        training["sentences"] = sentences
    return {
        "format": FORMAT,
        "model": "conditional logit plus boosted trees per summary length on IndoSum best-N "
        "extracts (tools/train_summarizer.py)",
        "models": models,
        "selection": {"max_overlap": MAX_OVERLAP},
        "training": training,
    }


def train(rows: Iterable[dict[str, Any]], l2: float = L2, trees: int = TREES) -> dict[str, Any]:
    """Weights trained on IndoSum ``rows`` (paragraphs, text and summary_text needed)."""
    examples = [article_examples(row) for row in rows]
    return fit({size: [e[size] for e in examples] for size in SIZES}, l2, trees)


def dumps(weights: dict[str, Any]) -> str:
    """The weights file's exact text: indented, but each tree on one line."""
    trees: list[str] = []

    def placeholder(tree: dict[str, Any]) -> str:
        trees.append(json.dumps(tree, sort_keys=True, separators=(",", ":")))
        return f"@tree{len(trees) - 1}@"

    shown = {
        **weights,
        "models": {
            size: {**model, "trees": [placeholder(t) for t in model.get("trees", [])]}
            for size, model in weights["models"].items()
        },
    }
    text = json.dumps(shown, indent=1, sort_keys=True, ensure_ascii=False)
    for number, tree in enumerate(trees):
        text = text.replace(f'"@tree{number}@"', tree, 1)
    return text + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="IndoSum jsonl")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="weights file to write")
    parser.add_argument("--limit", type=int, default=None, help="use the first N articles by id")
    parser.add_argument("--l2", type=float, default=L2, help="ridge penalty")
    parser.add_argument("--trees", type=int, default=TREES, help="boosting rounds (0: linear)")
    args = parser.parse_args(argv)
    rows = load_rows(args.data, args.limit)
    weights = train(rows, args.l2, args.trees)
    args.out.write_text(dumps(weights), encoding="utf-8")
    print(
        f"trained on {len(rows)} articles ({weights['training']['articles_used_3']} usable, "
        f"{weights['training']['sentences']} sentences) -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
