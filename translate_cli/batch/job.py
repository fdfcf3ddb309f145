"""Running a batch: ``run_batch`` and what it reads and writes (see the package's docstring)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, overload

from translate_cli.batch.choices import COMMANDS, EXECUTORS, OUTPUT_FORMATS
from translate_cli.batch.feeds import (
    FEED_FAILURE,
    STATE,
    Bounds,
    FeedState,
    LinkPending,
    Listing,
    Stories,
    is_feed_source,
    list_feeds,
)
from translate_cli.batch.progress import BatchProgress, RecordHooks, duration
from translate_cli.batch.ray import RayOptions
from translate_cli.batch.shards import OutputFolder, ShardResult
from translate_cli.batch.sources import Inputs, Item, Pending, id_key, read_inputs, to_item
from translate_cli.config import Settings
from translate_cli.engines.terms import glossary_digest
from translate_cli.errors import RuntimeFailure, UsageError
from translate_cli.pipeline import Hooks, SilentHooks, Work, batch_status
from translate_cli.web.network import safe_url

Shards = Sequence[tuple[int, list[dict[str, Any]]]]

DEFAULT_SHARD_SIZE = 100
# Settings that change what a batch writes: a rerun with other values must not mix results.
# The others do not change a record that succeeds: batch_size and threads (the memory and the
# docs allow them to change), timeout and llm_timeout (how long to wait), memory and no_memory
# (a memory hit is the translation a fresh run gives). The task's options (``translate``) and
# the prompts' text are part of the identity too (see ``identity``).
_IDENTITY = (
    "model",
    "engine",
    "beam_size",
    "device",
    "compute_type",
    "sentences",
    "ratio",
    "summarizer",
    "llm_url",
    "llm_model",
    "prompts",
    "flag_below",
    "guard",
    "shortlist",  # a restricted output vocabulary (CTranslate2's vocabulary map)
    "ocr",  # a scanned page read, or left out with a notice
    "translate_all",  # English sentences kept as written, or translated
)


@dataclass(frozen=True)
class BatchJob:
    inputs: Sequence[str]
    output: Path
    work: Work
    executor: str = "local"
    output_format: str = "jsonl"
    shard_size: int = DEFAULT_SHARD_SIZE
    ray: RayOptions | None = None  # executor ray's options; None: its defaults
    bounds: Bounds = field(default_factory=Bounds)  # what each feed gives a run (--since, …)


@dataclass
class BatchSummary:
    total: int  # records in the inputs
    skipped: int  # already committed by an earlier run
    written: int  # records written by this run
    failures: list[int]  # the exit status of each record that failed in this run
    sentences: int
    seconds: float
    fingerprint: str | None

    @property
    def failed(self) -> int:
        """Records that failed in this run (see the errors files)."""
        return len(self.failures)

    @property
    def exit_status(self) -> int:
        return batch_status(self.failures)


def identity(work: Work) -> dict[str, Any]:
    settings = asdict(work.settings)
    value = {
        "command": work.task,
        "task_options": dict(work.options),
        **{name: settings[name] for name in _IDENTITY},
        "prompts_sha256": _prompts_digest(work),
        # the glossary's content and whether names are kept (only a translation depends on it)
        "glossary": glossary_digest(work.settings) if work.needs_model else None,
    }
    return dict(json.loads(json.dumps(value)))  # as the manifest holds it: tuples are lists


def _prompts_digest(work: Work) -> str | None:
    """The LLM summariser's prompt templates, by their text (a file named in ``prompts`` may
    change between runs; so may the config folder's templates); None when none is used."""
    if not work.kind.summarizes or work.settings.summarizer != "llm":
        return None
    from translate_cli.prompts import SHIPPED_NAMES, load_prompts, parse_prompt_options

    prompts = load_prompts(SHIPPED_NAMES, parse_prompt_options(work.settings.prompts))
    digest = hashlib.sha256()
    for name, template in sorted(prompts.items()):
        digest.update(f"{name}\0{template.text}\0".encode())
    return digest.hexdigest()[:16]


def _check_job(job: BatchJob) -> None:
    COMMANDS.check(job.work.task, "--command")
    EXECUTORS.check(job.executor)
    OUTPUT_FORMATS.check(job.output_format)
    if job.shard_size < 1:
        raise UsageError(f"--shard-size: must be at least 1, got {job.shard_size}")
    if job.ray is None:
        return
    if job.executor != "ray":
        raise UsageError("--workers, --num-cpus, --num-gpus and --ray-address need --executor ray")
    if job.ray.workers < 1 or job.ray.num_cpus < 0 or job.ray.num_gpus < 0:
        raise UsageError("--workers must be at least 1; --num-cpus and --num-gpus at least 0")


