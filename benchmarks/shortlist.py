"""Decoding speed with and without a vocabulary shortlist (``--shortlist``, CTranslate2's
vocabulary map), on the full-size opus-mt-id-en shape.

One process, two loaded CTranslate2 engines on the same conversion (int8, beam 4, guard off:
this model's outputs all loop), one with the shortlist; the same article translated by each in
alternation (paired runs, medians), timed from the first sentence in to the last one out. The
model is the random-weight copy ``benchmarks/speed.py`` builds (``</s>`` unreachable: every
sentence decodes to its cap, so both do the same number of steps; the run checks that the
output token counts agree). The shortlist is built with ``translate-cli models shortlist``'s
code from parallel text that does not hold the article (FLORES dev/devtest, guntara news),
and its size per batch is printed. Random weights say nothing about quality: only speed.

    .venv/bin/python benchmarks/shortlist.py                 # 40 sentences, 5 pairs
    .venv/bin/python benchmarks/shortlist.py --sentences 90 --repeat 9
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's translate_cli, not an installed one
sys.path.insert(0, str(ROOT / "benchmarks"))
from speed import article_lines, drained, paired_times  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache"
MODEL = CACHE / "opus-mt-id-en-random"
PARALLEL = ("flores200.dev.id", "flores200.devtest.id", "guntara-news-test.id")


def output_tokens(engine: Any, lines: list[str]) -> int:
    """Target tokens of every output, as CTranslate2 returned them (cut to each cap)."""
    from translate_cli.engines.seq2seq import output_cap

    caps = [output_cap(n, engine.max_output_tokens) for n in engine.count_tokens(lines)]
    return sum(len(tokens) for tokens in engine.generate_tokens(lines, caps))


def build_shortlist(data: Path, per_source: int | None = None, frequent: int | None = None) -> Any:
    """Build ``MODEL``'s shortlist from the parallel sets in ``data`` and store it where
    ``--shortlist`` reads it (as ``translate-cli models shortlist`` does); print what it holds."""
    from translate_cli.models import shortlist

    sizes = {"per_source": per_source, "frequent": frequent}
    pairs = shortlist.read_parallel([data / "parallel" / name for name in PARALLEL])
    start = time.perf_counter()
    built = shortlist.build(MODEL, pairs, **{k: v for k, v in sizes.items() if v is not None})
    path = shortlist.save(MODEL, built)
    print(
        f"# shortlist: {built.pairs} pairs, {len(built.by_source)} source tokens, "
        f"{len(built.always)} always allowed, built in {time.perf_counter() - start:.1f} s, "
        f"{path.stat().st_size >> 10} KiB"
    )
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5, help="paired runs (median)")
    parser.add_argument("--per-source", type=int, default=None)
    parser.add_argument("--frequent", type=int, default=None)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    os.environ["TRANSLATE_CLI_CACHE_DIR"] = str(CACHE / "translate-cli")
    speed = str(ROOT / "benchmarks" / "speed.py")
    subprocess.run([sys.executable, speed, "_prepare", str(args.data)], check=True)
    from translate_cli.engines.ctranslate2 import CTranslate2Engine
    from translate_cli.engines.seq2seq import EngineOptions

    built = build_shortlist(args.data, args.per_source, args.frequent)
    lines = article_lines(args.data, args.sentences)
    engines = {
        "full vocabulary": CTranslate2Engine(MODEL, EngineOptions(guard=False)),
        "--shortlist": CTranslate2Engine(MODEL, EngineOptions(guard=False, shortlist=True)),
    }
    listed = engines["--shortlist"]
    batches = list(listed._batches(lines, listed.count_tokens(lines)))
    allowed = [len(built.allowed(t for i in b for t in listed._tokens(lines[i]))) for b in batches]
    vocabulary = 54_796
    print(
        f"# {len(batches)} batches; allowed target tokens a batch: median "
        f"{statistics.median(allowed):.0f} of {vocabulary} (max {max(allowed)})"
    )
    counts = {name: output_tokens(engine, lines) for name, engine in engines.items()}
    print(f"# output tokens: {counts}")
    times = paired_times(
        {name: drained(engine.translate, lines) for name, engine in engines.items()}, args.repeat
    )
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    print(f"# {machine}; {len(lines)} sentences, int8, beam 4, median of {args.repeat} pairs")
    base = statistics.median(times["full vocabulary"])
    for name, runs in times.items():
        wall = statistics.median(runs)
        print(
            f"{name:<16} {wall:7.3f} s  {len(lines) / wall:6.2f} sent/s  "
            f"{counts[name] / wall:7.1f} tokens/s  {base / wall:5.2f}x"
        )
    for engine in engines.values():
        engine.close()


if __name__ == "__main__":
    main()
