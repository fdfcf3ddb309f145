"""What the degeneration guard costs: when every output loops, and when none does.

One process, one loaded CTranslate2 engine per model (int8, beam 4, the defaults), the same
article translated with the guard off and on in alternation (paired runs, medians), timed
from the first sentence in to the last one out (decoding only: start-up would dilute the
ratio). Three guards are timed side by side:

- ``off``: ``--no-guard``;
- ``on``: the guard as shipped (a window's loops decoded again together, greedily);
- ``alone``: the guard before (each loop decoded again on its own with the full beam), for
  the comparison the issue started from (without the second scoring pass the old guard ran on
  every retry: if anything, cheaper than it was).

Two models: the random-weight opus-mt-id-en copy of ``benchmarks/speed.py`` (``</s>``
unreachable: every output runs to its cap and loops, the guard's worst case), and a copy of it
whose ``</s>`` is favoured (``--stop-bias``): outputs stop early and none loops, so the guard
retries nothing and only its checks cost (the run asserts that nothing was retried).

    .venv/bin/python benchmarks/guard.py                 # 40 sentences, 5 pairs
    .venv/bin/python benchmarks/guard.py --repeat 9 --sentences 90
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's translate_cli, not an installed one
sys.path.insert(0, str(ROOT / "benchmarks"))
from speed import article_lines, drained, paired_times  # noqa: E402

CACHE = ROOT / "benchmarks" / ".cache"
MODEL = CACHE / "opus-mt-id-en-random"
STOPS = CACHE / "opus-mt-id-en-random-stops"


def stopping_model(bias: float) -> Path:
    """A copy of the benchmark model whose ``</s>`` logit is raised by ``bias`` (once)."""
    marker = STOPS / f".bias-{bias:g}"
    if marker.is_file():
        return STOPS
    from transformers import MarianMTModel

    shutil.rmtree(STOPS, ignore_errors=True)
    shutil.copytree(MODEL, STOPS)
    model = MarianMTModel.from_pretrained(STOPS)
    model.final_logits_bias[0, model.config.eos_token_id] += bias
    model.save_pretrained(STOPS)
    marker.write_text("ok\n")
    return STOPS


def alone(engine: Any) -> None:
    """The guard before: every loop decoded again alone, with the engine's full beam."""
    from translate_cli.engines import quality

    def retry(unique: Any, lengths: Any, loops: Any, translated: Any, retried: set[str]) -> None:
        from translate_cli.engines.seq2seq import output_cap

        saved, quality.RETRY_BEAM_SIZE = quality.RETRY_BEAM_SIZE, engine.options.beam_size
        try:
            for i, first in sorted(loops.items()):
                cap = output_cap(lengths[i], engine.max_output_tokens)
                second = engine.generate_scored([unique[i]], [cap], retry=True)[0]
                retried.add(unique[i])
                translated[unique[i]] = quality.better(first, second, unique[i], lengths[i])
        finally:
            quality.RETRY_BEAM_SIZE = saved
        loops.clear()

    engine._retry = retry


def time_variants(model: Path, lines: list[str], repeat: int) -> dict[str, list[float]]:
    from translate_cli.engines.ctranslate2 import CTranslate2Engine
    from translate_cli.engines.seq2seq import EngineOptions

    engines = {
        "off": CTranslate2Engine(model, EngineOptions(guard=False)),
        "on": CTranslate2Engine(model, EngineOptions(guard=True)),
        "alone": CTranslate2Engine(model, EngineOptions(guard=True)),
    }
    alone(engines["alone"])
    retried = {}
    for name, engine in engines.items():  # warm-up, and what each variant does
        out = list(engine.translate_with_evidence(lines))
        retried[name] = sum("repetition" in t.flags for t in out)
    print(f"# {model.name}: sentences retried by the guard: {retried}")
    times = paired_times(
        {name: drained(engine.translate_with_evidence, lines) for name, engine in engines.items()},
        repeat,
    )
    for engine in engines.values():
        engine.close()
    if model == STOPS and retried["on"]:
        print(f"# warning: {retried['on']} outputs still loop: raise --stop-bias")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5, help="paired runs (median)")
    parser.add_argument("--stop-bias", type=float, default=12.0)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    os.environ.setdefault("TRANSLATE_CLI_CACHE_DIR", str(CACHE / "translate-cli"))
    speed = str(ROOT / "benchmarks" / "speed.py")
    subprocess.run([sys.executable, speed, "_prepare", str(args.data)], check=True)
    lines = article_lines(args.data, args.sentences)
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs"
    print(f"# {machine}, {len(lines)} sentences, int8, beam 4, median of {args.repeat} pairs")
    for label, model in (
        ("every output loops", MODEL),
        ("no output loops", stopping_model(args.stop_bias)),
    ):
        times = time_variants(model, lines, args.repeat)
        off = statistics.median(times["off"])
        print(f"{label} (load {os.getloadavg()[0]:.2f})")
        for name in ("off", "on", "alone"):
            wall = statistics.median(times[name])
            print(f"  guard {name:<6} {wall:8.3f} s   {wall / off:6.2f}x of --no-guard")


if __name__ == "__main__":
    main()