def run_batch(
    job: BatchJob, hooks: Hooks | None = None, *, stderr: IO[str] | None = None, tty: bool = False
) -> BatchSummary:
    """Run (or resume) ``job``; progress lines go to ``stderr`` when given."""
    hooks = hooks or SilentHooks()
    _check_job(job)
    if job.executor == "ray":
        from translate_cli.batch.ray import import_ray

        import_ray()  # before reading anything: a missing extra is a usage error
    if not job.inputs:
        raise UsageError("batch needs at least one INPUT file, folder or feed")
    feeds = [source for source in job.inputs if is_feed_source(source)]
    files = [source for source in job.inputs if source not in feeds]
    inputs = read_inputs(files) if files else Inputs([], [])  # every id, no page fetched yet
    wanted = identity(job.work)
    folder = OutputFolder.open(job.output, job.output_format)
    try:
        _check_identity(folder, wanted)  # before any feed or page is fetched
        records: list[Item] = list(inputs.records)
        followed = _Followed()
        if feeds:
            records = _with_feeds(job, folder, records, feeds, followed)
            for line in followed.listing.notices + followed.listing.failures:
                if stderr is not None and not _quiet(hooks):
                    stderr.write(f"batch: {line}\n")
        names = [str(f) for f in inputs.files] + [safe_url(f, query=True) for f in feeds]
        summary = _run(job, hooks, folder, wanted, records, names, stderr, tty, followed)
        if followed.stories is not None and followed.stories.new:
            followed.state.stories.update(followed.stories.new)
            folder.publish(STATE, followed.state.dump())
        return summary
    finally:
        folder.close()


@dataclass
class _Followed:
    """The feeds of a run: what they listed, ``feeds.json``, and which record did each story."""

    listing: Listing = field(default_factory=Listing)
    state: FeedState = field(default_factory=FeedState)
    stories: Stories | None = None


def _with_feeds(
    job: BatchJob,
    folder: OutputFolder,
    records: list[Item],
    feeds: list[str],
    followed: _Followed,
) -> list[Item]:
    """``records`` and the feeds' articles not among them (``followed`` holds what the feeds
    listed and failed). ``DIR/feeds.json`` is rewritten only when it changed."""
    path = folder.path / STATE
    state = followed.state = FeedState.load(path)
    before = state.dump()
    listing = followed.listing = list_feeds(feeds, state, job.work.settings, job.bounds)
    if state.dump() != before:
        folder.publish(STATE, state.dump())
    followed.stories = Stories(folder.done_ids(), state.stories)
    taken = {id_key(r.id) for r in records}
    extra = [item for item in listing.items if id_key(item.id) not in taken]
    return records + extra


class _Shards(Sequence[tuple[int, list[dict[str, Any]]]]):
    """The records left, cut into numbered shards of ``size``; a ``"url"`` record's page is
    fetched (as ``settings`` say) only when its shard is taken, so a refused rerun, or a record
    already done, fetches nothing, and the local executor starts on the first shard at once."""

    def __init__(
        self,
        first: int,
        records: list[Item],
        size: int,
        settings: Settings,
        stories: Stories | None = None,
    ) -> None:
        self.first, self.records, self.size, self.settings = first, records, size, settings
        self.stories = stories or Stories((), {})

    def __len__(self) -> int:
        return -(-len(self.records) // self.size)

    @overload
    def __getitem__(self, index: int) -> tuple[int, list[dict[str, Any]]]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[int, list[dict[str, Any]]]]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if not 0 <= index < len(self):
            raise IndexError(index)
        chunk = self.records[index * self.size : (index + 1) * self.size]
        return self.first + index, [self._item(r) for r in chunk]

    def _item(self, record: Item) -> dict[str, Any]:
        if isinstance(record, LinkPending):
            read, first = self.stories.read(record, self.settings)
            if first is not None:  # its page names a story done by another record
                return {"id": read.id, "duplicate_of": first, "meta": read.meta}
            return to_item(read)
        return to_item(record.read(self.settings) if isinstance(record, Pending) else record)


