"""The briefing: how well the near-duplicate threshold separates one story from two, and how
fast a finished batch folder is briefed (no model is loaded).

    .venv/bin/python benchmarks/brief.py                       # ../shared/data
    .venv/bin/python benchmarks/brief.py --data DIR --articles 400 --records 1000

Threshold. Distinct stories: every pair of the first ``--articles`` IndoSum dev articles
(several outlets, one period, many on the same topics). One story at two outlets, built from
each article (no outlet pair with ground truth is in the data): a copy keeping a random
``keep`` share of its sentences, in order, plus two sentences from another article (another
outlet's own lead and closing); and, harder, the same with every fifth word of the kept
sentences dropped (light editing). Printed: the Jaccard distributions and, at the threshold,
the share of distinct pairs merged (false merges) and of copies merged (recall).

Speed. A batch folder of ``--records`` records (IndoSum dev texts as the sources, one record in
ten the story of the one before at another outlet; the translation field a copy: what is
measured is reading, clustering and rendering), briefed in this process
(``build(collect(...))``, median of 3) and by the command in a child process (imports
included), as JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from translate_cli.brief import build, collect  # noqa: E402
from translate_cli.brief.similar import THRESHOLD, jaccard, shingles  # noqa: E402


def articles(data: Path, count: int) -> list[list[str]]:
    rows = []
    with (data / "summarization" / "indosum-dev.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            rows.append([s for paragraph in record["paragraphs"] for s in paragraph])
            if len(rows) == count:
                break
    return rows


def copy(article: list[str], other: list[str], keep: float, rng: random.Random, edit: bool) -> str:
    kept = [s for s in article if rng.random() < keep] or article[:1]
    if edit:
        kept = [" ".join(w for i, w in enumerate(s.split()) if i % 5 != 4) for s in kept]
    return " ".join([other[0], *kept, other[-1]])


def quantiles(values: list[float]) -> str:
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return (
        f"min {values[0]:.3f}  p1 {pick(0.01):.3f}  p50 {pick(0.5):.3f}  "
        f"p99 {pick(0.99):.3f}  p99.9 {pick(0.999):.3f}  max {values[-1]:.3f}"
    )


def threshold_report(rows: list[list[str]], threshold: float) -> None:
    sets = [shingles(" ".join(r)) for r in rows]
    distinct = [
        jaccard(sets[i], sets[j]) for i in range(len(sets)) for j in range(i + 1, len(sets))
    ]
    false = sum(v >= threshold for v in distinct)
    print(f"distinct pairs: {len(distinct)}; {quantiles(distinct)}")
    print(f"  merged at {threshold}: {false} ({false / len(distinct):.4%})")
    rng = random.Random(7)
    for keep in (0.8, 0.6, 0.4):
        for edit in (False, True):
            scores = [
                jaccard(sets[i], shingles(copy(r, rows[(i + 1) % len(rows)], keep, rng, edit)))
                for i, r in enumerate(rows)
            ]
            recall = sum(v >= threshold for v in scores) / len(scores)
            label = f"copies keep {keep:.0%}{' + edits' if edit else ''}"
            print(f"{label:<26} {quantiles(scores)}; merged at {threshold}: {recall:.1%}")


def write_folder(folder: Path, rows: list[list[str]], records: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for n in range(records):
        sentences = rows[(n - 1 if n % 10 == 9 else n) % len(rows)]  # 1 in 10: a story again
        lines.append(
            json.dumps(
                {
                    "id": f"https://outlet{n % 7}.example/{n}",
                    "meta": {
                        "url": f"https://outlet{n % 7}.example/{n}",
                        "site": f"Outlet {n % 7}",
                        "date": f"2024-03-{1 + n % 28:02d}",
                        "title": sentences[0],
                    },
                    "sentences": [
                        {"paragraph": i, "index": i, "source": s, "translation": s}
                        for i, s in enumerate(sentences)
                    ],
                    "summary": [
                        {"index": 1, "source": s, "translation": s} for s in sentences[1:3]
                    ],
                },
                ensure_ascii=False,
            )
        )
    for start in range(0, records, 100):
        part = folder / f"part-{start // 100:05d}.jsonl"
        part.write_text("\n".join(lines[start : start + 100]) + "\n", "utf-8")
    (folder / "manifest.json").write_text('{"format": 1}\n', "utf-8")


def speed_report(rows: list[list[str]], records: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "day"
        write_folder(folder, rows, records)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            entries = build(collect([str(folder)]))
            times.append(time.perf_counter() - start)
        print(
            f"brief of {records} records ({len(entries)} entries), in process: "
            f"{statistics.median(times):.2f} s (median of 3)"
        )
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "translate_cli", "brief", str(folder), "-f", "json"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        wall = time.perf_counter() - start
        entries_out = len(json.loads(done.stdout)["entries"])
        print(
            f"`translate-cli brief DIR -f json` ({entries_out} entries), child process: "
            f"{wall:.2f} s wall"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    args = parser.parse_args()
    rows = articles(args.data, max(args.articles, args.records, 50))
    threshold_report(rows[: args.articles], args.threshold)
    speed_report(rows, args.records)


if __name__ == "__main__":
    main()
