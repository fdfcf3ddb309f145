"""One shard's work, the same in every executor: records → ``Pipeline.batch`` → JSONL lines.

The lines are built exactly as ``--input-format jsonl`` builds them (``BatchResult.to_dict``
through ``json_line``), so a batch's shards hold the same records as that command prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from translate_cli.batch.shards import ShardResult
from translate_cli.batch.sources import from_item
from translate_cli.output import json_line
from translate_cli.pipeline import Hooks, Pipeline, Work

# Told of each record as it is done: (shard number, sentences of the record; 0 if it failed).
RecordDone = Callable[[int, int], None]


class ShardWorker:
    """A loaded pipeline that turns shards into results (one per process or Ray actor).

    ``hooks`` see the model load; ``record_hooks`` (default: the same) see the records."""

    def __init__(
        self, work: Work, hooks: Hooks | None = None, *, record_hooks: Hooks | None = None
    ) -> None:
        self.work = work
        self.pipeline = Pipeline(work.settings, hooks=hooks)
        self.fingerprint: str | None = None
        if work.needs_model:
            from translate_cli.memory import fingerprint_of

            self.pipeline.load()
            self.fingerprint = fingerprint_of(self.pipeline.translator, work.settings)
        if work.kind.summarizes:
            _ = self.pipeline.summarizer  # its options are checked before the first shard
        if record_hooks is not None:
            self.pipeline.hooks = record_hooks

    def run(
        self, number: int, items: Sequence[dict[str, Any]], on_record: RecordDone | None = None
    ) -> ShardResult:
        result = ShardResult(number, [], [], fingerprint=self.fingerprint)
        # A duplicate of a story done before (``batch.feeds.Stories``) is written as it came:
        # it says which record has the story, and costs no model call.
        records = [from_item(item) for item in items if "duplicate_of" not in item]
        translated = self.pipeline.batch(records, self.work.task, **self.work.options)
        for item in items:
            if "duplicate_of" in item:
                result.lines.append(json_line(item))
                if on_record is not None:
                    on_record(number, 0)
                continue
            done = next(translated)
            line = json_line(done.to_dict())
            sentences = 0
            if done.error is not None:
                result.errors.append(line)
            else:
                result.lines.append(line)
                assert done.report is not None
                sentences = len(done.report.sentences)
                result.sentences += sentences
            if on_record is not None:
                on_record(number, sentences)
        return result

    def close(self) -> None:
        self.pipeline.close()
