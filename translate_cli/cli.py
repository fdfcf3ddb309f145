"""The command line: parse options → resolve settings → call the pipeline → render.

This is the one place errors become exit codes (see ``errors.ExitStatus`` and the README).
Heavy modules (torch, transformers) are imported only by the commands that translate.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import fields
from enum import Enum, StrEnum
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer

from translate_cli import __version__
from translate_cli.config import DEFAULT_MODEL, Settings, resolve_settings
from translate_cli.errors import ExitStatus, TranslateCliError, UsageError
from translate_cli.io import Record, open_output, read_records
from translate_cli.pipeline import (
    Report,
    Translator,
    extract_summary,
    translate_document,
    untranslated,
    whole_sentence_translations,
)
from translate_cli.render import (
    report_record,
    stream_plain,
    stream_sentences,
    write_json_line,
    write_report,
)
from translate_cli.report import TranslatedSentence
from translate_cli.segment import segment

if TYPE_CHECKING:
    from translate_cli.document import Document
    from translate_cli.summarize.llm import LLMSummarizer

PROG = "translate-cli"

app = typer.Typer(
    name=PROG,
    help="Translate Indonesian news into English, sentence by sentence, and summarise it.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
models_app = typer.Typer(help="List, download and remove cached models.", no_args_is_help=True)
app.add_typer(models_app, name="models")


class Format(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    jsonl = "jsonl"


class InputFormat(StrEnum):
    text = "text"
    jsonl = "jsonl"


class Engine(StrEnum):
    auto = "auto"
    transformers = "transformers"
    ctranslate2 = "ctranslate2"


class Device(StrEnum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


class Summarizer(StrEnum):
    extractive = "extractive"
    llm = "llm"


# --- shared options ---------------------------------------------------------------------------
InputArg = Annotated[
    str | None,
    typer.Argument(
        help="Article file, or '-' for stdin (read when piped and omitted).", show_default=False
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[
    str | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")
]
InputFormatOpt = Annotated[
    InputFormat,
    typer.Option("--input-format", help='jsonl: one {"id", "text"} object per line (batch mode).'),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notices on stderr.")]
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help=f"Hub name or local OPUS-MT folder (default: {DEFAULT_MODEL})",
        show_default=False,
    ),
]
BeamOpt = Annotated[
    int | None,
    typer.Option("--beam-size", min=1, help="Beam width (default: 4)", show_default=False),
]
BatchOpt = Annotated[
    int | None,
    typer.Option(
        "--batch-size", min=1, help="Most sentences per batch (default: 32)", show_default=False
    ),
]
DeviceOpt = Annotated[
    Device | None,
    typer.Option("--device", help="cpu, cuda or auto (default: auto)", show_default=False),
]
EngineOpt = Annotated[
    Engine | None,
    typer.Option(
        "--engine", help="auto, transformers or ctranslate2 (default: auto)", show_default=False
    ),
]
ComputeTypeOpt = Annotated[
    str | None,
    typer.Option(
        "--compute-type",
        help="Engine precision, e.g. int8, float32 (default: auto)",
        show_default=False,
    ),
]
ThreadsOpt = Annotated[
    int | None,
    typer.Option(
        "--threads", min=0, help="CPU threads (0: all cores) (default: 0)", show_default=False
    ),
]


def _check_ratio(value: float | None) -> float | None:
    if value is not None and not 0 < value <= 1:
        raise typer.BadParameter("must be more than 0 and at most 1")
    return value


SentencesOpt = Annotated[
    int | None,
    typer.Option(
        "--sentences", "-n", min=1, show_default=False, help="Sentences in the summary (default: 3)"
    ),
]
RatioOpt = Annotated[
    float | None,
    typer.Option(
        "--ratio",
        callback=_check_ratio,
        show_default=False,
        help="Summary length as a share of the article's sentences, in (0, 1]; overrides -n.",
    ),
]


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    traceback: Annotated[
        bool,
        typer.Option(
            "--traceback",
            envvar="TRANSLATE_CLI_TRACEBACK",
            help="Show the Python traceback on errors (for bug reports).",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    ctx.obj = {"traceback": traceback}


# --- the one place errors become exit codes -----------------------------------------------------
def _error(message: str, hint: str | None = None) -> None:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    if hint:
        sys.stderr.write(f"{PROG}: {hint}\n")


@contextmanager
def _exit_codes(ctx: typer.Context) -> Iterator[None]:
    show_traceback = bool((ctx.obj or {}).get("traceback"))
    try:
        yield
    except TranslateCliError as error:
        if show_traceback:
            raise
        _error(error.message, error.hint)
        raise typer.Exit(int(error.exit_status)) from None
    except KeyboardInterrupt:
        sys.stderr.write(f"\n{PROG}: interrupted\n")
        raise typer.Exit(int(ExitStatus.INTERRUPTED)) from None
    except BrokenPipeError:
        # The reader went away (`| head`): that is not an error. Point stdout at /dev/null so
        # the interpreter's final flush does not complain either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(int(ExitStatus.OK)) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as error:
        if show_traceback:
            raise
        _error(
            f"unexpected {type(error).__name__}: {error}", "rerun with --traceback and report it"
        )
        raise typer.Exit(int(ExitStatus.FAILURE)) from None


# --- helpers shared by the commands ---------------------------------------------------------------
def _settings(options: dict[str, Any]) -> Settings:
    """Settings from a command's options (its ``locals()``): the ones named like a field."""
    names = {field.name for field in fields(Settings)}
    flags = {k: v.value if isinstance(v, Enum) else v for k, v in options.items() if k in names}
    return resolve_settings(flags)


