"""What a batch can be asked for: its commands, executors and shard formats.

Registries only, whose entries name their functions (``module:function``) and load them on use:
the CLI builds ``batch``'s options from them (names and help) without importing the batch
machinery, which every other command would otherwise pay for at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from translate_cli.pipeline import TASKS, Task
from translate_cli.registry import Registry

# An executor yields ``shards.ShardResult``s; named here as Any, since shards reads this module.
Executor = Callable[..., Iterator[Any]]

EXECUTORS: Registry[Executor] = Registry("executor")
EXECUTORS.register(
    "local", "translate_cli.batch.local:run_local", help="this machine, one model (default)"
)
EXECUTORS.register(
    "ray", "translate_cli.batch.ray:run_ray", help="Ray actors, each with its own model"
)


def _archive_tasks() -> Registry[Task]:
    """The tasks ``batch --command`` runs: those of ``TASKS`` marked ``archive``."""
    commands: Registry[Task] = Registry("command")
    for entry in TASKS.entries():
        task = TASKS.get(entry.name)
        if task.archive:
            commands.register(entry.name, task, help=entry.help)
    return commands


COMMANDS = _archive_tasks()

# A shard's file format (``--output-format``): its lines → the file's bytes.
OUTPUT_FORMATS: Registry[Callable[[list[str]], bytes]] = Registry(
    "output format", "--output-format"
)
OUTPUT_FORMATS.register(
    "jsonl", "translate_cli.batch.shards:jsonl_bytes", help="one JSON object a line"
)
OUTPUT_FORMATS.register(
    "parquet", "translate_cli.batch.shards:parquet_bytes", help="id and record columns"
)

__all__ = ["COMMANDS", "EXECUTORS", "OUTPUT_FORMATS", "Executor"]
