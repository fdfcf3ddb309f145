"""Executor ``local``: this machine, one loaded pipeline, the engine's own parallelism."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from translate_cli.batch.shards import ShardResult
from translate_cli.batch.worker import RecordDone, ShardWorker
from translate_cli.pipeline import Hooks, Work


def run_local(
    work: Work,
    shards: Iterable[tuple[int, list[dict[str, object]]]],
    hooks: Hooks,
    *,
    record_hooks: Hooks | None = None,
    on_record: RecordDone | None = None,
    **_: object,
) -> Iterator[ShardResult]:
    """Each shard's result, in order, as soon as it is done; ``on_record`` hears of every
    record as it is done."""
    worker = ShardWorker(work, hooks, record_hooks=record_hooks)
    try:
        for number, items in shards:
            yield worker.run(number, items, on_record)
    finally:
        worker.close()