def _stdout_is_tty(output: str | None) -> bool:
    return (output is None or output == "-") and sys.stdout.isatty()


def _progress_enabled(quiet: bool) -> bool:
    return not quiet and sys.stderr.isatty()


@contextmanager
def _progress(enabled: bool, total: int, label: str) -> Iterator[Callable[[float], None] | None]:
    """A progress bar on stderr (terminal only); yields the callback engines report to."""
    if not enabled or total == 0:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.advance(task, done)


def _load_model(translator: Translator, quiet: bool) -> None:
    """Load the model now (under a spinner on a terminal) so errors surface before output."""
    # Notices such as an engine fallback: one prefixed line on stderr, none with --quiet.
    import logging

    notices = logging.getLogger("translate_cli")
    for old in list(notices.handlers):  # a handler holds the stderr of its time (tests swap it)
        notices.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{PROG}: %(message)s"))
    notices.addHandler(handler)
    notices.propagate = False
    notices.setLevel(logging.ERROR if quiet else logging.WARNING)
    if _progress_enabled(quiet):
        from rich.console import Console

        with Console(stderr=True).status(f"Loading {translator.settings.model}…"):
            _ = translator.engine
    else:
        _ = translator.engine


def _documents(
    input: str | None, input_format: InputFormat, translator: Translator | None, quiet: bool
) -> Iterator[tuple[Record, Document]]:
    """Each input document, segmented; the model loads before the first one that needs it.

    An empty plain-text input yields nothing (it prints nothing); an empty batch line still
    yields its document, so every input line gets its output line.
    """
    for record in read_records(input, input_format.value):
        document = segment(record.text)
        if not document.sentences and input_format is InputFormat.text:
            continue
        if translator is not None and document.sentences:
            _load_model(translator, quiet)
        yield record, document


def _check_format(fmt: Format, input_format: InputFormat) -> str:
    # Batch mode always writes one JSON object per input document.
    return "jsonl" if input_format is InputFormat.jsonl else fmt.value


