"""Summary quality on IndoSum: ours vs LEAD-n, TextRank and the oracle, on unseen articles.

Usage, from the repository root::

    .venv/bin/python benchmarks/summary.py [--data ../shared/data/summarization/indosum-dev.jsonl]
        [--protocol fixed-split|looo|folds] [--part all|training] [--folds 5]
        [--sizes 1,2,3] [--sentences 3] [--limit N] [--gold] [--no-full-table]
        [--trees 500] [--break-trees 300] [--layouts blank-lines,flat]

Protocols (``--protocol``)
    Each trains the summariser (``tools/train_summarizer.py``'s ``fit``) once per group on
    every article outside the group and scores the group with it, so no article is ever
    summarised by weights that saw it.

    fixed-split  (the default) the held-out split fixed before any tuning (issue 28): an
                 article is held out when sha256 of its id is 0 mod 5
                 (``train_summarizer.held_out``; 428 of the 2,146 dev articles, every outlet
                 in it). Train on the rest, score the held-out part once. Never tune on it.
    looo         leave one outlet out: for each of the ten outlets (``source``), train on the
                 other nine and score it; the gain is article-weighted over all outlets, and
                 printed per outlet. Our users read outlets no training set has.
    folds        cross-validation: articles sorted by id, shuffled with a fixed seed and
                 dealt into ``--folds`` folds. The settings were tuned on these folds in the
                 past, so their figures are optimistic.

    ``--part training`` runs looo or folds on the fixed split's training part only: the way to
    tune without looking at the held-out part. First, for each summary length n in
    ``--sizes`` (1, 2, 3), ours against LEAD-n: ROUGE-1/2/L and the ROUGE-1 difference over the
    scored articles, with its per-group values. Then the full table for ``--sentences`` (3),
    where the oracle picks as many as IndoSum's labels say (``--no-full-table`` skips it).
    ``--break-trees 0`` trains no models for text without paragraph breaks (faster; the
    ``blank-lines`` layout does not use them).

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
    ours          ``Summarizer`` with the group's weights: ``Summary.picks``, the document's
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
from translate_cli.summarize.extractive import Summarizer, model_size  # noqa: E402
from translate_cli.summarize.prepare import prepare  # noqa: E402
from translate_cli.summarize.rouge import normalize, rouge, rouge_n  # noqa: E402

DEFAULT_DATA = train_summarizer.DEFAULT_DATA
SEED = 13
PROTOCOL_TEXT = {
    "fixed-split": "train on the fixed training part, score the held-out part "
    "(sha256(id) mod 5 == 0)",
    "looo": "leave one outlet out (train on the other outlets, score it)",
    "folds": "cross-validation (train on the other folds, score the fold)",
}
PROTOCOLS = tuple(PROTOCOL_TEXT)


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
        f"   ROUGE-1 - LEAD-n: mean over articles (sd over groups) [per group]"
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
                gain = 100 * statistics.fmean(a - b for a, b in zip(scores.r1, base, strict=True))
                line += f"   {gain:+.2f} (sd {spread:.2f}) [{' '.join(f'{d:+.2f}' for d in folds)}]"
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
            f"per group: {' '.join(f'{d:+.2f}' for d in folds)}; "
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


def split(
    rows: Sequence[dict[str, Any]], protocol: str, folds: int
) -> tuple[list[str], list[int | None]]:
    """The models a protocol trains (their names) and, per row, the one that scores it (None:
    a row only trained on). Each model trains on every row it does not score."""
    if protocol == "folds":
        return [f"fold {k + 1}" for k in range(folds)], list(folds_of(rows, folds))
    if protocol == "looo":
        outlets = sorted({str(row["source"]) for row in rows})
        return outlets, [outlets.index(str(row["source"])) for row in rows]
    if protocol == "fixed-split":
        return ["held out"], [0 if train_summarizer.held_out(row) else None for row in rows]
    raise ValueError(f"unknown protocol {protocol!r}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="IndoSum jsonl")
    parser.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        default="fixed-split",
        help="fixed-split: train on the training part, score the held-out part; looo: "
        "leave one outlet out (train on the others, score it), per outlet; folds: "
        "cross-validation (--folds)",
    )
    parser.add_argument(
        "--part",
        choices=train_summarizer.PARTS[:2],
        default="all",
        help="the articles looo and folds use: all, or only the fixed split's training part "
        "(for tuning without looking at the held-out part)",
    )
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    parser.add_argument("--sentences", type=int, default=3, help="sentences per summary")
    parser.add_argument("--sizes", default="1,2,3", help="summary lengths for the LEAD-n table")
    parser.add_argument("--limit", type=int, default=None, help="first N articles by id")
    parser.add_argument(
        "--trees", type=int, default=train_summarizer.TREES, help="boosting rounds (0: linear)"
    )
    parser.add_argument(
        "--break-trees",
        type=int,
        default=train_summarizer.BREAK_TREES,
        help="paragraph-break model rounds (0: no models for text without paragraph breaks)",
    )
    parser.add_argument("--gold", action="store_true", help="also score on the gold split")
    parser.add_argument(
        "--no-full-table", action="store_true", help="only the per-length tables (faster)"
    )
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
    if args.protocol == "fixed-split" and args.part != "all":
        parser.error("--part: the fixed split uses every article (it scores the held-out part)")

    started = time.perf_counter()
    all_rows = train_summarizer.part_of(
        train_summarizer.load_rows(args.data, args.limit), args.part
    )
    names, assignment = split(all_rows, args.protocol, args.folds)
    # Only the models the requested lengths use, picked as the summariser picks them.
    needed = sorted({model_size(train_summarizer.SIZES, n) for n in [*sizes, args.sentences]})
    examples = [train_summarizer.article_examples(row, needed) for row in all_rows]
    flat = (
        [train_summarizer.flat_article(row, needed) for row in all_rows] if args.break_trees else []
    )
    outlets = train_summarizer.row_outlets(all_rows)
    models = []
    for k in range(len(names)):
        trained = [g != k for g in assignment]
        weights = train_summarizer.fit(
            {
                size: [e[size] for e, t in zip(examples, trained, strict=True) if t]
                for size in needed
            },
            [a for a, t in zip(flat, trained, strict=True) if t] if flat else [],
            trees=args.trees,
            break_trees=args.break_trees,
            outlets=[o for o, t in zip(outlets, trained, strict=True) if t],
        )
        models.append(Summarizer(weights))
    rows = [row for row, g in zip(all_rows, assignment, strict=True) if g is not None]
    fold = [g for g in assignment if g is not None]
    print(
        f"IndoSum {args.data.name}: {len(all_rows)} articles ({args.part}), protocol "
        f"{args.protocol}: {PROTOCOL_TEXT[args.protocol]}; {len(rows)} articles scored; "
        f"ROUGE F1 x 100, IndoSum normalisation"
    )
    listed = (f"[{k + 1}] {name} ({fold.count(k)})" for k, name in enumerate(names))
    print(f"groups (the models, and the articles each scores): {'; '.join(listed)}")
    documents: list[Document] = []
    for layout in reversed(layouts):  # the first layout last: its documents are kept
        documents = [segment(LAYOUTS[layout](row)) for row in rows]
        evaluate_sizes(rows, fold, models, documents, sizes, layout)
        timing(models, documents, fold)
    if not args.no_full_table:
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
