"""The archive commands: ``batch`` (resumable, local or on Ray) and ``memory`` (the
translation memory's stats, clear, export). They parse options and call the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from translate_cli.cli.common import check_llm_options, environment, settings_from
from translate_cli.cli.options import (
    LLM_OPTIONS,
    MODEL_OPTIONS,
    QUIET_OPTION,
    READING_OPTIONS,
    RESULT_FORMATS,
    SUMMARY_OPTIONS,
    CommandOpt,
    ExecutorOpt,
    ExportFormatOpt,
    MemoryOpt,
    NoTranslateOpt,
    OutputFormatOpt,
    OutputOpt,
    QuietOpt,
    ResultFormatOpt,
    with_options,
)
from translate_cli.cli.usage import ConventionalCommand
from translate_cli.errors import UsageError
from translate_cli.humanize import format_size
from translate_cli.output import json_document
from translate_cli.pipeline import Work

memory_app = typer.Typer(
    help="The translation memory: statistics, clearing, export (TMX, JSONL).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


# --- batch ----------------------------------------------------------------------------------
BATCH_HELP = (
    "Translate an archive: JSONL files (or folders of them) and Parquet files with {id, text} "
    "records, into JSONL shards in DIR; rerun the same command to resume.\n\n"
    "INPUT is one or more .jsonl/.parquet files or folders holding them, or feeds: RSS, Atom "
    "or sitemap URLs or files, whose articles are done once each, run after run."
)
_RAY_FLAGS = ("--workers", "--num-cpus", "--num-gpus", "--ray-address")


@with_options(SUMMARY_OPTIONS, LLM_OPTIONS, READING_OPTIONS, MODEL_OPTIONS, QUIET_OPTION)
def batch_command(
    ctx: typer.Context,
    inputs: Annotated[list[str], typer.Argument(metavar="INPUT", show_default=False, hidden=True)],
    output: Annotated[
        str, typer.Option("--output", "-o", metavar="DIR", help="Folder for shards + manifest.")
    ],
    command: CommandOpt = "translate",
    executor: ExecutorOpt = "local",
    workers: Annotated[
        int | None, typer.Option("--workers", metavar="N", help="Ray actors (default: 2).")
    ] = None,
    num_cpus: Annotated[
        float | None, typer.Option("--num-cpus", metavar="N", help="CPUs per Ray actor (1).")
    ] = None,
    num_gpus: Annotated[
        float | None, typer.Option("--num-gpus", metavar="N", help="GPUs per Ray actor (0).")
    ] = None,
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            metavar="ADDR",
            help="auto or ray://HOST:PORT for a cluster (default: start Ray on this machine).",
        ),
    ] = None,
    output_format: OutputFormatOpt = "jsonl",
    shard_size: Annotated[
        int,
        typer.Option(
            "--shard-size", metavar="N", help="Records a shard (default: 100).", show_default=False
        ),
    ] = 100,
    no_translate: NoTranslateOpt = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="DATE", help="Feeds: only items published since DATE (ISO 8601)."
        ),
    ] = None,
    max_items: Annotated[
        int | None,
        typer.Option("--max-items", metavar="N", help="Feeds: at most the N newest items of each."),
    ] = None,
    **options: Any,
) -> None:
    from translate_cli.batch import BatchJob, RayOptions, run_batch
    from translate_cli.batch.feeds import Bounds, parse_since

    if max_items is not None and max_items < 1:
        raise UsageError(f"--max-items: must be at least 1, got {max_items}")
    bounds = Bounds(parse_since(since) if since is not None else None, max_items)

    env = environment(ctx)
    env.quiet = bool(options.get("quiet"))
    task = command.strip().lower()
    if no_translate and task != "summarize":
        raise UsageError("--no-translate needs --command summarize")
    task_options: dict[str, Any] = {"translate": False} if no_translate else {}
    ray_values = (workers, num_cpus, num_gpus, ray_address)
    given = [flag for flag, value in zip(_RAY_FLAGS, ray_values, strict=True) if value is not None]
    ray = None
    if given:  # given on the command line, whatever the value: it needs --executor ray
        if executor.strip().lower() != "ray":
            raise UsageError(f"{given[0]} needs --executor ray")
        defaults = RayOptions()
        ray = RayOptions(
            workers=defaults.workers if workers is None else workers,
            num_cpus=defaults.num_cpus if num_cpus is None else num_cpus,
            num_gpus=defaults.num_gpus if num_gpus is None else num_gpus,
            address=ray_address or None,
        )
    settings = settings_from(options)
    check_llm_options(settings, **options)
    job = BatchJob(
        inputs=inputs,
        output=Path(output),
        work=Work(task, settings, task_options),
        executor=executor.strip().lower(),
        output_format=output_format.strip().lower(),
        shard_size=shard_size,
        ray=ray,
        bounds=bounds,
    )
    summary = run_batch(job, env, stderr=env.stderr, tty=env.stderr_isatty)
    if summary.exit_status:
        raise typer.Exit(summary.exit_status)


# --- memory ---------------------------------------------------------------------------------
def _store(memory: str | None) -> Any:
    from translate_cli.memory import MemoryUnavailable, memory_path, open_store

    path = memory_path(settings_from({"memory": memory}))
    try:
        return open_store(path)
    except MemoryUnavailable as error:
        raise UsageError(f"translation memory: {error}") from None


@memory_app.command(
    "stats", short_help="Entries, size and hits, in all and per model.", cls=ConventionalCommand
)
def memory_stats(
    ctx: typer.Context,
    memory: MemoryOpt = None,
    format: ResultFormatOpt = "text",
    as_json: Annotated[
        bool, typer.Option("--json", hidden=True, help="Deprecated: use --format json.")
    ] = False,
) -> None:
    """Entries, size on disk and hits, in all and per model."""
    from translate_cli.memory import Stats, memory_path

    env = environment(ctx)
    fmt = RESULT_FORMATS.check(format)
    if as_json:  # the flag of earlier versions
        fmt = "json"
    path = memory_path(settings_from({"memory": memory}))
    if path.exists():
        store = _store(memory)
        try:
            stats = store.stats()
        finally:
            store.close()
    else:  # nothing translated yet: an empty memory, not an error
        stats = Stats(path, 0, 0, 0, [])
    if fmt == "json":
        text = json_document(
            {
                "path": str(stats.path),
                "entries": stats.entries,
                "size_bytes": stats.size_bytes,
                "hits": stats.hits,
                "models": [{"model": m, "entries": e, "hits": h} for m, e, h in stats.models],
            }
        )
    else:
        lines = [
            f"{stats.path}",
            f"entries {stats.entries}, size {format_size(stats.size_bytes)}, hits {stats.hits}",
        ]
        lines += [f"  {m}: {e} entries, {h} hits" for m, e, h in stats.models]
        text = "\n".join(lines) + "\n"
    env.stdout.write(text.encode())
    env.stdout.flush()


@memory_app.command(
    "clear", short_help="Delete all entries, or one model's.", cls=ConventionalCommand
)
def memory_clear(
    ctx: typer.Context,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", metavar="NAME|DIR", help="Only this model's entries."),
    ] = None,
    memory: MemoryOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Delete the memory's entries (all, or one model's)."""
    env = environment(ctx)
    env.quiet = quiet
    store = _store(memory)
    try:
        removed = store.clear(model)
    finally:
        store.close()
    env.notice(f"removed {removed} entries" + (f" of {model}" if model else ""))


@memory_app.command(
    "export", short_help="Write every entry as TMX 1.4 or JSONL.", cls=ConventionalCommand
)
def memory_export(
    ctx: typer.Context,
    format: ExportFormatOpt = "tmx",
    output: OutputOpt = None,
    model: Annotated[
        str | None, typer.Option("--model", "-m", metavar="NAME", help="Only this model.")
    ] = None,
    memory: MemoryOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write every entry as TMX 1.4 (OmegaT, Trados, memoQ import it) or JSONL."""
    from translate_cli.memory.export import EXPORT_FORMATS
    from translate_cli.output import check_output, open_output

    env = environment(ctx)
    env.quiet = quiet
    write = EXPORT_FORMATS.get(EXPORT_FORMATS.check(format, "--format"))
    check_output(output)
    store = _store(memory)
    try:
        with open_output(output, stdout=env.stdout) as out:
            count = write(store.entries(model), out.write)
    finally:
        store.close()
    if store.skipped:
        env.notice(f"skipped {store.skipped} malformed entries of {store.path}")
    if output not in (None, "-"):
        env.notice(f"exported {count} entries to {output}")