def _with_id(record: Record, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": record.id, **data}


# --- commands -------------------------------------------------------------------------------------
@app.command("segment")
def segment_command(
    ctx: typer.Context,
    input: InputArg = None,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    input_format: InputFormatOpt = InputFormat.text,
    quiet: QuietOpt = False,
) -> None:
    """Split an article into sentences (no model needed; works offline)."""
    with _exit_codes(ctx), open_output(output) as out:
        fmt = _check_format(format, input_format)
        for record in read_records(input, input_format.value):
            document = segment(record.text)
            report = Report(model=None, sentences=untranslated(document))
            if input_format is InputFormat.jsonl:
                write_json_line(out, _with_id(record, report_record(report, "segment")))
            elif not document.sentences:
                continue
            elif fmt == "jsonl":
                stream_sentences(out, report.sentences, with_translation=False)
            elif fmt == "text":
                stream_plain(out, report.sentences, english=False)
            else:
                write_report(out, report, "segment", fmt, tty=False)


@app.command("translate")
def translate_command(
    ctx: typer.Context,
    input: InputArg = None,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    input_format: InputFormatOpt = InputFormat.text,
    model: ModelOpt = None,
    beam_size: BeamOpt = None,
    batch_size: BatchOpt = None,
    device: DeviceOpt = None,
    engine: EngineOpt = None,
    compute_type: ComputeTypeOpt = None,
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Translate every sentence; output stays aligned sentence by sentence."""
    with _exit_codes(ctx):
        settings = _settings(locals())
        translator = Translator(settings, show_download_progress=_progress_enabled(quiet))
        fmt = _check_format(format, input_format)
        tty = _stdout_is_tty(output)
        with open_output(output) as out:
            for record, document in _documents(input, input_format, translator, quiet):
                with _progress(
                    _progress_enabled(quiet), len(document.sentences), "Translating"
                ) as progress:
                    items = translate_document(document, translator, progress)
                    if input_format is InputFormat.jsonl:
                        report = Report(settings.model, tuple(items))
                        write_json_line(out, _with_id(record, report_record(report, "translate")))
                    elif fmt == "jsonl":
                        stream_sentences(out, items, with_translation=True)
                    elif fmt == "text" and not tty:
                        stream_plain(out, items, english=True)
                    else:
                        report = Report(settings.model, tuple(items))
                        write_report(out, report, "translate", fmt, tty=tty)


@app.command("summarize")
def summarize_command(
    ctx: typer.Context,
    input: InputArg = None,
    sentences: SentencesOpt = None,
    ratio: RatioOpt = None,
    no_translate: Annotated[
        bool, typer.Option("--no-translate", help="Indonesian summary only; no model needed.")
    ] = False,
    summarizer: Annotated[
        Summarizer,
        typer.Option(
            "--summarizer",
            help="extractive: quote the key sentences; llm: an abstract "
            "written by a language model (see --llm-url, --llm-model).",
        ),
    ] = Summarizer.extractive,
    llm_url: Annotated[
        str | None,
        typer.Option(
            "--llm-url",
            metavar="URL",
            show_default=False,
            help="OpenAI-compatible chat server (llama.cpp, Ollama, vLLM, hosted); "
            "API key from $TRANSLATE_CLI_LLM_API_KEY or $OPENAI_API_KEY.",
        ),
    ] = None,
    llm_model: Annotated[
        str | None,
        typer.Option(
            "--llm-model",
            metavar="NAME",
            show_default=False,
            help="Model name on the server; without --llm-url, a local "
            "text-generation model folder or cached hub name.",
        ),
    ] = None,
    llm_timeout: Annotated[
        float | None,
        typer.Option(
            "--llm-timeout",
            min=0.1,
            metavar="SECONDS",
            help="Longest wait for each answer from the server (default: 120).",
            show_default=False,
        ),
    ] = None,
    prompt: Annotated[
        list[str] | None,
        typer.Option(
            "--prompt",
            metavar="[NAME=]FILE",
            show_default=False,
            help="Use FILE as prompt template NAME (summary-en, summary-id, system); repeatable.",
        ),
    ] = None,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    input_format: InputFormatOpt = InputFormat.text,
    model: ModelOpt = None,
    beam_size: BeamOpt = None,
    batch_size: BatchOpt = None,
    device: DeviceOpt = None,
    engine: EngineOpt = None,
    compute_type: ComputeTypeOpt = None,
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Bilingual summary: picks the key sentences and translates only those."""
    with _exit_codes(ctx):
        settings = _settings(locals())
        translator = (
            None
            if no_translate
            else Translator(settings, show_download_progress=_progress_enabled(quiet))
        )
        llm = _llm_summarizer(
            summarizer,
            settings.llm_url or None,
            settings.llm_model or None,
            settings.llm_timeout,
            prompt,
            settings,
        )
        fmt = _check_format(format, input_format)
        tty = _stdout_is_tty(output)
        with open_output(output) as out:
            for record, document in _documents(input, input_format, translator, quiet):
                if llm is not None:
                    report = _llm_report(
                        document, llm, translator, settings.sentences, ratio, quiet
                    )
                else:
                    title, summary = extract_summary(
                        document, settings.sentences, ratio, translator=translator
                    )
                    translated = whole_sentence_translations(document, (title, *summary))
                    report = Report(
                        model=settings.model if translator else None,
                        sentences=tuple(
                            TranslatedSentence(s, translated.get(s.index))
                            for s in document.sentences
                        ),
                        title=title,
                        summary=summary,
                    )
                if input_format is InputFormat.jsonl:
                    write_json_line(out, _with_id(record, report_record(report, "summarize")))
                else:
                    write_report(out, report, "summarize", fmt, tty=tty)


def _llm_summarizer(
    summarizer: Summarizer,
    url: str | None,
    model: str | None,
    timeout: float,
    prompts: list[str] | None,
    settings: Settings,
) -> LLMSummarizer | None:
    """The LLM summariser the options ask for (templates checked now), or None: extractive."""
    if summarizer is Summarizer.extractive:
        given = [
            flag
            for flag, value in (("--llm-url", url), ("--llm-model", model), ("--prompt", prompts))
            if value
        ]
        if given:
            raise UsageError(f"{given[0]} needs --summarizer llm")
        return None
    from translate_cli.summarize.llm import LLMSummarizer

    return LLMSummarizer.from_options(
        url, model, timeout=timeout, prompt_options=prompts or (), device=settings.device
    )


def _llm_report(
    document: Document,
    llm: LLMSummarizer,
    translator: Translator | None,
    sentences: int,
    ratio: float | None,
    quiet: bool,
) -> Report:
    """An abstract written by the LLM. With translation on, the whole article is translated
    first: the English prompt gets it as $translation, and the report shows every sentence."""
    items = untranslated(document)
    translations: list[str] | None = None
    if translator is not None and document.sentences:
        with _progress(
            _progress_enabled(quiet), len(document.sentences), "Translating"
        ) as progress:
            items = tuple(translate_document(document, translator, progress))
        translations = [item.translation or "" for item in items]
    title, _ = extract_summary(document, sentences, ratio, translations=translations)
    if _progress_enabled(quiet) and document.sentences:
        from rich.console import Console

        waiting: Any = Console(stderr=True).status(f"Writing the abstract with {llm.client.name}…")
    else:
        waiting = nullcontext()
    with waiting:
        summary = llm.summarize(
            document, translations, sentences=sentences, ratio=ratio, english=translator is not None
        )
    model = translator.settings.model if translator is not None else None
    return Report(model=model, sentences=items, title=title, summary=summary)


@app.command("run")
def run_command(
    ctx: typer.Context,
    input: InputArg = None,
    sentences: SentencesOpt = None,
    ratio: RatioOpt = None,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    input_format: InputFormatOpt = InputFormat.text,
    model: ModelOpt = None,
    beam_size: BeamOpt = None,
    batch_size: BatchOpt = None,
    device: DeviceOpt = None,
    engine: EngineOpt = None,
    compute_type: ComputeTypeOpt = None,
    threads: ThreadsOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """The whole report: every sentence translated, plus the bilingual summary."""
    with _exit_codes(ctx):
        settings = _settings(locals())
        translator = Translator(settings, show_download_progress=_progress_enabled(quiet))
        fmt = _check_format(format, input_format)
        tty = _stdout_is_tty(output)
        with open_output(output) as out:
            for record, document in _documents(input, input_format, translator, quiet):
                with _progress(
                    _progress_enabled(quiet), len(document.sentences), "Translating"
                ) as progress:
                    items = tuple(translate_document(document, translator, progress))
                title, summary = extract_summary(
                    document,
                    settings.sentences,
                    ratio,
                    translations=[i.translation for i in items],
                    translator=translator,
                )
                report = Report(settings.model, items, title=title, summary=summary)
                if input_format is InputFormat.jsonl:
                    write_json_line(out, _with_id(record, report_record(report, "run")))
                else:
                    write_report(out, report, "run", fmt, tty=tty)


# --- models ---------------------------------------------------------------------------------
def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


@models_app.command("list")
def models_list(
    ctx: typer.Context,
    format: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
) -> None:
    """Show the models in the local Hugging Face cache, with sizes."""
    import json

    from translate_cli.models import hub_cache_dir, list_models

    with _exit_codes(ctx):
        models = list_models()
        if format in (Format.json, Format.jsonl):
            records = [
                {
                    "name": m.name,
                    "size_bytes": m.size_bytes,
                    "files": m.files,
                    "path": str(m.path),
                    "translation_model": m.translation_model,
                }
                for m in models
            ]
            if format is Format.json:
                typer.echo(json.dumps(records, indent=2))
            else:
                for item in records:
                    typer.echo(json.dumps(item))
            return
        if not models:
            sys.stderr.write(f"no models cached in {hub_cache_dir()}\n")
            return
        width = max(len(m.name) for m in models)
        for m in models:
            kind = "" if m.translation_model else "  (not a translation model)"
            typer.echo(f"{m.name:<{width}}  {_size(m.size_bytes):>9}{kind}")


@models_app.command("pull")
def models_pull(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Hub model name.")] = DEFAULT_MODEL,
    quiet: QuietOpt = False,
) -> None:
    """Download a model into the Hugging Face cache (tokenizer, config, one weights file)."""
    from translate_cli.models import pull_model

    with _exit_codes(ctx):
        path = pull_model(name, progress=_progress_enabled(quiet))
        if not quiet:
            sys.stderr.write(f"{name} is ready at {path}\n")


@models_app.command("remove")
def models_remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Cached model name.")],
    quiet: QuietOpt = False,
) -> None:
    """Delete a model from the Hugging Face cache."""
    from translate_cli.models import remove_model

    with _exit_codes(ctx):
        freed = remove_model(name)
        if not quiet:
            sys.stderr.write(f"removed {name} ({_size(freed)} freed)\n")


def main() -> None:
    """Console-script entry point."""
    try:
        app(prog_name=PROG)
    except BrokenPipeError:  # raised while click itself writes (e.g. --help | head)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(int(ExitStatus.OK))


__all__ = ["app", "main"]
_ = (nullcontext, IO, UsageError)
