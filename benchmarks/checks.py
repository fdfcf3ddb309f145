"""What the translation checks (``engines/checks.py``: numbers, echoes, names) cost next to the
``translate`` run they check.

One ``translate`` process on a 40-sentence article is timed from start to exit (imports and
model load included, as a user waits for it); then the checks are timed in this process on the
same sentences and that run's outputs, repeated for a stable median. The share printed is the
checks' time over the run's. The model is the random-weight opus-mt-id-en copy that
``benchmarks/speed.py`` builds (its cache; run that once first), ``--no-guard`` as there: a
shorter run, so a larger share than a user would see.

    .venv/bin/python benchmarks/checks.py
    .venv/bin/python benchmarks/checks.py --article examples/artikel-banjir-semarang.txt
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's translate_cli, not an installed one
CACHE = ROOT / "benchmarks" / ".cache"


def translate_run(article: Path, model: Path, cache: Path) -> tuple[float, list[dict[str, object]]]:
    """Wall seconds of one ``translate`` process, and its JSONL records."""
    env = {**os.environ, "TRANSLATE_CLI_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "translate_cli", "translate", str(article)]
    command += ["--model", str(model), "--no-memory", "--no-guard", "--quiet", "--format", "jsonl"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return wall, [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def checks_seconds(pairs: list[tuple[str, str]], names: tuple[str, ...], repeat: int) -> float:
    """Median seconds to check every sentence of the article once (names included)."""
    from translate_cli.engines import checks

    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for source, english in pairs:
            checks.findings(source, english, protected=[n for n in names if n in source])
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--article", type=Path, default=CACHE / "article-40.txt")
    parser.add_argument("--model", type=Path, default=CACHE / "opus-mt-id-en-random")
    parser.add_argument("--cache-dir", type=Path, default=CACHE / "translate-cli")
    parser.add_argument("--repeat", type=int, default=200, help="timings of the checks")
    args = parser.parse_args()
    if not args.model.is_dir():
        sys.exit(f"no model at {args.model}: run benchmarks/speed.py once to build it")
    wall, records = translate_run(args.article, args.model, args.cache_dir)
    pairs = [(str(r["source"]), str(r["translation"] or "")) for r in records]
    from translate_cli.engines.terms import protected_names

    names = protected_names(source for source, _ in pairs)
    spent = checks_seconds(pairs, names, args.repeat)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    print(f"{machine}; {len(pairs)} sentences from {args.article.name}")
    print(f"translate run (whole process):  {wall:8.3f} s")
    print(f"checks, every sentence (median):{spent * 1000:8.3f} ms")
    print(f"share of the run:               {spent / wall:8.3%}")


if __name__ == "__main__":
    main()
