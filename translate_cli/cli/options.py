"""Option declarations shared by the commands; choices come from the registries.

Every option that is also a setting is declared as text and checked by ``config`` (the same
messages for a flag, an environment variable and a config-file key), so typer never prints
its own boxed parse errors for them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, cast

import typer

from translate_cli.batch.choices import COMMANDS, EXECUTORS, OUTPUT_FORMATS
from translate_cli.cli.driver import COPY_FORMATS, EXTRACT_FORMATS
from translate_cli.config import BOUNDS, DEFAULT_MODEL, DEVICES, Settings
from translate_cli.inputs import INPUT_FORMATS
from translate_cli.registry import Registry
from translate_cli.render import FORMATS

_DEFAULTS = Settings()


def complete_from(
    choices: Registry[Any] | Callable[[], Registry[Any]],
) -> Callable[[str], list[tuple[str, str]]]:
    """Shell completion of an option's values: the names in ``choices`` (a registry, or a
    function returning one whose module is imported only then), each with its help; hidden
    entries are not offered. Read at completion time, so a plug-in's entries are offered too."""

    def complete(incomplete: str) -> list[tuple[str, str]]:
        registry = choices if isinstance(choices, Registry) else choices()
        start = incomplete.lower()
        return [(e.name, e.help) for e in registry.entries() if e.name.startswith(start)]

    return complete


def _engines() -> Registry[Any]:
    from translate_cli.engines import ENGINES

    return ENGINES


def _summarizers() -> Registry[Any]:
    from translate_cli.summarize import SUMMARIZERS

    return SUMMARIZERS


def _export_formats() -> Registry[Any]:
    from translate_cli.memory.export import EXPORT_FORMATS

    return EXPORT_FORMATS


def _choices(names: tuple[str, ...], default: str) -> str:
    return f"{', '.join(names)} (default: {default})"


def _choice_option(
    flag: str,
    choices: Registry[Any] | Callable[[], Registry[Any]],
    default: str,
    *,
    metavar: str,
) -> Any:
    """An option whose values are a registry's names: listed in its help, offered by shell
    completion; the registry checks the value where it is used."""
    registry = choices if isinstance(choices, Registry) else choices()
    return typer.Option(
        flag,
        metavar=metavar,
        show_default=False,
        help=_choices(registry.names(), default),
        autocompletion=complete_from(choices),
    )


def _most(name: str) -> str:
    return f"{BOUNDS[name].maximum:g}"


def _described(choices: Registry[Any], default: str) -> str:
    """Each choice, with its help in parentheses where it has one, then the default."""
    named = [f"{e.name} ({e.help})" if e.help else e.name for e in choices.entries()]
    return f"{', '.join(named)} (default: {default})"


def _format_option(
    formats: Registry[Any], default: str = "text", copies: Registry[Any] | None = None
) -> Any:
    """``-f/--format``, its help listing the choices of ``formats``, then the document copies
    (``copies``) a command also writes."""
    more = "".join(f" or {e.name}, {e.help}" for e in (copies or Registry("")).entries())
    return typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        show_default=False,
        help=_choices(formats.names(), default) + more,
        autocompletion=complete_from(formats),
    )


def _data_formats(*names: str) -> Registry[str]:
    """The ``--format`` choices of a command that prints data rather than a Report: its own
    text, or JSON written by ``translate_cli.output`` (``json_document``, ``json_line``)."""
    formats: Registry[str] = Registry("format")
    for name in names:
        formats.register(name, name)
    return formats


LISTING_FORMATS = _data_formats("text", "json", "jsonl")  # models list: a list of records
RESULT_FORMATS = _data_formats("text", "json")  # eval, memory stats: one object


