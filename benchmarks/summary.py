"""Summary quality on IndoSum: ours vs LEAD-n, TextRank and the oracle, cross-validated.

Usage, from the repository root::

    .venv/bin/python benchmarks/summary.py [--data ../shared/data/summarization/indosum-dev.jsonl]
        [--folds 5] [--sizes 1,2,3] [--sentences 3] [--limit N] [--gold]
        [--layouts blank-lines,flat]

Protocol
    Articles are sorted by id, shuffled with a fixed seed and dealt into ``--folds`` folds. For
    each fold the summariser is trained (``tools/train_summarizer.py``'s ``train``) on the other
    folds only and scored on this one, so no article is ever summarised by weights that saw it.
    The baselines need no training and are scored on every article. First, for each summary
    length n in ``--sizes`` (1, 2, 3), ours against LEAD-n: ROUGE-1/2/L, the ROUGE-1 difference
    with its per-fold values and their mean ± standard deviation. Then the full table for
    ``--sentences`` (3), where the oracle picks as many as IndoSum's labels say.

End to end (the default table)
    Each article's running text goes through ``translate_cli.segment``, as in
    ``translate-cli summarize - --input-format jsonl``; every system then works on that same
    segmentation. LEAD-k is the first k sentences as segmented, verbatim. ``--layouts`` says how
    the text is laid out, one per-length table each (the full table for the first):
    ``blank-lines`` is the data's own ``text`` field (paragraphs between blank lines),
    ``lines`` its paragraphs one a line, ``flat`` its sentences joined by single spaces with
    no paragraph breaks at all (as many JSONL records and scraped pages come). ``--gold`` adds
    the same table on IndoSum's own sentence split.

Systems
    ours          ``Summarizer`` with the fold's weights: ``Summary.picks``, the document's
                  own sentences, as ``translate-cli summarize`` prints them today.
    ours trimmed  the same picks as ``Summary.trimmed``: a leading dateline
                  (``JAKARTA, KOMPAS.com -``) cut off, as in IndoSum's references.
    LEAD-n        the first n sentences.
    LEAD-n clean  the first n candidate sentences after the summariser's cleanup (boilerplate
                  dropped, title set aside, datelines trimmed): separates what cleanup gains
                  from what the learned ranking gains.
    TextRank      Mihalcea & Tarau 2004: sentence graph weighted by word overlap
                  |a ∩ b| / (log|a| + log|b|), PageRank (d = 0.85), top 3 in article order.
    oracle        on the gold split, IndoSum's oracle labels (``gold_labels``); end to end, a
                  greedy oracle on our sentences: add the sentence that most raises ROUGE-1 +
                  ROUGE-2 F1 against the reference until nothing raises it.

ROUGE (``translate_cli/summarize/rouge.py``, shared with the training labels; no dependency)
    Text is normalised the way the IndoSum paper scored it: lowercased, every digit replaced by
    0, punctuation (any character that is not a letter, digit or whitespace) replaced by a
    space, then split on whitespace. ROUGE-N F1 counts clipped n-gram matches between the
    candidate and the reference summary (``summary_text``) as token sequences (n-grams may cross
    sentence boundaries): P = matches / candidate n-grams, R = matches / reference n-grams,
    F1 = 2PR / (P + R). ROUGE-L F1 uses the longest common subsequence of the two whole token
    sequences in place of the match count. Scores are F1 per article, averaged over articles,
    times 100. No stemming, no stopword removal.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT, ROOT / "tools"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import train_summarizer  # noqa: E402

from translate_cli.document import Document  # noqa: E402
from translate_cli.segment import segment  # noqa: E402
from translate_cli.summarize.extractive import Summarizer  # noqa: E402
from translate_cli.summarize.prepare import prepare  # noqa: E402
from translate_cli.summarize.rouge import normalize, rouge, rouge_n  # noqa: E402

DEFAULT_DATA = train_summarizer.DEFAULT_DATA
SEED = 13


# --- systems ---------------------------------------------------------------------------------


def lead(document: Document, k: int) -> list[str]:
    return [s.text for s in document.sentences[:k]]


def lead_clean(document: Document, k: int) -> list[str]:
    return [c.sentence.text for c in prepare(document).candidates[:k]]


def textrank(document: Document, k: int, damping: float = 0.85) -> list[str]:
    bags = [set(normalize(s.text)) for s in document.sentences]
    n = len(bags)
    if n <= k:
        return [s.text for s in document.sentences]
    weights = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            denominator = math.log(len(bags[i]) or 1) + math.log(len(bags[j]) or 1)
            common = len(bags[i] & bags[j])
            if common and denominator > 0:
                weights[i][j] = weights[j][i] = common / denominator
    out = [sum(row) for row in weights]
    score = [1.0 / n] * n
    for _ in range(100):
        new = [
            (1 - damping) / n
            + damping * sum(weights[j][i] * score[j] / out[j] for j in range(n) if out[j])
            for i in range(n)
        ]
        delta = max(abs(a - b) for a, b in zip(new, score, strict=True))
        score = new
        if delta < 1e-8:
            break
    best = sorted(sorted(range(n), key=lambda i: (-score[i], i))[:k])
    return [document.sentences[i].text for i in best]


def greedy_oracle(document: Document, reference: str) -> list[str]:
    ref = normalize(reference)
    tokens = [normalize(s.text) for s in document.sentences]
    chosen: list[int] = []
    best = 0.0
    while True:
        gains = []
        for i in range(len(tokens)):
            if i in chosen:
                continue
            cand = [t for j in sorted([*chosen, i]) for t in tokens[j]]
            gains.append((rouge_n(cand, ref, 1) + rouge_n(cand, ref, 2), -i))
        if not gains:
            break
        value, negative = max(gains)
        if value <= best:
            break
        best = value
        chosen.append(-negative)
    return [document.sentences[i].text for i in sorted(chosen)]


def gold_oracle(row: dict[str, Any]) -> list[str]:
    labels = train_summarizer.gold_label_list(row)
    sentences = [s for paragraph in row["paragraphs"] for s in paragraph]
    return [s for s, keep in zip(sentences, labels, strict=True) if keep]


# --- evaluation ------------------------------------------------------------------------------

# The article's running text as users paste it: IndoSum's own (paragraphs between blank lines)
# or one paragraph a line, where a one-sentence lead on the first line looks like a headline.
LAYOUTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "blank-lines": lambda row: str(row["text"]),
    "lines": lambda row: "\n".join(" ".join(p) for p in row["paragraphs"]),
    # No paragraph breaks at all, as JSONL records and scraped text often come.
    "flat": train_summarizer.flat_text,
}


@dataclass
class Scores:
    r1: list[float]
    r2: list[float]
    rl: list[float]

    def add(self, picked: Sequence[str], reference: str) -> None:
        r1, r2, rl = rouge(" ".join(picked), reference)
        self.r1.append(r1)
        self.r2.append(r2)
        self.rl.append(rl)

    def mean(self) -> tuple[float, float, float]:
        r1, r2, rl = (100 * statistics.fmean(v) if v else 0.0 for v in (self.r1, self.r2, self.rl))
        return r1, r2, rl


def folds_of(rows: Sequence[dict[str, Any]], k: int) -> list[int]:
    """Fold number per row (rows sorted by id): a fixed-seed shuffle dealt round-robin."""
    order = list(range(len(rows)))
    random.Random(SEED).shuffle(order)
    fold = [0] * len(rows)
    for rank, i in enumerate(order):
        fold[i] = rank % k
    return fold


def paired_bootstrap(a: Sequence[float], b: Sequence[float], samples: int = 1000) -> float:
    """Share of bootstrap resamples of articles in which mean(a) <= mean(b)."""
    rng = random.Random(SEED)
    n = len(a)
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    losses = 0
    for _ in range(samples):
        if sum(diffs[rng.randrange(n)] for _ in range(n)) <= 0:
            losses += 1
    return losses / samples


def per_fold(ours: Sequence[float], base: Sequence[float], fold: Sequence[int]) -> list[float]:
    """Mean difference (x 100) on each held-out fold."""
    return [
        100 * statistics.fmean(a - b for a, b, g in zip(ours, base, fold, strict=True) if g == f)
        for f in sorted(set(fold))
    ]


def evaluate_sizes(
    rows: Sequence[dict[str, Any]],
    fold: Sequence[int],
    models: Sequence[Summarizer],
    documents: Sequence[Document],
    sizes: Sequence[int],
    layout: str,
) -> None:
    """For each summary length n: ours (as printed, and whole sentences) against LEAD-n."""
    print(
        f"\nPer summary length, end to end, paragraphs laid out {layout} "
        "(ours = Summary.trimmed, as printed)"
    )
    print(
        f"{'n':>2} {'system':<14} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8}"
        f"   ROUGE-1 - LEAD-n: mean ± sd over folds [per held-out fold]"
    )
    for n in sizes:
        systems = {name: Scores([], [], []) for name in ("ours", "ours untrimmed", f"LEAD-{n}")}
        for row, document, f in zip(rows, documents, fold, strict=True):
            summary = models[f](document, sentences=n)
            reference = row["summary_text"]
            systems["ours"].add([s.text for s in summary.trimmed], reference)
            systems["ours untrimmed"].add([s.text for s in summary.picks], reference)
            systems[f"LEAD-{n}"].add(lead(document, n), reference)
        base = systems[f"LEAD-{n}"].r1
        for name, scores in systems.items():
            r1, r2, rl = scores.mean()
            line = f"{n:>2} {name:<14} {r1:8.2f} {r2:8.2f} {rl:8.2f}"
            if name != f"LEAD-{n}":
                folds = per_fold(scores.r1, base, fold)
                spread = statistics.stdev(folds) if len(folds) > 1 else 0.0
                line += (
                    f"   {statistics.fmean(folds):+.2f} ± {spread:.2f} "
                    f"[{' '.join(f'{d:+.2f}' for d in folds)}]"
                )
            print(line)


def evaluate(
    rows: Sequence[dict[str, Any]],
    fold: Sequence[int],
    models: Sequence[Summarizer],
    make_document: Callable[[dict[str, Any]], Document],
    k: int,
    oracle: Callable[[dict[str, Any], Document], list[str]],
) -> dict[str, Scores]:
    systems: dict[str, Scores] = {
        name: Scores([], [], [])
        for name in (
            "ours",
            "ours trimmed",
            "LEAD-2",
            f"LEAD-{k}",
            f"LEAD-{k} clean",
            "TextRank",
            "oracle",
        )
    }
    for row, f in zip(rows, fold, strict=True):
        document = make_document(row)
        reference = row["summary_text"]
        summary = models[f](document, sentences=k)
        systems["ours"].add([s.text for s in summary.picks], reference)
        systems["ours trimmed"].add([s.text for s in summary.trimmed], reference)
        systems["LEAD-2"].add(lead(document, 2), reference)
        systems[f"LEAD-{k}"].add(lead(document, k), reference)
        systems[f"LEAD-{k} clean"].add(lead_clean(document, k), reference)
        systems["TextRank"].add(textrank(document, k), reference)
        systems["oracle"].add(oracle(row, document), reference)
    return systems


def print_table(title: str, systems: dict[str, Scores], fold: Sequence[int], k: int) -> None:
    print(f"\n{title}")
    print(f"{'system':<14} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8}")
    for name, scores in systems.items():
        r1, r2, rl = scores.mean()
        print(f"{name:<14} {r1:8.2f} {r2:8.2f} {rl:8.2f}")
    lead3 = systems[f"LEAD-{k}"]
    for name in ("ours", "ours trimmed"):
        ours = systems[name]
        delta = statistics.fmean(ours.r1) - statistics.fmean(lead3.r1)
        worse = paired_bootstrap(ours.r1, lead3.r1)
        folds = per_fold(ours.r1, lead3.r1, fold)
        print(
            f"{name} - LEAD-{k}: ROUGE-1 {100 * delta:+.2f} "
            f"(paired bootstrap over articles: <= LEAD-{k} in {100 * worse:.1f}% of resamples; "
            f"per held-out fold: {' '.join(f'{d:+.2f}' for d in folds)}; "
            f"sd {statistics.stdev(folds) if len(folds) > 1 else 0.0:.2f})"
        )


def timing(
    models: Sequence[Summarizer], documents: Sequence[Document], fold: Sequence[int]
) -> None:
    """Wall time of one 3-sentence summary per article (features, scoring and selection)."""
    times = []
    for document, f in zip(documents, fold, strict=True):
        start = time.perf_counter()
        models[f](document, sentences=3)
        times.append(1000 * (time.perf_counter() - start))
    times.sort()
    longest = max(range(len(documents)), key=lambda i: len(documents[i].sentences))
    print(
        f"\nSummariser time per article (ms, 3 sentences, weights loaded): median "
        f"{statistics.median(times):.1f}, 95th percentile {times[int(0.95 * len(times))]:.1f}, "
        f"max {times[-1]:.1f} (longest article: {len(documents[longest].sentences)} sentences)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="IndoSum jsonl")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    parser.add_argument("--sentences", type=int, default=3, help="sentences per summary")
    parser.add_argument("--sizes", default="1,2,3", help="summary lengths for the LEAD-n table")
    parser.add_argument("--limit", type=int, default=None, help="first N articles by id")
    parser.add_argument(
        "--trees", type=int, default=train_summarizer.TREES, help="boosting rounds (0: linear)"
    )
    parser.add_argument("--gold", action="store_true", help="also score on the gold split")
    parser.add_argument(
        "--layouts",
        default="blank-lines,flat",
        help=f"how the running text separates paragraphs, comma-separated: the per-length table "
        f"for each, the full table for the first ({', '.join(sorted(LAYOUTS))}; the data's "
        f"own is blank-lines)",
    )
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.sizes.split(",") if n.strip()]
    layouts = [name.strip() for name in args.layouts.split(",") if name.strip()]
    unknown = [name for name in layouts if name not in LAYOUTS]
    if unknown or not layouts:
        parser.error(f"--layouts: unknown {unknown}; choose from {sorted(LAYOUTS)}")

    started = time.perf_counter()
    rows = train_summarizer.load_rows(args.data, args.limit)
    fold = folds_of(rows, args.folds)
    # Only the models the requested lengths use (n above the longest model uses that one).
    longest = max(train_summarizer.SIZES)
    needed = sorted({min(n, longest) for n in [*sizes, args.sentences]})
    examples = [train_summarizer.article_examples(row, needed) for row in rows]
    flat = [train_summarizer.flat_article(row, needed) for row in rows]
    outlets = train_summarizer.row_outlets(rows)
    models = []
    for f in range(args.folds):
        training = [e for e, g in zip(examples, fold, strict=True) if g != f]
        weights = train_summarizer.fit(
            {size: [e[size] for e in training] for size in needed},
            [a for a, g in zip(flat, fold, strict=True) if g != f],
            trees=args.trees,
            outlets=[o for o, g in zip(outlets, fold, strict=True) if g != f],
        )
        models.append(Summarizer(weights))
    print(
        f"IndoSum {args.data.name}: {len(rows)} articles, {args.folds}-fold cross-validation "
        f"(train on {args.folds - 1} folds, score the held-out fold); "
        f"ROUGE F1 x 100, IndoSum normalisation"
    )
    for layout in reversed(layouts):  # the first layout last: its documents are kept
        documents = [segment(LAYOUTS[layout](row)) for row in rows]
        evaluate_sizes(rows, fold, models, documents, sizes, layout)
        timing(models, documents, fold)
    index = {id(row): i for i, row in enumerate(rows)}
    end_to_end = evaluate(
        rows,
        fold,
        models,
        lambda row: documents[index[id(row)]],
        args.sentences,
        lambda row, document: greedy_oracle(document, row["summary_text"]),
    )
    print_table(
        f"End to end, {args.sentences} sentences, paragraphs laid out {layouts[0]}: "
        "text -> translate_cli.segment -> summariser",
        end_to_end,
        fold,
        args.sentences,
    )
    if args.gold:
        gold = evaluate(
            rows,
            fold,
            models,
            train_summarizer.gold_document,
            args.sentences,
            lambda row, document: gold_oracle(row),
        )
        title = "Gold sentence split (IndoSum's own); oracle = IndoSum labels"
        print_table(title, gold, fold, args.sentences)
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
