"""Executor ``local``: this machine, one loaded pipeline, the engine's own parallelism."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from translate_cli.batch.shards import ShardResult
from translate_cli.batch.worker import ShardWorker
from translate_cli.pipeline import Hooks, Work


def run_local(
    work: Work, shards: Sequence[tuple[int, list[dict[str, object]]]], hooks: Hooks, **_: object
) -> Iterator[ShardResult]:
    """Each shard's result, in order, as soon as it is done."""
    worker = ShardWorker(work, hooks)
    try:
        for number, items in shards:
            yield worker.run(number, items)
    finally:
        worker.close()