INPUT_HELP = (
    "INPUT is one or more article files (text, HTML, PDF or Word .docx), http(s) URLs of news "
    "pages or documents, or '-' for stdin (read when piped and none is given)."
)
InputsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="INPUT",
        show_default=False,
        hidden=True,  # described in each command's help (typer would print "<list[str]>")
    ),
]
FormatOpt = Annotated[str, _format_option(FORMATS)]
TranslateFormatOpt = Annotated[str, _format_option(FORMATS, copies=COPY_FORMATS)]
ExtractFormatOpt = Annotated[str, _format_option(EXTRACT_FORMATS)]
ListingFormatOpt = Annotated[str, _format_option(LISTING_FORMATS)]
ResultFormatOpt = Annotated[str, _format_option(RESULT_FORMATS)]
OutputOpt = Annotated[
    str | None,
    typer.Option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
]
InputFormatOpt = Annotated[
    str,
    typer.Option(
        "--input-format",
        metavar="FORMAT",
        help=_described(INPUT_FORMATS, "auto"),
        show_default=False,
        autocompletion=complete_from(INPUT_FORMATS),
    ),
]
TimeoutOpt = Annotated[
    str | None,
    typer.Option(
        "--timeout",
        metavar="SECONDS",
        show_default=False,
        help=f"Longest wait for a web page given as a URL (default: {_DEFAULTS.timeout:g})",
    ),
]
AllowPrivateRedirectsOpt = Annotated[
    bool | None,  # None: not given, so the environment or config file decides
    typer.Option(
        "--allow-private-redirects",
        show_default=False,
        help="Follow a redirect from a public address to a private one (this machine, a "
        "private network, 169.254.169.254); refused by default.",
    ),
]
OcrOpt = Annotated[
    bool | None,  # None: not given, so the environment or config file decides
    typer.Option(
        "--ocr",
        show_default=False,
        help="Read scanned PDF pages (no text layer) with Tesseract OCR (tesseract-ocr-ind).",
    ),
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Nothing on stderr but errors.", show_default=False)
]
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        metavar="NAME|DIR",
        show_default=False,
        help=f"Hub name or local model folder (default: {DEFAULT_MODEL})",
    ),
]
EngineOpt = Annotated[
    str | None, _choice_option("--engine", _engines, _DEFAULTS.engine, metavar="ENGINE")
]
BeamOpt = Annotated[
    str | None,
    typer.Option(
        "--beam-size",
        metavar="N",
        show_default=False,
        help=f"Beam width, 1-{_most('beam_size')} (default: {_DEFAULTS.beam_size})",
    ),
]
BatchOpt = Annotated[
    str | None,
    typer.Option(
        "--batch-size",
        metavar="N",
        show_default=False,
        help=f"Most sentences a batch, 1-{_most('batch_size')} (default: {_DEFAULTS.batch_size})",
    ),
]
DeviceOpt = Annotated[
    str | None, _choice_option("--device", DEVICES, _DEFAULTS.device, metavar="DEVICE")
]
ComputeTypeOpt = Annotated[
    str | None,
    typer.Option(
        "--compute-type",
        metavar="TYPE",
        show_default=False,
        help="Engine precision: int8, float32, float16, ... (default: auto)",
    ),
]
ThreadsOpt = Annotated[
    str | None,
    typer.Option(
        "--threads",
        metavar="N",
        show_default=False,
        help=f"CPU threads, 0 = all cores, at most {_most('threads')} (default: 0)",
    ),
]
SentencesOpt = Annotated[
    str | None,
    typer.Option(
        "--sentences",
        "-n",
        metavar="N",
        show_default=False,
        help=f"Sentences in the summary (default: {_DEFAULTS.sentences})",
    ),
]
RatioOpt = Annotated[
    str | None,
    typer.Option(
        "--ratio",
        metavar="R",
        show_default=False,
        help="Summary length as a share of the article's sentences, in (0, 1]; overrides -n.",
    ),
]
SummarizerOpt = Annotated[
    str | None, _choice_option("--summarizer", _summarizers, _DEFAULTS.summarizer, metavar="NAME")
]
LlmUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--llm-url",
        metavar="URL",
        show_default=False,
        help="OpenAI-compatible chat server (llama.cpp, Ollama, vLLM, hosted); API key from "
        "$TRANSLATE_CLI_LLM_API_KEY or $OPENAI_API_KEY.",
    ),
]
LlmModelOpt = Annotated[
    str | None,
    typer.Option(
        "--llm-model",
        metavar="NAME",
        show_default=False,
        help="Model name on the server; without --llm-url, a local text-generation model "
        "folder or cached hub name.",
    ),
]
LlmTimeoutOpt = Annotated[
    str | None,
    typer.Option(
        "--llm-timeout",
        metavar="SECONDS",
        show_default=False,
        help=f"Longest wait for each answer from the server (default: {_DEFAULTS.llm_timeout:g})",
    ),
]
PromptOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--prompt",
        metavar="[NAME=]FILE",
        show_default=False,
        help="Use FILE as prompt template NAME (summary-en, summary-id, system); repeatable.",
    ),
]
NoTranslateOpt = Annotated[
    bool,
    typer.Option(
        "--no-translate", help="Indonesian summary only; no model needed.", show_default=False
    ),
]
MemoryOpt = Annotated[
    str | None,
    typer.Option(
        "--memory",
        metavar="PATH",
        show_default=False,
        help="Translation memory database (default: <cache dir>/translate-cli/memory.sqlite3).",
    ),
]
NoMemoryOpt = Annotated[
    bool | None,  # None: not given, so the environment or config file decides
    typer.Option(
        "--no-memory",
        help="Translate everything afresh; neither read nor write the translation memory.",
        show_default=False,
    ),
]
GlossaryOpt = Annotated[
    str | None,
    typer.Option(
        "--glossary",
        metavar="FILE",
        show_default=False,
        help="Enforce the terms of FILE (UTF-8 TSV: source<TAB>target a line; see docs/terms.md).",
    ),
]
NoKeepNamesOpt = Annotated[
    bool,
    typer.Option(
        "--no-keep-names",
        show_default=False,
        help="Translate names and acronyms freely (default: kept as written unless the "
        "glossary maps them).",
    ),
]
TranslateAllOpt = Annotated[
    bool | None,
    typer.Option(
        "--translate-all",
        show_default=False,
        help="Send every sentence to the model, even those already in English (kept by default).",
    ),
]

