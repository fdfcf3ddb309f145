"""One shard's work, the same in every executor: records → ``Pipeline.batch`` → JSONL lines.

The lines are built exactly as ``--input-format jsonl`` builds them (``BatchResult.to_dict``
through ``json_line``), so a batch's shards hold the same records as that command prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from translate_cli.batch.shards import ShardResult
from translate_cli.batch.sources import from_item
from translate_cli.output import json_line
from translate_cli.pipeline import Hooks, Pipeline, Work


class ShardWorker:
    """A loaded pipeline that turns shards into results (one per process or Ray actor)."""

    def __init__(self, work: Work, hooks: Hooks | None = None) -> None:
        self.work = work
        self.pipeline = Pipeline(work.settings, hooks=hooks)
        self.fingerprint: str | None = None
        if work.needs_model:
            from translate_cli.memory import fingerprint_of

            self.pipeline.load()
            self.fingerprint = fingerprint_of(self.pipeline.translator, work.settings)
        if work.kind.summarizes:
            _ = self.pipeline.summarizer  # its options are checked before the first shard

    def run(self, number: int, items: Sequence[dict[str, Any]]) -> ShardResult:
        result = ShardResult(number, [], [], fingerprint=self.fingerprint)
        records = [from_item(item) for item in items]
        for done in self.pipeline.batch(records, self.work.task, **self.work.options):
            line = json_line(done.to_dict())
            if done.error is not None:
                result.errors.append(line)
            else:
                result.lines.append(line)
                assert done.report is not None
                result.sentences += len(done.report.sentences)
        return result

    def close(self) -> None:
        self.pipeline.close()