def _run(
    job: BatchJob,
    hooks: Hooks,
    folder: OutputFolder,
    wanted: dict[str, Any],
    records: list[Item],
    files: list[str],
    stderr: IO[str] | None,
    tty: bool,
    followed: _Followed,
) -> BatchSummary:
    manifest = previous = folder.read_manifest() or {}
    done = folder.done_ids()
    folder.clear_old_errors()
    remaining = [r for r in records if id_key(r.id) not in done]
    size = job.shard_size
    shards = _Shards(folder.next_number(), remaining, size, job.work.settings, followed.stories)
    fingerprint = manifest.get("model_fingerprint")
    manifest = {
        "format": 1,
        "identity": wanted,
        "options": {
            **asdict(job.work.settings),
            "executor": job.executor,
            "output_format": job.output_format,
            "shard_size": size,
        },
        "inputs": files,
        "model_fingerprint": fingerprint,
        "counts": {"records": len(records), "done": len(records) - len(remaining)},
        "status": "running",
    }
    if remaining:
        folder.write_manifest(manifest)
    progress = BatchProgress(
        stderr if stderr is not None else io.StringIO(),
        len(remaining),
        tty=tty,
        quiet=stderr is None or _quiet(hooks),
    )
    executor = EXECUTORS.get(job.executor)
    written = sentences = 0
    feeds_failed = len(followed.listing.failures)
    failures: list[int] = [FEED_FAILURE] * feeds_failed  # a feed that failed counts as a record
    # Nothing left (a rerun of a finished batch, feeds with no new item): no model is loaded.
    results: Iterator[ShardResult] = iter(())
    if len(shards):
        results = executor(
            job.work,
            shards,
            hooks,
            ray_options=job.ray,
            record_hooks=RecordHooks(hooks, progress),
            on_record=progress.record,
        )
    for result in results:
        if result.fingerprint is not None:
            if fingerprint is not None and result.fingerprint != fingerprint:
                raise RuntimeFailure(
                    f"the model's content changed: {folder.path} was written with model "
                    f"fingerprint {fingerprint[:16]}, this worker has {result.fingerprint[:16]}",
                    hint="every worker needs the same model files; or use another --output",
                )
            fingerprint = result.fingerprint
        folder.write(result)
        written += len(result.lines)
        failures += result.failure_statuses()
        sentences += result.sentences
        progress.update(len(result.lines), len(result.errors), result.sentences, result.number)
    committed = len(records) - len(remaining) + written
    manifest.update(
        model_fingerprint=fingerprint,
        counts={"records": len(records), "done": committed, "failed": len(failures)},
        status="complete" if committed == len(records) and not feeds_failed else "incomplete",
    )
    if remaining or not _same_manifest(previous, manifest):
        folder.write_manifest(manifest)  # a rerun with nothing to do leaves the folder as it was
    elapsed, docs, sents = progress.rates()
    summary = BatchSummary(
        len(records),
        len(records) - len(remaining),
        written,
        failures,
        sentences,
        elapsed,
        fingerprint,
    )
    skipped = f", {summary.skipped} already done" if summary.skipped else ""
    failed = summary.failed
    where = [f"{feeds_failed} feed{'s' if feeds_failed > 1 else ''}"] if feeds_failed else []
    if failed > feeds_failed:
        where.append(f"see {folder.path}/part-*.errors.jsonl")
    errors = f", {failed} failed ({'; '.join(where)})" if failed else ""
    progress.finish(
        f"batch: {written} documents written{skipped}{errors} in {duration(elapsed)}, "
        f"{docs:.2f} docs/s, {sents:.1f} sentences/s; output in {folder.path}"
    )
    return summary


def _same_manifest(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether ``new`` says what ``old`` said (the time of writing and the listings aside)."""
    written = ("updated", "shards", "errors_files")
    same: bool = {k: v for k, v in old.items() if k not in written} == json.loads(json.dumps(new))
    return same


def _check_identity(folder: OutputFolder, wanted: dict[str, Any]) -> None:
    manifest = folder.read_manifest() or {}
    if manifest and manifest.get("identity") != wanted:
        raise UsageError(
            f"--output: {folder.path} holds a batch run with other options "
            f"({_difference(manifest.get('identity'), wanted)})",
            hint="rerun with the same options, or choose another --output folder",
        )


def _difference(old: Any, new: dict[str, Any]) -> str:
    if not isinstance(old, dict):
        return "no readable options in its manifest"
    changed = [k for k in new if old.get(k) != new[k]]
    return ", ".join(f"{k}: {old.get(k)!r} then, {new[k]!r} now" for k in changed[:3])


def _quiet(hooks: Hooks) -> bool:
    return bool(getattr(hooks, "quiet", False))


__all__ = ["BatchJob", "BatchSummary", "RayOptions", "Work", "identity", "run_batch"]
