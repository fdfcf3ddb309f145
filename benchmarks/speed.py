"""Whole-process translation speed: ours against the usual ways of running the same model.

Every contender is its own process, timed from start to exit (imports and model load included)
with its peak RSS from ``wait4``. The model is a random-weight copy of opus-mt-id-en's exact
architecture in OPUS-MT layout with ``</s>`` unreachable, so every contender decodes every
sentence to the same cap, ``output_cap(source tokens)``: the same work, whatever the weights.
One-time work (building the model, converting it to CTranslate2) happens before any timing.

    .venv/bin/python benchmarks/speed.py                  # 40 sentences, every contender
    .venv/bin/python benchmarks/speed.py --skip-naive --repeat 3
    .venv/bin/python benchmarks/speed.py --steps          # what each speed-up bought
    .venv/bin/python benchmarks/speed.py --memory         # peak RSS, 40 vs 2,000 sentences
    .venv/bin/python benchmarks/speed.py --families --sentences 10   # MarianMT, NLLB, M2M100
    .venv/bin/python benchmarks/speed.py --evidence --repeat 5   # cost of scores, flags, guard

The model and conversions live in benchmarks/.cache/ (about 400 MB; not in git). The article
is the first ``--sentences`` lines of ``--data``/parallel/geovedi-test.id that our segmenter
keeps whole, one a paragraph. Timings
on a shared machine are noisy: the load average is printed with every table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's translate_cli, not an installed one
CACHE = ROOT / "benchmarks" / ".cache"
MODEL = CACHE / "opus-mt-id-en-random"
ARGOS_MODEL = CACHE / "argos-ct2-int8"
OUR_CACHE = CACHE / "translate-cli"  # TRANSLATE_CLI_CACHE_DIR for our runs
ARTICLE_SOURCE = "parallel/geovedi-test.id"
SPM_TRAINING = ("parallel/geovedi-test.id", "parallel/guntara-news-test.id")
SPM_VOCAB = 16000  # real OPUS-MT pieces are longer than a small test vocabulary's
JSONL = ("--format", "jsonl")
FIRST_TRAINING_LINE = 3000  # sentences before this line are benchmark input, never training


# --- contenders, each run as `speed.py _run NAME ARTICLE` in its own process ---------------------
def run_naive(lines: list[str]) -> None:
    """One generate() a sentence with the checkpoint's defaults and 6 beams: the obvious loop."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    from translate_cli.engines.seq2seq import output_cap

    tokenizer = MarianTokenizer.from_pretrained(str(MODEL))
    model = MarianMTModel.from_pretrained(str(MODEL)).eval()
    for line in lines:
        batch = tokenizer([line], return_tensors="pt")
        cap = output_cap(batch["input_ids"].shape[1], 512)
        with torch.inference_mode():
            out = model.generate(**batch, num_beams=6, max_length=cap + 1)
        print(tokenizer.decode(out[0], skip_special_tokens=True), flush=True)


def run_transformers(lines: list[str]) -> None:
    """Our transformers engine: sorted, token-bounded batches of 32, beam 4."""
    from translate_cli.config import Settings
    from translate_cli.engines import open_translator

    # No memory (a repeat would be answered from it) and no guard (every output of this model
    # runs to its cap, which the guard would decode again): the same work as the others.
    settings = Settings(model=str(MODEL), engine="transformers", no_memory=True, guard=False)
    translator = open_translator(settings)
    for text in translator.translate(lines):
        print(text, flush=True)


