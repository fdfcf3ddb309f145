"""Language identification: how well py3langid tells Indonesian from its neighbours, and what
it adds to a ``translate`` run.

    .venv/bin/python benchmarks/language.py                 # accuracy + overhead, 5 pairs
    .venv/bin/python benchmarks/language.py --repeat 9 --lingua   # lingua for comparison

Accuracy: a few hand-written Indonesian, English, Malay and Javanese sentences, each decided
as ``segment/language.py`` decides a sentence (its own language only with enough evidence).
Overhead: whole ``translate-cli translate`` processes on the 40-sentence article of
``benchmarks/speed.py`` (run that first: it builds the random-weight opus-mt-id-en model and
its CTranslate2 conversion in benchmarks/.cache/), alternately with identification and with it
replaced by a stub that answers "Indonesian", ``--no-memory --no-guard`` as speed.py runs it;
the medians are compared.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's translate_cli, not an installed one
CACHE = ROOT / "benchmarks" / ".cache"

SAMPLES = [
    ("id", "Pemerintah Kota Malang akan membangun taman baru tahun depan."),
    ("id", "Walikota mengatakan bahwa program ini sangat penting bagi warga."),
    ("id", "Dana sebesar Rp 2,5 miliar sudah disiapkan untuk proyek itu."),
    ("id", "Program ini merupakan pilot project untuk smart city di Malang."),
    ("id", "Kami telah menyiapkan anggaran untuk pembangunan jalan."),
    ("en", "This is a pilot project for the smart city program."),
    ("en", "We want Malang to become a smart city."),
    ("en", "The mayor said the program was very important for residents."),
    ("en", '"We are committed to making this city a smart city," he said.'),
    ("ms", "Kerajaan negeri akan membina taman baharu pada tahun hadapan."),
    ("ms", "Menteri berkata projek itu akan siap dalam tempoh dua tahun."),
    ("jv", "Aku arep lunga menyang pasar karo ibuku sesuk esuk."),
    ("jv", "Wong-wong padha teka ing omahe pak lurah wingi sore."),
]

# The run without identification: every sentence and the document read as Indonesian.
STUB = """
import sys
from translate_cli.segment import language
language.prefetch = lambda: None
language.identify = lambda texts: language.Languages("id", tuple("id" for _ in texts))
from translate_cli.cli import main
sys.argv[0] = "translate-cli"
main()
"""


def accuracy(lingua: bool) -> None:
    from translate_cli.segment import language

    started = time.perf_counter()
    language.identify(["warm up"])  # loads the model
    load = time.perf_counter() - started
    texts = [text for _, text in SAMPLES]
    started = time.perf_counter()
    for _ in range(20):
        found = language.identify(texts)
    per_sentence = (time.perf_counter() - started) / 20 / len(texts)
    right = 0
    for (expected, text), code in zip(SAMPLES, found.sentences, strict=True):
        right += code == expected
        print(f"  {expected} → {code:2}  {text}")
    print(
        f"py3langid: {right}/{len(SAMPLES)} right (short or unsure sentences take the document's "
        f"language); load {load:.2f} s, {per_sentence * 1000:.3f} ms a sentence"
    )
    if lingua:
        _lingua(texts)


def _lingua(texts: list[str]) -> None:
    from lingua import Language, LanguageDetectorBuilder

    started = time.perf_counter()
    detector = LanguageDetectorBuilder.from_languages(
        Language.INDONESIAN, Language.MALAY, Language.ENGLISH
    ).build()
    detector.detect_language_of("warm up")
    load = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(20):
        found = [detector.detect_language_of(text) for text in texts]
    per_sentence = (time.perf_counter() - started) / 20 / len(texts)
    print("lingua (no Javanese model):", [f"{f.iso_code_639_1.name.lower()}" for f in found if f])
    print(f"lingua: load {load:.2f} s, {per_sentence * 1000:.3f} ms a sentence")


def overhead(repeat: int) -> None:
    article = CACHE / "article-40.txt"
    model = CACHE / "opus-mt-id-en-random"
    if not article.exists() or not model.exists():
        sys.exit("run benchmarks/speed.py once first (it builds the model and the article)")
    # As benchmarks/speed.py times translate-cli: no memory, no guard (the random model loops).
    args = ["translate", str(article), "--model", str(model), "--no-memory", "--no-guard"]
    args += ["--quiet"]
    args += ["--format", "jsonl"]
    env = {**os.environ, "TRANSLATE_CLI_CACHE_DIR": str(CACHE / "translate-cli")}
    env |= {"HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    commands = {
        "with identification": [sys.executable, "-m", "translate_cli", *args],
        "without (stub)": [sys.executable, "-c", STUB, *args],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # once each, untimed: the page cache
        subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
    for _ in range(repeat):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"  {name:22} median {value:.3f} s  ({', '.join(f'{t:.2f}' for t in times[name])})")
    base = medians["without (stub)"]
    added = medians["with identification"] - base
    print(f"identification adds {added:+.3f} s = {added / base:+.1%} to a 40-sentence translate")
    print(
        f"host: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--lingua", action="store_true", help="also time lingua (if installed)")
    parser.add_argument("--skip-overhead", action="store_true")
    options = parser.parse_args()
    accuracy(options.lingua)
    if not options.skip_overhead:
        overhead(options.repeat)


if __name__ == "__main__":
    main()
