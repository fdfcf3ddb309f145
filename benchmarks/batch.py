"""Archive throughput: documents/s for `translate --input-format jsonl`, `batch --executor local`
and `batch --executor ray`, and the translation memory's speed-up on a rerun.

Every run is its own process, timed from start to exit (imports, model load, Ray start-up
included). The model is speed.py's random-weight copy of opus-mt-id-en's exact architecture
with ``</s>`` unreachable, so every sentence decodes to its length cap: the same work whatever
the weights. Each output is checked against the `--input-format jsonl` records, byte for byte.

    .venv/bin/python benchmarks/batch.py                      # 24 documents of 3 sentences
    .venv/bin/python benchmarks/batch.py --documents 60 --skip-ray
    .venv/bin/python benchmarks/batch.py --model DIR           # an already built model folder

Documents are consecutive lines of ``--data``/parallel/geovedi-test.id, ``--sentences`` to a
document, with ids ``doc-N``. The one-time CTranslate2 conversion runs before any timing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
SPEED = ROOT / "benchmarks" / "speed.py"
SOURCE = "parallel/geovedi-test.id"


def documents(data: Path, count: int, sentences: int) -> list[dict[str, str]]:
    lines = [
        line.strip()
        for line in (data / SOURCE).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    need = count * sentences
    if len(lines) < need:
        sys.exit(f"{SOURCE} has {len(lines)} lines; {need} needed")
    return [
        {"id": f"doc-{n}", "text": " ".join(lines[n * sentences : (n + 1) * sentences])}
        for n in range(count)
    ]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.monotonic()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr}")
    return wall, done.stdout


def shard_lines(folder: Path) -> list[str]:
    lines: list[str] = []
    for path in sorted(folder.glob("part-*.jsonl")):
        if not path.name.endswith(".errors.jsonl"):
            lines += path.read_text(encoding="utf-8").splitlines()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=24)
    parser.add_argument("--sentences", type=int, default=3, help="sentences a document")
    parser.add_argument("--workers", type=int, default=2, help="Ray actors (1 CPU each)")
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--model", type=Path, default=CACHE / "opus-mt-id-en-random")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()

    if not (args.model / "config.json").is_file():
        subprocess.run([sys.executable, str(SPEED), "_prepare", str(args.data)], check=True)
    work = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    records = documents(args.data, args.documents, args.sentences)
    inputs = work / "docs.jsonl"
    inputs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TRANSLATE_CLI_CACHE_DIR": str(work / "cache"),
        "HF_HUB_OFFLINE": "1",
    }
    cli = [sys.executable, "-m", "translate_cli"]
    model = ["--model", str(args.model)]
    warm = work / "one.jsonl"
    warm.write_text(json.dumps(records[0]) + "\n")
    timed([*cli, "translate", "--input-format", "jsonl", str(warm), *model, "--no-memory"], env)

    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"# {args.documents} documents x {args.sentences} sentences, model {args.model.name}")
    jsonl = [*cli, "translate", "--input-format", "jsonl", str(inputs), *model]
    rows: list[tuple[str, float, bool]] = []
    wall, reference = timed([*jsonl, "--no-memory"], env)
    expected = sorted(reference.splitlines())
    rows.append(("translate --input-format jsonl --no-memory", wall, True))

    batch_base = [*cli, "batch", str(inputs), *model, "--shard-size", "4"]
    batch = [*batch_base, "--no-memory"]
    wall, _ = timed([*batch, "-o", str(work / "local")], env)
    rows.append(
        (
            "batch --executor local --no-memory",
            wall,
            sorted(shard_lines(work / "local")) == expected,
        )
    )
    if not args.skip_ray:
        ray = ["--executor", "ray", "--workers", str(args.workers), "--num-cpus", "1"]
        wall, _ = timed([*batch, "-o", str(work / "ray"), *ray], env)
        rows.append(
            (
                f"batch --executor ray --workers {args.workers} --no-memory",
                wall,
                sorted(shard_lines(work / "ray")) == expected,
            )
        )

    memory = ["--memory", str(work / "memory.sqlite3")]
    cold, first = timed([*jsonl, *memory], env)
    rows.append(
        (
            "translate --input-format jsonl, memory empty",
            cold,
            sorted(first.splitlines()) == expected,
        )
    )
    warm_wall, again = timed([*jsonl, *memory], env)
    rows.append(("translate --input-format jsonl, memory rerun", warm_wall, again == first))
    wall, _ = timed([*batch_base, *memory, "-o", str(work / "mem")], env)
    rows.append(
        (
            "batch --executor local, memory rerun",
            wall,
            sorted(shard_lines(work / "mem")) == expected,
        )
    )

    print("| run | wall s | docs/s | same records as --input-format jsonl |")
    print("|---|---|---|---|")
    for name, seconds, same in rows:
        rate = args.documents / seconds
        print(f"| {name} | {seconds:.2f} | {rate:.2f} | {'yes' if same else 'NO'} |")
    print(f"memory speed-up on a rerun (whole process): {cold / warm_wall:.1f}x")
    if not all(same for _, _, same in rows):
        sys.exit("some output differed")


if __name__ == "__main__":
    main()