def run_argos(lines: list[str]) -> None:
    """What Argos Translate does: sentencepiece, CTranslate2 int8 converted beforehand,
    beam 4, ``max_batch_size=32`` (CTranslate2 sorts longest first and cuts chunks of 32),
    its length penalty 0.2 and replace_unknowns. One max_decoding_length per call, so each
    chunk runs to its longest cap and every row is cut to its own: the same output lengths."""
    import ctranslate2
    import sentencepiece as spm

    from translate_cli.engines.seq2seq import output_cap

    processor = spm.SentencePieceProcessor(model_file=str(MODEL / "source.spm"))
    translator = ctranslate2.Translator(str(ARGOS_MODEL), device="cpu", compute_type="auto")
    sources = [[*processor.encode(line, out_type=str), "</s>"] for line in lines]
    caps = [output_cap(len(tokens), 512) - 1 for tokens in sources]
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]), reverse=True)
    outputs: dict[int, str] = {}
    for start in range(0, len(order), 32):
        chunk = order[start : start + 32]
        results = translator.translate_batch(
            [sources[i] for i in chunk],
            beam_size=4,
            num_hypotheses=1,
            length_penalty=0.2,
            replace_unknowns=True,
            return_scores=True,
            max_decoding_length=max(caps[i] for i in chunk),
        )
        for i, result in zip(chunk, results, strict=True):
            outputs[i] = processor.decode(result.hypotheses[0][: caps[i]])
    for i in range(len(lines)):
        print(outputs[i], flush=True)


def run_ours_script(lines: list[str], variant: str = "default") -> None:
    """Our engine through the library (used for --steps, and before the CLI existed)."""
    from translate_cli.engines import ctranslate2 as ct2_engine
    from translate_cli.engines.seq2seq import EngineOptions, Seq2SeqEngine
    from translate_cli.models.marian_codec import TokenizerCodec

    options = EngineOptions(guard=False)  # every step does the same work (see run_transformers)
    if variant in ("tokenizer", "codec", "plan1"):
        ct2_engine._CPU_WORKERS = 1  # one worker, OpenMP over the cores
    if variant in ("tokenizer", "codec", "workers"):  # Argos-style batches: sorted chunks of 32
        ct2_engine.CTranslate2Engine._batches = Seq2SeqEngine._batches  # type: ignore[method-assign]
        options = EngineOptions(max_batch_tokens=1 << 30, guard=False)
    if variant == "tokenizer":  # MarianTokenizer: imports transformers
        from translate_cli.models.marian import MarianFamily

        MarianFamily.load_codec = lambda self, model_dir: TokenizerCodec(model_dir)  # type: ignore[method-assign]
    if variant == "greedy":
        options = EngineOptions(beam_size=1, guard=False)
    if variant.startswith("hf-"):
        run_transformers_evidence(lines, variant)
        return
    if variant == "guarded":  # the default: scores, flags and the guard
        options = EngineOptions()
    engine = ct2_engine.CTranslate2Engine(MODEL, options)
    if variant == "bare":
        _without_scores(engine)
    for item in engine.translate_with_evidence(lines):
        record = {"translation": item.text, "score": item.score, "flags": list(item.flags)}
        print(json.dumps(record), flush=True)


