"""Batches of documents, resumable, on this machine or spread over a Ray cluster.

``run_batch(job, hooks)`` reads every input, checks ids are unique, checks the output folder
was written with the same options (before any page is fetched), skips the ids an earlier run
of the same batch already committed, cuts the rest into shards and hands them to an executor
(``EXECUTORS``: ``local``, ``ray``). Whatever the executor, each record's line is what
``--input-format jsonl`` prints for it (see ``worker.py``), and each shard is committed
atomically (see ``shards.py``).

The package loads ``job.py`` (and with it feeds, Ray's options, shards) on first use of what it
holds: the CLI reads only the registries (``choices.py``) to build ``batch``'s options, and
every command's start-up would otherwise pay for the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from translate_cli.batch.choices import COMMANDS, EXECUTORS
from translate_cli.lazy import lazy_exports

if TYPE_CHECKING:
    from translate_cli.batch.job import (
        BatchJob,
        BatchSummary,
        RayOptions,
        Work,
        identity,
        run_batch,
    )

# The batch machinery, loaded on first use.
__getattr__ = lazy_exports(
    __name__,
    dict.fromkeys(
        ("BatchJob", "BatchSummary", "RayOptions", "Work", "identity", "run_batch"),
        "translate_cli.batch.job",
    ),
)


__all__ = [
    "COMMANDS",
    "EXECUTORS",
    "BatchJob",
    "BatchSummary",
    "RayOptions",
    "Work",
    "identity",
    "run_batch",
]