# --- eval: the variant options repeat; each combination is one result -----------------------
EvalNoMemoryOpt = Annotated[
    bool,
    typer.Option(
        "--no-memory",
        help="Accepted, changes nothing: eval never reads or writes the translation memory "
        "(its speed and scores are the model's).",
        show_default=False,
    ),
]
EvalSourceArg = Annotated[
    str,
    typer.Argument(
        metavar="SOURCE",
        show_default=False,
        help="Indonesian, one segment a line ('-': stdin); or one TSV/JSONL file with source "
        "and reference columns when REFERENCE is not given.",
    ),
]
EvalReferenceArg = Annotated[
    str | None,
    typer.Argument(
        metavar="REFERENCE",
        show_default=False,
        help="English reference translations, line-aligned with SOURCE.",
    ),
]
EvalModelsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        "-m",
        metavar="NAME|DIR",
        show_default=False,
        help=f"Model to evaluate; repeat to compare (default: {DEFAULT_MODEL})",
    ),
]
EvalEnginesOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--engine",
        metavar="ENGINE",
        show_default=False,
        help=f"{_choices(_engines().names(), _DEFAULTS.engine)}; repeat to compare",
        autocompletion=complete_from(_engines),
    ),
]
EvalBeamsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--beam-size",
        metavar="N",
        show_default=False,
        help=f"Beam width, 1-{_most('beam_size')}; repeat to compare "
        f"(default: {_DEFAULTS.beam_size})",
    ),
]
EvalShortlistOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--shortlist",
        metavar="on|off",
        show_default=False,
        help="Decode over the model's vocabulary shortlist (CTranslate2); "
        "--shortlist off --shortlist on compares (default: off)",
    ),
]
TranslationsOpt = Annotated[
    str | None,
    typer.Option(
        "--translations",
        metavar="DIR",
        show_default=False,
        help="Write each result's translations to DIR, one line per source line.",
    ),
]
FlagBelowOpt = Annotated[
    str | None,
    typer.Option(
        "--flag-below",
        metavar="SCORE",
        show_default=False,
        help="Flag a sentence low-confidence when its score (mean log-probability per token, "
        f"<= 0) is below SCORE (default: {_DEFAULTS.flag_below:g})",
    ),
]
GuardOpt = Annotated[
    bool | None,
    typer.Option(
        "--guard/--no-guard",
        show_default=False,
        help="Decode looping outputs again with repetition penalties (default: on).",
    ),
]
# One flag, no --no-shortlist: a negative form this long would widen every help page's option
# column (TRANSLATE_CLI_SHORTLIST=0 turns a config file's `shortlist = true` off).
ShortlistOpt = Annotated[
    bool | None,
    typer.Option(
        "--shortlist",
        show_default=False,
        help="CTranslate2: decode over the model's vocabulary shortlist (faster; quality "
        "unmeasured; build it with `models shortlist`).",
    ),
]