class _NoScores:
    """A CTranslate2 translator that never computes scores (as before evidence existed)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def translate_batch(self, *args: object, **options: object) -> object:
        return self.inner.translate_batch(*args, **{**options, "return_scores": False})  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def _without_scores(engine: object) -> None:
    """The engine as it was before evidence: no ``return_scores``, bare texts decoded from
    the batches it runs side by side (the flags of a bare text are still computed: they cost
    nothing)."""
    from translate_cli.engines.ctranslate2 import _cut
    from translate_cli.engines.quality import Hypothesis

    engine.translator = _NoScores(engine.translator)  # type: ignore[attr-defined]
    ct2: Any = engine

    def bare(jobs: Any) -> Any:
        pending = [(caps, ct2._submit(texts, caps, asynchronous=True)) for texts, caps in jobs]
        for caps, futures in pending:
            results = [future.result() for future in futures]
            yield [Hypothesis(ct2.codec.decode(t)) for t in _cut(results, caps, ct2._prefix)]

    engine.generate_scored_batches = bare  # type: ignore[attr-defined]


def run_transformers_evidence(lines: list[str], variant: str) -> None:
    """The transformers engine, guard off; ``hf-bare`` replaces the scorer by the plain
    renormalisation it stands in for (``renormalize_logits=True``), i.e. no scores."""
    from translate_cli.engines import transformers as hf_engine
    from translate_cli.engines.seq2seq import EngineOptions

    if variant == "hf-bare":
        hf_engine._Scorer.__call__ = lambda self, input_ids, scores: scores.log_softmax(dim=-1)  # type: ignore[method-assign]
    engine = hf_engine.TransformersEngine(MODEL, EngineOptions(guard=False))
    for item in engine.translate_with_evidence(lines):
        print(json.dumps({"translation": item.text, "score": item.score}), flush=True)


# --- driver ---------------------------------------------------------------------------------
@dataclass
class Result:
    name: str
    wall: list[float]
    rss_mb: list[float]
    lines: int


def cli_has_translate() -> bool:
    cli_folder = ROOT / "translate_cli" / "cli"  # the module that held the commands, by release
    for cli in (
        cli_folder / "commands.py",
        cli_folder / "app.py",
        ROOT / "translate_cli" / "cli.py",
    ):
        if cli.is_file() and "def translate_command(" in cli.read_text(encoding="utf-8"):
            return True
    return False


def cli_has_evidence() -> bool:
    """Checkouts with the translation memory and the guard (whose flags "ours" turns off)."""
    return (ROOT / "translate_cli" / "engines" / "quality.py").is_file()


def contender_command(name: str, article: Path) -> list[str]:
    if name == "ours" and cli_has_translate():
        binary = Path(sys.executable).with_name("translate-cli")
        # The same work as the others: no translation memory (a repeat would be answered from
        # it), and no guard (this model's outputs all run to their caps, which the guard takes
        # for loops and decodes again; --evidence measures that cost), and no name protection
        # (random weights lose every name, which would be decoded again: not engine speed).
        flags = ["--no-memory", "--no-guard"] if cli_has_evidence() else []
        if (ROOT / "translate_cli" / "engines" / "terms.py").is_file():
            flags.append("--no-keep-names")
        return [
            str(binary),
            "translate",
            str(article),
            "--model",
            str(MODEL),
            "--quiet",
            *flags,
            *JSONL,
        ]
    return [sys.executable, str(Path(__file__).resolve()), "_run", name, str(article)]


def run_once(
    name: str, article: Path, threads: int | None = None, cpu: list[float] | None = None
) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and output lines of one run of ``name`` (its CPU seconds
    appended to ``cpu`` when given)."""
    command = contender_command(name, article)
    if threads is not None and name == "ours" and cli_has_translate():
        command += ["--threads", str(threads)]
    return _run_command(command, cpu)


# --- model families: the same CLI on random models of each family's real shape ------------------
# (builder, architecture) per family; the MarianMT model is the one above.
FAMILY_MODELS = {
    "nllb": (CACHE / "nllb-200-distilled-600M-random", "build_nllb_model", "NLLB_600M"),
    "m2m100": (CACHE / "m2m100_418M-random", "build_m2m100_model", "M2M100_418M"),
}
FAMILY_LABELS = {
    "marian": "MarianMT (opus-mt-id-en shape)",
    "nllb": "NLLB-200 (distilled-600M shape)",
    "m2m100": "M2M100 (418M shape)",
}


def family_model(family: str) -> Path:
    return MODEL if family == "marian" else FAMILY_MODELS[family][0]


def family_command(family: str, article: Path, engine: str) -> list[str]:
    model = family_model(family)
    args = ["translate", str(article), "--model", str(model), "--engine", engine, "--quiet"]
    return [sys.executable, "-m", "translate_cli", *args, *JSONL]


