"""What the translation checks (``engines/checks.py``: numbers, echoes, names) and the name
protection (``engines/terms.py``) cost next to the ``translate`` run they check.

One ``translate`` process on a 40-sentence article is timed from start to exit (imports and
model load included, as a user waits for it), ``--no-keep-names``; then the checks are timed in
this process on the same sentences and that run's outputs, repeated for a stable median. The
share printed is the checks' time over the run's. The model is the random-weight opus-mt-id-en
copy that ``benchmarks/speed.py`` builds (its cache; run that once first), ``--no-guard`` as
there: a shorter run, so a larger share than a user would see.

Name protection has two costs, measured apart because random weights cannot show the usual
one. Its bookkeeping (finding the document's names, marking them in each sentence, checking and
repairing each output) is what it costs with a model that keeps the names: timed here around
an engine that returns its input at once (so every name is kept), as a share of the run. Its
second decodes happen only for a sentence whose output lost a name; random weights lose every
name, so a second whole ``translate`` process with name protection on (the default) gives the
worst case, every sentence with a name decoded twice, as a ratio to the first.

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
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's translate_cli, not an installed one
CACHE = ROOT / "benchmarks" / ".cache"


def translate_run(
    article: Path, model: Path, cache: Path, *extra: str
) -> tuple[float, list[dict[str, object]]]:
    """Wall seconds of one ``translate`` process, and its JSONL records."""
    env = {**os.environ, "TRANSLATE_CLI_CACHE_DIR": str(cache), "HF_HUB_OFFLINE": "1"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "translate_cli", "translate", str(article)]
    command += ["--model", str(model), "--no-memory", "--no-guard", "--quiet", "--format", "jsonl"]
    command += extra
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


class _Echo:
    """An engine that answers at once with its input: every name kept, no decode time."""

    name = "echo"

    def translate(self, texts: Iterable[str], progress: object = None) -> Iterator[str]:
        return iter(texts)

    def close(self) -> None:
        pass


def protection_seconds(sources: list[str], repeat: int) -> tuple[float, int]:
    """Median seconds of the name protection's bookkeeping over the article (names found,
    marked, checked, repaired), and how many sentences carry a protected name."""
    from translate_cli.engines.base import translations
    from translate_cli.engines.terms import Glossary, TermsLayer, find_terms

    layer = TermsLayer(_Echo(), Glossary(), keep_names=True)  # type: ignore[arg-type]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        layer.use_document(sources)
        outputs = list(translations(layer, sources))
        times.append(time.perf_counter() - start)
    assert len(outputs) == len(sources) and layer.retried == 0  # the echo keeps every name
    with_names = sum(bool(find_terms(text, layer.names)) for text in sources)
    return statistics.median(times), with_names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--article", type=Path, default=CACHE / "article-40.txt")
    parser.add_argument("--model", type=Path, default=CACHE / "opus-mt-id-en-random")
    parser.add_argument("--cache-dir", type=Path, default=CACHE / "translate-cli")
    parser.add_argument("--repeat", type=int, default=200, help="timings of the checks")
    args = parser.parse_args()
    if not args.model.is_dir():
        sys.exit(f"no model at {args.model}: run benchmarks/speed.py once to build it")
    wall, records = translate_run(args.article, args.model, args.cache_dir, "--no-keep-names")
    protected_wall, protected = translate_run(args.article, args.model, args.cache_dir)
    pairs = [(str(r["source"]), str(r["translation"] or "")) for r in records]
    from translate_cli.engines.terms import protected_names

    names = protected_names(source for source, _ in pairs)
    spent = checks_seconds(pairs, names, args.repeat)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}"
    print(f"{machine}; {len(pairs)} sentences from {args.article.name}")
    print(f"translate run (whole process):  {wall:8.3f} s")
    print(f"checks, every sentence (median):{spent * 1000:8.3f} ms")
    print(f"share of the run:               {spent / wall:8.3%}")
    bookkeeping, with_names = protection_seconds([source for source, _ in pairs], args.repeat)
    changed = sum("name-changed" in (r.get("flags") or []) for r in protected)  # type: ignore[operator]
    print(f"name protection, {len(names)} names in {with_names} of {len(pairs)} sentences:")
    print(f"  bookkeeping, names kept (median):{bookkeeping * 1000:7.3f} ms")
    print(f"  share of the run:                {bookkeeping / wall:7.3%}")
    print(f"  worst case, names lost (random weights; {changed} flagged name-changed):")
    print(f"  translate run with protection:   {protected_wall:7.3f} s")
    print(f"  ratio to the run without:        {protected_wall / wall:7.3f}x")


if __name__ == "__main__":
    main()