# --- batch ------------------------------------------------------------------------------------
CommandOpt = Annotated[str, _choice_option("--command", COMMANDS, "translate", metavar="COMMAND")]
ExecutorOpt = Annotated[str, _choice_option("--executor", EXECUTORS, "local", metavar="NAME")]
OutputFormatOpt = Annotated[
    str, _choice_option("--output-format", OUTPUT_FORMATS, "jsonl", metavar="FORMAT")
]


ExportFormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        metavar="FORMAT",
        help="tmx (TMX 1.4) or jsonl.",
        autocompletion=complete_from(_export_formats),
    ),
]


# --- option groups: declared once, added to each command that takes them --------------------
# typer reads a command's parameters from its signature; a group is a list of parameters that
# ``with_options`` appends to a command written as ``def cmd(ctx, inputs, **options)``.
def _group(**declared: tuple[Any, Any]) -> list[inspect.Parameter]:
    kind = inspect.Parameter.KEYWORD_ONLY
    return [
        inspect.Parameter(name, kind, default=default, annotation=annotation)
        for name, (annotation, default) in declared.items()
    ]


# How inputs are fetched and read: every command that reads documents, batch included.
READING_OPTIONS = _group(
    timeout=(TimeoutOpt, None),
    allow_private_redirects=(AllowPrivateRedirectsOpt, None),
    ocr=(OcrOpt, None),
)
DOCUMENT_OPTIONS = (
    _group(
        format=(FormatOpt, "text"),
        output=(OutputOpt, None),
        input_format=(InputFormatOpt, "auto"),
    )
    + READING_OPTIONS
)
# translate's: -f also names the document copies it writes (-f docx).
TRANSLATE_DOCUMENT_OPTIONS = [
    p.replace(annotation=TranslateFormatOpt) if p.name == "format" else p for p in DOCUMENT_OPTIONS
]
MODEL_OPTIONS = _group(
    model=(ModelOpt, None),
    engine=(EngineOpt, None),
    beam_size=(BeamOpt, None),
    batch_size=(BatchOpt, None),
    device=(DeviceOpt, None),
    compute_type=(ComputeTypeOpt, None),
    threads=(ThreadsOpt, None),
    memory=(MemoryOpt, None),
    no_memory=(NoMemoryOpt, None),
    flag_below=(FlagBelowOpt, None),
    guard=(GuardOpt, None),
    shortlist=(ShortlistOpt, None),
    glossary=(GlossaryOpt, None),
    no_keep_names=(NoKeepNamesOpt, False),  # sets keep_names (cli/common.py)
    translate_all=(TranslateAllOpt, None),
)
SUMMARY_OPTIONS = _group(sentences=(SentencesOpt, None), ratio=(RatioOpt, None))
# The summariser and the LLM's: summarize and batch (check_llm_options refuses an LLM option
# given with another summariser).
LLM_OPTIONS = _group(
    summarizer=(SummarizerOpt, None),
    llm_url=(LlmUrlOpt, None),
    llm_model=(LlmModelOpt, None),
    llm_timeout=(LlmTimeoutOpt, None),
    prompts=(PromptOpt, None),
)
QUIET_OPTION = _group(quiet=(QuietOpt, False))

F = TypeVar("F", bound=Callable[..., Any])


def with_options(*groups: list[inspect.Parameter]) -> Callable[[F], F]:
    """Give ``command(ctx, ..., **options)`` the parameters of ``groups`` (typer sees them in
    its signature; the function receives them in ``options``)."""

    def decorate(command: F) -> F:
        own = inspect.signature(command, eval_str=True)
        kept = [p for p in own.parameters.values() if p.kind is not p.VAR_KEYWORD]
        added = [p for group in groups for p in group]

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return command(*args, **kwargs)

        wrapper.__signature__ = own.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
        wrapper.__annotations__ = {
            **{p.name: p.annotation for p in kept},
            **{p.name: p.annotation for p in added},
            "return": own.return_annotation,
        }
        return cast(F, wrapper)

    return decorate