def prepare_families(data: Path, families: list[str], engines: list[str]) -> None:
    """Build each family's random model of the real shape (once; NLLB-600M is ~2.5 GB on disk)
    and run it once per engine, so the CTranslate2 conversion is not timed."""
    import tools.model_builders as builders

    corpus: list[str] = []
    for name in SPM_TRAINING:
        lines = (data / name).read_text(encoding="utf-8").splitlines()
        corpus += lines[FIRST_TRAINING_LINE:] if name == ARTICLE_SOURCE else lines
    for family in families:
        if family == "marian":
            continue
        path, builder, shape = FAMILY_MODELS[family]
        if not (path / ".complete").is_file():
            print(f"building the random {family} model (once, minutes)...", file=sys.stderr)
            temp = Path(tempfile.mkdtemp(dir=CACHE, prefix=".build-"))
            getattr(builders, builder)(
                temp,
                corpus,
                spm_vocab_size=SPM_VOCAB,
                architecture=getattr(builders, shape),
                unreachable_eos=True,
            )
            (temp / ".complete").write_text("ok\n")
            shutil.rmtree(path, ignore_errors=True)
            temp.rename(path)
    one = CACHE / "article-warmup.txt"
    one.write_text("Selamat pagi.\n", encoding="utf-8")
    for family in families:
        for engine in engines:
            _run_command(family_command(family, one, engine))


def measure_families(
    families: list[str], engines: list[str], article: Path, sentences: int
) -> None:
    print(f"{'family':<34} {'engine':<13} {'wall s':>7} {'sent/s':>7} {'peak RSS MB':>12}")
    for family in families:
        for engine in engines:
            wall, rss, lines = _run_command(family_command(family, article, engine))
            check = "" if lines >= sentences else f"  (only {lines} lines!)"
            print(
                f"{FAMILY_LABELS[family]:<34} {engine:<13} {wall:7.2f} {sentences / wall:7.2f}"
                f" {rss:12.0f}{check}  (load {load()})",
                flush=True,
            )


def _run_command(command: list[str], cpu: list[float] | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and output lines of one process running ``command`` (its
    CPU seconds appended to ``cpu`` when given)."""
    env = {**os.environ, "TRANSLATE_CLI_CACHE_DIR": str(OUR_CACHE), "HF_HUB_OFFLINE": "1"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
        if process.returncode != 0:
            sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr[-3000:]}")
        out.seek(0)
        lines = sum(1 for line in out.read().decode().splitlines() if line.strip())
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    return wall, usage.ru_maxrss / 1024, lines


def measure(
    names: list[str], article: Path, repeat: int, cpu: dict[str, list[float]] | None = None
) -> dict[str, Result]:
    results = {n: Result(n, [], [], 0) for n in names}
    for _ in range(repeat):
        for name in names:  # interleaved, so a burst of load hits every contender alike
            wall, rss, lines = run_once(name, article, cpu=None if cpu is None else cpu[name])
            results[name].wall.append(wall)
            results[name].rss_mb.append(rss)
            results[name].lines = lines
            print(f"  {name:<22} {wall:7.2f} s  {rss:7.0f} MB  load {load()}", file=sys.stderr)
    return results


LABELS = {
    "bare": "CT2, no scores, no guard",
    "evidence": "CT2 + scores and flags (--no-guard)",
    "guarded": "CT2 + scores, flags and guard (default)",
    "hf-bare": "transformers, no scores, no guard",
    "hf-evidence": "transformers + scores and flags",
    "naive": "naive loop (beam 6, 1 by 1)",
    "transformers": "transformers batched (b4)",
    "argos": "Argos-style CT2 int8 (b4)",
    "ours": "ours: translate-cli (b4)",
    "tokenizer": "CT2 int8 + MarianTokenizer, chunks 32",
    "codec": "+ own tokenizer (no transformers)",
    "workers": "+ 2 workers x 1 thread",
    "plan1": "codec + cost-based plan, 1 worker x 2",
    "default": "+ cost-based batch plan (= ours)",
    "greedy": "ours with beam 1 (not default)",
}


def print_table(results: dict[str, Result], sentences: int, reference: str = "ours") -> None:
    ours = results[reference]
    our_wall, our_rss = statistics.median(ours.wall), max(ours.rss_mb)
    print(
        f"{'contender':<36} {'wall s':>7} {'sent/s':>7} {'peak RSS MB':>12}"
        f" {'ours: x faster':>15} {'ours: RSS ratio':>16}"
    )
    for result in results.values():
        wall, rss = statistics.median(result.wall), max(result.rss_mb)
        check = "" if result.lines >= sentences else f"  (only {result.lines} lines!)"
        print(
            f"{LABELS.get(result.name, result.name):<36} {wall:7.2f} {sentences / wall:7.2f}"
            f" {rss:12.0f} {wall / our_wall:15.2f} {our_rss / rss:16.2f}{check}"
        )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def article_file(data: Path, sentences: int) -> Path:
    """The first ``sentences`` lines that our segmenter keeps as one sentence, one a paragraph, so
    every contender translates exactly the sentences ``translate-cli translate`` does."""
    from translate_cli.segment import segment

    lines: list[str] = []
    for line in (data / ARTICLE_SOURCE).read_text(encoding="utf-8").splitlines():
        if len(lines) == sentences:
            break
        if len(segment(line).sentences) == 1:
            lines.append(line.strip())
    text = "\n\n".join(lines) + "\n"  # a paragraph each: lines never merge
    found = len(segment(text).sentences)
    if len(lines) < sentences or found != sentences:
        sys.exit(f"could not build a {sentences}-sentence article (got {found})")
    path = CACHE / f"article-{sentences}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def article_lines(data: Path, sentences: int) -> list[str]:
    """``article_file``'s sentences, one a line (what the engine benchmarks translate)."""
    text = article_file(data, sentences).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line]


