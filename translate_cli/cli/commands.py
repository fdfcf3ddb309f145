"""The commands: each parses its options into a ``Job`` (or calls ``models``), nothing more."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from translate_cli.cli.archive import BATCH_HELP, batch_command, memory_app
from translate_cli.cli.brief import BRIEF_HELP, brief_command
from translate_cli.cli.command_list import COMMANDS
from translate_cli.cli.common import check_llm_options, environment, settings_from
from translate_cli.cli.driver import Io, Job, drive, drive_extract
from translate_cli.cli.options import (
    DOCUMENT_OPTIONS,
    INPUT_HELP,
    LISTING_FORMATS,
    LLM_OPTIONS,
    MODEL_OPTIONS,
    QUIET_OPTION,
    RESULT_FORMATS,
    SUMMARY_OPTIONS,
    TRANSLATE_DOCUMENT_OPTIONS,
    AllowPrivateRedirectsOpt,
    BatchOpt,
    ComputeTypeOpt,
    DeviceOpt,
    EvalBeamsOpt,
    EvalEnginesOpt,
    EvalModelsOpt,
    EvalNoMemoryOpt,
    EvalReferenceArg,
    EvalShortlistOpt,
    EvalSourceArg,
    ExtractFormatOpt,
    GlossaryOpt,
    InputFormatOpt,
    InputsArg,
    ListingFormatOpt,
    NoKeepNamesOpt,
    NoTranslateOpt,
    OcrOpt,
    OutputOpt,
    QuietOpt,
    ResultFormatOpt,
    ThreadsOpt,
    TimeoutOpt,
    TranslationsOpt,
    with_options,
)
from translate_cli.cli.serve import SERVE_HELP, serve_command
from translate_cli.cli.usage import ConventionalCommand
from translate_cli.config import DEFAULT_MODEL
from translate_cli.errors import UsageError
from translate_cli.humanize import format_size
from translate_cli.output import json_document, json_line
from translate_cli.pipeline import Work, resolve_settings
from translate_cli.terminal import PROG

# Every command; the root (root.py) lists them from COMMANDS and loads this module when one runs.
commands_app = typer.Typer(
    name=PROG,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
models_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
models_help = COMMANDS["models"]
commands_app.add_typer(models_app, name="models", short_help=models_help, help=models_help)
commands_app.add_typer(memory_app, name="memory", short_help=COMMANDS["memory"])


def _io(ctx: typer.Context, given: dict[str, Any]) -> Io:
    """What a document command reads and writes, from its ``locals()``."""
    environment(ctx).quiet = bool(given.get("quiet"))
    return Io(
        inputs=given.get("inputs") or [],
        format=given["format"],
        input_format=given["input_format"],
        output=given.get("output"),
    )


def _job(
    ctx: typer.Context, task: str, given: dict[str, Any], options: dict[str, Any] | None = None
) -> Job:
    """A Job from a command's ``locals()``: options named like a setting become settings."""
    work = Work(task, settings_from(given), options or {})
    return Job(_io(ctx, given), work)


F = TypeVar("F", bound=Callable[..., Any])


def _help(summary: str) -> str:
    return f"{summary}\n\n{INPUT_HELP}"


def _command(name: str, help: str | None = None) -> Callable[[F], F]:
    """``commands_app.command`` with its line of the root's list (``COMMANDS``) as its summary, and
    conventional argument names in the usage line."""
    return commands_app.command(name, short_help=COMMANDS[name], help=help, cls=ConventionalCommand)


def _exit(status: int) -> None:
    if status:
        raise typer.Exit(status)


@_command(
    "segment",
    _help("Split an article into sentences (no model needed; works offline)."),
)
@with_options(DOCUMENT_OPTIONS, QUIET_OPTION)
def segment_command(ctx: typer.Context, inputs: InputsArg = None, **options: Any) -> None:
    _exit(drive(_job(ctx, "segment", {"inputs": inputs, **options}), environment(ctx)))


@_command(
    "translate",
    _help("Translate every sentence; output stays aligned sentence by sentence."),
)
@with_options(TRANSLATE_DOCUMENT_OPTIONS, MODEL_OPTIONS, QUIET_OPTION)
def translate_command(ctx: typer.Context, inputs: InputsArg = None, **options: Any) -> None:
    _exit(drive(_job(ctx, "translate", {"inputs": inputs, **options}), environment(ctx)))


