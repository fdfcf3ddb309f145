"""Start-up: a one-sentence ``translate`` against a bare CTranslate2 load-and-translate of the
same sentence, each in a fresh Python process, and ``translate-cli --help``.

The floor is what any CTranslate2 program pays: Python, ``import ctranslate2`` and
sentencepiece, loading the converted model, encoding, one beam search, decoding. The two run
alternately (paired runs), and the medians and their ratio are printed; ``--help`` is timed
beside a bare ``python -c pass``. The model is the random-weight opus-mt-id-en copy that
``benchmarks/speed.py`` builds; both decode the sentence to the same cap (``</s>`` is
unreachable), with the same conversion (int8), beam 4 and thread defaults of each. ``translate``
runs with ``--no-memory`` (a repeat would be answered from the translation memory), ``--no-guard``
and ``--no-keep-names`` (random weights loop and lose names: the guard would decode again,
which a real model does not need; see benchmarks/guard.py for its cost).

``--profile`` adds where a ``translate`` call's time goes (cProfile in a child process, and
``python -X importtime`` for the imports).

    .venv/bin/python benchmarks/startup.py                # 10 pairs
    .venv/bin/python benchmarks/startup.py --repeat 20 --profile
"""

from __future__ import annotations

import argparse
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's translate_cli, not an installed one
CACHE = ROOT / "benchmarks" / ".cache"
MODEL = CACHE / "opus-mt-id-en-random"
SENTENCE = "Presiden meresmikan jalan tol sepanjang 40 kilometer pada hari Rabu (17/5)."

# The floor: what a minimal CTranslate2 program does with the same sentence.
BARE = """
import sys
import ctranslate2
import sentencepiece

model, conversion, cap, text = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
pieces = sentencepiece.SentencePieceProcessor(model_file=model + "/source.spm")
translator = ctranslate2.Translator(conversion, device="cpu", compute_type="int8")
tokens = pieces.encode(text, out_type=str) + ["</s>"]
result = translator.translate_batch([tokens], beam_size=4, max_decoding_length=cap - 1)
print(pieces.decode(result[0].hypotheses[0]))
"""


def environment() -> dict[str, str]:
    env = {**os.environ, "TRANSLATE_CLI_CACHE_DIR": str(CACHE / "translate-cli")}
    env["HF_HUB_OFFLINE"] = "1"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def ours(article: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "translate_cli",
        "translate",
        str(article),
        "--model",
        str(MODEL),
        "--no-memory",
        "--no-guard",
        "--no-keep-names",
        "--quiet",
    ]


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall


def paired(commands: dict[str, list[str]], env: dict[str, str], repeat: int) -> dict[str, float]:
    for command in commands.values():  # warm the page cache
        timed(command, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(timed(command, env))
    return {name: statistics.median(runs) for name, runs in times.items()}


def profile(article: Path, env: dict[str, str]) -> None:
    """Where one ``translate`` call's time goes."""
    with tempfile.TemporaryDirectory() as temp:
        stats_file = Path(temp) / "translate.prof"
        command = ours(article)
        command[1:3] = ["-m", "cProfile", "-o", str(stats_file), "-m", "translate_cli"]
        total = timed(command, env)
        stats = pstats.Stats(str(stats_file))
    cumulative: dict[str, float] = {}
    for (path, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        key = f"{Path(path).name}:{function}"
        cumulative[key] = max(cumulative.get(key, 0.0), row[3])
    steps = [
        ("imports (all modules)", "<frozen importlib._bootstrap>:_find_and_load"),
        ("settings", "pipeline.py:resolve_settings"),
        ("model resolution", "hub.py:resolve_model"),
        ("conversion checks", "conversions.py:cached_model"),
        ("tokenizer (codec)", "marian.py:load_codec"),
        ("model load", "ctranslate2.py:_load"),
        ("decode", "ctranslate2.py:generate_scored_batches"),
    ]
    print(f"# one translate call under cProfile: {total:.3f} s (profiling adds overhead)")
    for label, key in steps:
        print(f"  {label:<24} {cumulative.get(key, float('nan')):7.3f} s")
    importtime = subprocess.run(
        [sys.executable, "-X", "importtime", *ours(article)[1:]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    ).stderr
    top: dict[str, int] = {}
    for line in importtime.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            _, cumulative_us, name = line.split("|")
            if cumulative_us.strip().isdigit() and not name[1:].startswith(" "):  # top level
                top[name.strip()] = int(cumulative_us)
    heaviest = sorted(top.items(), key=lambda item: item[1], reverse=True)[:8]
    print("# heaviest top-level imports (python -X importtime, with their own imports):")
    for name, micros in heaviest:
        print(f"  {name:<32} {micros / 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="paired runs (median)")
    parser.add_argument("--profile", action="store_true", help="where translate's time goes")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    env = environment()
    speed = str(ROOT / "benchmarks" / "speed.py")
    subprocess.run([sys.executable, speed, "_prepare", str(args.data)], check=True, env=env)
    os.environ.update(env)
    from translate_cli.engines.seq2seq import output_cap
    from translate_cli.models.conversions import cached_model
    from translate_cli.models.marian_codec import MarianCodec

    conversion = cached_model(MODEL, "int8")  # converted once, before any timing
    cap = output_cap(len(MarianCodec(MODEL).encode(SENTENCE)), 512)
    article = CACHE / "article-one.txt"
    article.write_text(SENTENCE + "\n", encoding="utf-8")
    bare = [sys.executable, "-c", BARE, str(MODEL), str(conversion), str(cap), SENTENCE]
    help_command = [sys.executable, "-m", "translate_cli", "--help"]
    nothing = [sys.executable, "-c", "pass"]
    print(f"# {platform.machine()}, {os.cpu_count()} CPUs, median of {args.repeat} pairs")
    medians = paired({"bare": bare, "ours": ours(article)}, env, args.repeat)
    print(f"# load {os.getloadavg()[0]:.2f}")
    print(f"bare CTranslate2 load-and-translate   {medians['bare']:7.3f} s")
    print(f"translate-cli translate, one sentence {medians['ours']:7.3f} s")
    print(f"ratio (translate-cli / bare)          {medians['ours'] / medians['bare']:7.3f}")
    medians = paired({"python": nothing, "help": help_command}, env, args.repeat)
    print(f"python -c pass                        {medians['python']:7.3f} s")
    print(f"translate-cli --help                  {medians['help']:7.3f} s")
    if args.profile:
        profile(article, env)


if __name__ == "__main__":
    main()
