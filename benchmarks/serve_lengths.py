"""A benchmark plug-in: the engine ``ctranslate2-lengths``, CTranslate2 with every output cut at
a realistic length for its sentence.

The benchmark's random-weight model never emits ``</s>``, so every output runs to its cap
(``output_cap``: 1.5 x the source tokens + 10), longer than a real translation and so a
latency no real model has. This engine caps each sentence's decoding at ``ratio`` x its source
tokens (``</s>`` not counted), where ``ratio`` is how many English words the parallel test sets
have per Indonesian word (``output_ratio``), read from ``$SERVE_BENCH_LENGTH_RATIO``. The server
and the in-process baselines both use it, so they do the same, realistic amount of work.

    TRANSLATE_CLI_PLUGINS=serve_lengths  (with benchmarks/ on PYTHONPATH)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from translate_cli.engines import ENGINES

RATIO_VARIABLE = "SERVE_BENCH_LENGTH_RATIO"
ENGINE = "ctranslate2-lengths"
# The parallel test sets (../shared/data/parallel) the ratio is measured on: news, Wikipedia,
# health, reviews and short sentences.
PARALLEL_SETS = (
    "flores200.dev",
    "flores200.devtest",
    "geovedi-test",
    "guntara-news-test",
    "ntrex128-dev",
    "nusax-test",
    "tico19-test",
    "tatoeba-test-v2021-08-07",
)


def output_ratio(parallel: Path) -> float:
    """English words per Indonesian word over the parallel sets found in ``parallel``: a real
    translation's length for its source (the benchmark model's one SentencePiece vocabulary
    was trained on Indonesian, so its English pieces would overstate it)."""
    source = target = 0
    for name in PARALLEL_SETS:
        id_file, en_file = parallel / f"{name}.id", parallel / f"{name}.en"
        if id_file.is_file() and en_file.is_file():
            source += len(id_file.read_text(encoding="utf-8").split())
            target += len(en_file.read_text(encoding="utf-8").split())
    if not source:
        raise SystemExit(f"no parallel set in {parallel}")
    return target / source


def realistic_cap(source_tokens: int, cap: int, ratio: float) -> int:
    """The cap (``</s>`` counted, as ``output_cap``'s) of an output ``ratio`` times as long as
    its source (``source_tokens`` counts the source's ``</s>``), never above ``cap``."""
    return min(cap, max(round(ratio * (source_tokens - 1)), 1) + 1)


def open_lengths(settings: Any, **options: Any) -> Any:
    from translate_cli.engines.ctranslate2 import CTranslate2Engine, open_ctranslate2

    ratio = float(os.environ[RATIO_VARIABLE])

    class LengthCapped(CTranslate2Engine):
        name = ENGINE

        def generate_scored_batches(
            self, jobs: Iterable[tuple[Sequence[str], Sequence[int]]], *, retry: bool = False
        ) -> Iterator[Any]:
            capped = (
                (
                    texts,
                    [
                        realistic_cap(n, cap, ratio)
                        for n, cap in zip(self.count_tokens(texts), caps, strict=True)
                    ],
                )
                for texts, caps in jobs
            )
            return super().generate_scored_batches(capped, retry=retry)

    engine = open_ctranslate2(settings, **options)
    engine.__class__ = LengthCapped  # the loaded engine, its outputs capped
    return engine


ENGINES.register(ENGINE, open_lengths, help="benchmarks only", hidden=True)