@_command(
    "summarize",
    _help("Bilingual summary: picks the key sentences and translates only those."),
)
@with_options(SUMMARY_OPTIONS, LLM_OPTIONS, DOCUMENT_OPTIONS, MODEL_OPTIONS, QUIET_OPTION)
def summarize_command(
    ctx: typer.Context,
    inputs: InputsArg = None,
    no_translate: NoTranslateOpt = False,
    **options: Any,
) -> None:
    given = {"inputs": inputs, **options}
    job = _job(ctx, "summarize", given, options={"translate": not no_translate})
    check_llm_options(job.work.settings, **options)
    _exit(drive(job, environment(ctx)))


@_command(
    "run",
    _help("The whole report: every sentence translated, plus the bilingual summary."),
)
@with_options(SUMMARY_OPTIONS, DOCUMENT_OPTIONS, MODEL_OPTIONS, QUIET_OPTION)
def run_command(ctx: typer.Context, inputs: InputsArg = None, **options: Any) -> None:
    _exit(drive(_job(ctx, "run", {"inputs": inputs, **options}), environment(ctx)))


@_command(
    "extract",
    _help(
        "The clean article of a web page or document: title, then paragraphs, blank lines "
        "between (--format json adds the url, title, date, author, site). No model needed."
    ),
)
def extract_command(
    ctx: typer.Context,
    inputs: InputsArg = None,
    format: ExtractFormatOpt = "text",
    output: OutputOpt = None,
    input_format: InputFormatOpt = "auto",
    timeout: TimeoutOpt = None,
    allow_private_redirects: AllowPrivateRedirectsOpt = None,
    ocr: OcrOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The clean article of a web page, for pipelines that want only that."""
    given = locals()
    _exit(drive_extract(_io(ctx, given), settings_from(given), environment(ctx)))


_command("batch", BATCH_HELP)(batch_command)  # archives: see cli/archive.py
_command("brief", BRIEF_HELP)(brief_command)  # briefings: see cli/brief.py


@_command("eval")
def eval_command(
    ctx: typer.Context,
    source: EvalSourceArg,
    reference: EvalReferenceArg = None,
    model: EvalModelsOpt = None,
    engine: EvalEnginesOpt = None,
    beam_size: EvalBeamsOpt = None,
    shortlist: EvalShortlistOpt = None,
    format: ResultFormatOpt = "text",
    translations: TranslationsOpt = None,
    batch_size: BatchOpt = None,
    device: DeviceOpt = None,
    compute_type: ComputeTypeOpt = None,
    threads: ThreadsOpt = None,
    no_memory: EvalNoMemoryOpt = False,  # accepted; eval never uses the memory
    glossary: GlossaryOpt = None,
    no_keep_names: NoKeepNamesOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Score models on parallel text: BLEU and chrF (sacrebleu), speed, side by side.

    Each SOURCE line is translated as `translate --input-format jsonl` translates a record,
    without the translation memory.
    """
    from pathlib import Path

    from translate_cli.evaluate import (
        evaluate,
        read_pairs,
        render_json,
        render_text,
        write_translations,
    )

    env = environment(ctx)
    env.quiet = quiet
    fmt = RESULT_FORMATS.check(format)
    shared = {
        "batch_size": batch_size,
        "device": device,
        "compute_type": compute_type,
        "glossary": glossary,
        "keep_names": False if no_keep_names else None,
    }
    unset: list[str | None] = [None]  # not given: the environment, config file or default
    variants = [
        resolve_settings(
            {**shared, "threads": threads, "model": m, "engine": e, "beam_size": b, "shortlist": s}
        )
        for m in (model or unset)
        for e in (engine or unset)
        for b in (beam_size or unset)
        for s in (shortlist or unset)
    ]
    if translations is not None:
        try:
            Path(translations).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UsageError(f"--translations: cannot create {translations}: {error}") from None
    sources, references = read_pairs(source, reference, stdin=env.stdin)
    results = []
    for settings in variants:
        result = evaluate(settings, sources, references, hooks=env)
        env.notice(
            f"{result.model} ({result.engine_label}, beam {result.beam_size}): "
            f"BLEU {result.bleu:.2f}, chrF {result.chrf:.2f}, "
            f"{result.sentences} segments in {result.seconds:.1f} s"
        )
        results.append(result)
    if translations is not None:
        for path in write_translations(results, translations):
            env.notice(f"translations written to {path}")
    env.stdout.write((render_json(results) if fmt == "json" else render_text(results)).encode())
    env.stdout.flush()


_command("serve", SERVE_HELP)(serve_command)  # the server: see cli/serve.py


# --- models ---------------------------------------------------------------------------------


def _family_title(name: str | None) -> str:
    from translate_cli.models.family import FAMILIES

    return FAMILIES.get(name).title if name else "?"


@models_app.command(
    "list", short_help="Cached models: sizes, families, licences.", cls=ConventionalCommand
)
def models_list(ctx: typer.Context, format: ListingFormatOpt = "text") -> None:
    """Show the models in the local Hugging Face cache: sizes, families, licences."""
    from translate_cli.models import hub_cache_dir, list_models

    env = environment(ctx)
    fmt = LISTING_FORMATS.check(format)
    models = list_models()
    out = env.stdout
    if fmt != "text":
        records = [
            {
                "name": m.name,
                "size_bytes": m.size_bytes,
                "files": m.files,
                "path": str(m.path),
                "translation_model": m.translation_model,
                "family": m.family,
                "license": m.license,
            }
            for m in models
        ]
        if fmt == "json":
            text = json_document(records)
        else:
            text = "".join(json_line(item) for item in records)
        out.write(text.encode())
        out.flush()
        return
    if not models:
        env.notice(f"no models cached in {hub_cache_dir()}")
        return
    width = max(len(m.name) for m in models)
    lines = [
        f"{m.name:<{width}}  {format_size(m.size_bytes):>9}"
        + (
            f"  {_family_title(m.family):<8}  {(m.license or 'licence unknown').upper()}"
            if m.translation_model
            else "  (not a translation model)"
        )
        for m in models
    ]
    out.write(("\n".join(lines) + "\n").encode())
    out.flush()


@models_app.command(
    "pull", short_help="Download a model into the Hugging Face cache.", cls=ConventionalCommand
)
def models_pull(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Hub model name.")] = DEFAULT_MODEL,
    quiet: QuietOpt = False,
) -> None:
    """Download a model into the Hugging Face cache (tokenizer, config, one weights file)."""
    from translate_cli.models import pull_model

    env = environment(ctx)
    env.quiet = quiet
    path = pull_model(name, progress=env.shows_progress)
    env.notice(f"{name} is ready at {path}")


@models_app.command(
    "shortlist",
    short_help="Build a model's vocabulary shortlist from parallel text (--shortlist).",
    cls=ConventionalCommand,
)
def models_shortlist(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="MODEL", help="Model name or folder.")],
    parallel: Annotated[
        list[Path],
        typer.Argument(
            metavar="PARALLEL_TEXT",
            help="Indonesian-English text: NAME.id with NAME.en beside it, or a .tsv.",
        ),
    ],
    per_source: Annotated[
        int | None,
        typer.Option(
            "--per-source",
            min=1,
            max=1000,
            metavar="N",
            help="Target tokens kept a source token [30].",
        ),
    ] = None,
    frequent: Annotated[
        int | None,
        typer.Option(
            "--frequent", min=0, max=50_000, metavar="N", help="Target tokens always allowed [200]."
        ),
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Build MODEL's vocabulary shortlist (CTranslate2's vocabulary map) from parallel text,
    with the model's own tokenizer; `--shortlist` then decodes over it."""
    from translate_cli.models import resolve_model
    from translate_cli.models import shortlist as shortlists

    env = environment(ctx)
    env.quiet = quiet
    model_dir = resolve_model(name, progress=env.shows_progress)
    pairs = shortlists.read_parallel(parallel)
    sizes = {"per_source": per_source, "frequent": frequent}
    built = shortlists.build(model_dir, pairs, **{k: v for k, v in sizes.items() if v is not None})
    path = shortlists.save(model_dir, built)
    env.notice(
        f"shortlist of {name} from {built.pairs} sentence pairs: {len(built.by_source)} source "
        f"tokens, {len(built.always)} always allowed; written to {path}"
    )


@models_app.command(
    "remove", short_help="Delete a cached model and its converted copies.", cls=ConventionalCommand
)
def models_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="Cached model name.")],
    quiet: QuietOpt = False,
) -> None:
    """Delete a model from the Hugging Face cache, with its converted copies."""
    from translate_cli.models import remove_model

    env = environment(ctx)
    env.quiet = quiet
    freed = remove_model(name)
    env.notice(f"removed {name} ({format_size(freed)} freed)")