def drained(
    translate: Callable[[list[str]], Iterable[object]], lines: list[str]
) -> Callable[[], None]:
    """A run that translates ``lines`` to the last output (the engines stream them)."""

    def run() -> None:
        for _ in translate(lines):
            pass

    return run


def paired_times(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Each run's wall times, the runs taken in turn ``repeat`` times (paired: a change in the
    machine's load falls on all of them alike)."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def prepare(data: Path) -> None:
    """Build the model and both conversions once (not timed), then warm the page cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    if not (MODEL / ".complete").is_file():
        print("building the random opus-mt-id-en model (once, ~1 min)...", file=sys.stderr)
        from tools.model_builders import OPUS_MT_ID_EN, build_marian_model

        corpus: list[str] = []
        for name in SPM_TRAINING:
            lines = (data / name).read_text(encoding="utf-8").splitlines()
            corpus += lines[FIRST_TRAINING_LINE:] if name == ARTICLE_SOURCE else lines
        temp = Path(tempfile.mkdtemp(dir=CACHE, prefix=".build-"))
        build_marian_model(
            temp, corpus, spm_vocab_size=SPM_VOCAB, architecture=OPUS_MT_ID_EN, unreachable_eos=True
        )
        (temp / ".complete").write_text("ok\n")
        shutil.rmtree(MODEL, ignore_errors=True)
        temp.rename(MODEL)
    if not (ARGOS_MODEL / "model.bin").is_file():
        print("converting for the Argos-style run (once)...", file=sys.stderr)
        from ctranslate2.converters import TransformersConverter

        temp = Path(tempfile.mkdtemp(dir=CACHE, prefix=".argos-"))
        TransformersConverter(str(MODEL)).convert(str(temp), quantization="int8", force=True)
        temp.rename(ARGOS_MODEL)
    # Our one-time conversion, through our own code path, on a one-line article.
    one = CACHE / "article-warmup.txt"
    one.write_text("Selamat pagi.\n", encoding="utf-8")
    run_once("ours", one)
    for folder in (MODEL, ARGOS_MODEL, OUR_CACHE):
        for path in folder.rglob("*"):
            if path.is_file():
                path.read_bytes()


def main() -> None:
    if sys.argv[1:2] == ["_prepare"]:
        prepare(Path(sys.argv[2]))
        return
    if sys.argv[1:2] == ["_prepare_families"]:
        prepare_families(Path(sys.argv[2]), sys.argv[3].split(","), sys.argv[4].split(","))
        return
    if len(sys.argv) >= 4 and sys.argv[1] == "_run":
        name, article = sys.argv[2], Path(sys.argv[3])
        lines = [line for line in article.read_text(encoding="utf-8").splitlines() if line]
        runners = {"naive": run_naive, "transformers": run_transformers, "argos": run_argos}
        if name in runners:
            runners[name](lines)
        else:
            run_ours_script(lines, "default" if name == "ours" else name)
        return

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=40)
    parser.add_argument("--skip-naive", action="store_true", help="it takes over a minute")
    parser.add_argument("--repeat", type=int, default=1, help="runs per contender (median)")
    parser.add_argument("--steps", action="store_true", help="time each speed-up step")
    parser.add_argument("--memory", action="store_true", help="peak RSS, 40 vs 2,000 sentences")
    parser.add_argument(
        "--evidence", action="store_true", help="cost of scores and flags (bare vs evidence)"
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument(
        "--families", action="store_true", help="each model family, real shapes (use -n 10)"
    )
    parser.add_argument("--family", action="append", choices=["marian", "nllb", "m2m100"])
    parser.add_argument("--engine", action="append", choices=["ctranslate2", "transformers"])
    args = parser.parse_args()

    # In a child: a parent that imported torch would pass its RSS on to every contender
    # (ru_maxrss counts the memory a child inherits before exec).
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "_prepare", str(args.data)], check=True
    )
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load {load()}")
    print(f"# ours = {' '.join(contender_command('ours', Path('ARTICLE'))[1:])}")
    if args.families:
        families = args.family or ["marian", "nllb", "m2m100"]
        engines = args.engine or ["ctranslate2"]
        script = str(Path(__file__).resolve())
        command = [sys.executable, script, "_prepare_families", str(args.data)]
        subprocess.run([*command, ",".join(families), ",".join(engines)], check=True)
        article = article_file(args.data, args.sentences)
        print(f"# {args.sentences} sentences, beam 4, every sentence decoded to its cap")
        measure_families(families, engines, article, args.sentences)
        return
    if args.memory:
        rows = {}
        for n in (40, 2000):
            path = article_file(args.data, n)
            wall, rss, written = run_once("ours", path)
            rows[n] = rss
            print(f"ours, {n:5d} sentences: {wall:7.2f} s, peak RSS {rss:6.0f} MB, {written} lines")
        print(f"growth 40 -> 2,000 sentences: {rows[2000] - rows[40]:+.0f} MB (load {load()})")
        return
    article = article_file(args.data, args.sentences)
    if args.evidence:
        # CTranslate2 (the default engine); the transformers pair, hf-bare and hf-evidence,
        # runs with `speed.py _run NAME ARTICLE` (minutes each on 2 cores).
        names = ["bare", "evidence", "guarded"]
        cpu: dict[str, list[float]] = {name: [] for name in names}
        results = measure(names, article, args.repeat, cpu=cpu)
        print(f"# {args.sentences} sentences, median of {args.repeat}, load {load()}")
        print_table(results, args.sentences, reference="bare")
        for name in names:  # CPU time drifts less than wall time on a shared host
            label = LABELS[results[name].name]
            print(f"{label:<40} CPU s (median) {statistics.median(cpu[name]):7.2f}")
        return
    if args.steps:
        names = ["tokenizer", "codec", "workers", "plan1", "default", "greedy", "argos"]
        results = measure(names, article, args.repeat)
        print(f"# {args.sentences} sentences, median of {args.repeat}, load {load()}")
        print_table(results, args.sentences, reference="default")
        return
    names = ([] if args.skip_naive else ["naive"]) + ["transformers", "argos", "ours"]
    results = measure(names, article, args.repeat)
    print(f"# {args.sentences} sentences, median of {args.repeat}, load {load()}")
    print_table(results, args.sentences)


if __name__ == "__main__":
    main()
