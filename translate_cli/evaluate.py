"""Measure models on your own parallel text: BLEU and chrF (sacrebleu), speed, side by side.

Each source line is translated exactly as ``translate --input-format jsonl`` translates a
record — segmented, each sentence translated, the sentences' translations joined by single
spaces — through ``Pipeline.batch(..., task="translate")``, so the scores are those of what
users get. One ``Pipeline`` per variant (model × engine × beam size); the model loads once and
its load time is kept apart from the translation time. The translation memory is off: a second
run must measure the model again, not the memory.

    from translate_cli.evaluate import evaluate, read_pairs
    sources, references = read_pairs("flores.ind", "flores.eng")
    result = evaluate(Settings(model="facebook/nllb-200-distilled-600M"), sources, references)
    print(result.bleu, result.chrf, result.signature["bleu"])
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from translate_cli.errors import InputError, UsageError
from translate_cli.inputs import decode_text, read_input_bytes
from translate_cli.output import json_document
from translate_cli.pipeline import Hooks, Pipeline, SilentHooks

if TYPE_CHECKING:
    from translate_cli.config import Settings

Tick = Callable[[int], None]


class MissingSacrebleuError(UsageError):
    """sacrebleu is a dependency of translate-cli; an install without it cannot score."""


@dataclass(frozen=True)
class Scores:
    bleu: float
    chrf: float
    signature: dict[str, str]  # sacrebleu's signature of each metric


@dataclass(frozen=True)
class EvalResult:
    """One variant's scores and speed; ``translations`` has one line per source line."""

    model: str
    engine: str  # the engine that ran (``ctranslate2`` or ``transformers`` for ``auto``)
    beam_size: int
    bleu: float
    chrf: float
    sentences: int  # segments scored: source lines
    seconds: float  # translating them, model load excluded
    load_seconds: float
    signature: dict[str, str]
    shortlist: bool = False  # decoded over the model's vocabulary shortlist (CTranslate2)
    translations: tuple[str, ...] = field(repr=False, default=())

    @property
    def engine_label(self) -> str:
        return self.engine + ("+shortlist" if self.shortlist else "")

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds > 0 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``eval --format json`` prints for this result."""
        return {
            "model": self.model,
            "engine": self.engine,
            "beam_size": self.beam_size,
            "shortlist": self.shortlist,
            "bleu": round(self.bleu, 2),
            "chrf": round(self.chrf, 2),
            "sentences": self.sentences,
            "seconds": round(self.seconds, 3),
            "load_seconds": round(self.load_seconds, 3),
            "signature": self.signature,
        }


# --- inputs ---------------------------------------------------------------------------------
def read_pairs(
    source: str, reference: str | None = None, *, stdin: BinaryIO | None = None
) -> tuple[list[str], list[str]]:
    """Source and reference lines: two line-aligned files, or one TSV (source TAB reference)
    or JSONL (``{"source": …, "reference": …}``) file when ``reference`` is None.

    ``-`` is standard input, for one of the two at most. ``InputError`` (exit 4) for empty
    files, files of different lengths and lines that cannot be read.
    """
    if reference is None:
        name, text = _read_text(source, stdin)
        return _read_table(name, text)
    if source == "-" and reference == "-":
        raise UsageError("'-' (standard input) can be SOURCE or REFERENCE, not both")
    source_name, source_text = _read_text(source, stdin)
    reference_name, reference_text = _read_text(reference, stdin)
    sources, references = _lines(source_text), _lines(reference_text)
    for name, lines in ((source_name, sources), (reference_name, references)):
        if not lines:
            raise InputError(f"{name}: empty file; expected one segment a line")
    if len(sources) != len(references):
        raise InputError(
            f"{source_name} has {len(sources)} lines but {reference_name} has "
            f"{len(references)}; the files must be line-aligned"
        )
    return sources, references


def _read_text(source: str, stdin: BinaryIO | None) -> tuple[str, str]:
    name, data = read_input_bytes(source, stdin)
    return name, decode_text(data, name)


def _lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line, it does not start one
    return lines


def _read_table(name: str, text: str) -> tuple[list[str], list[str]]:
    lines = _lines(text)
    if not lines:
        raise InputError(f"{name}: empty file; expected source and reference on each line")
    is_jsonl = name.lower().endswith((".jsonl", ".ndjson")) or lines[0].lstrip().startswith("{")
    pairs = [
        (_json_pair if is_jsonl else _tsv_pair)(line, f"{name}: line {number}")
        for number, line in enumerate(lines, start=1)
        if not (number == 1 and not is_jsonl and _is_header(line))
    ]
    if not pairs:
        raise InputError(f"{name}: no segments after the header line")
    return [s for s, _ in pairs], [r for _, r in pairs]


def _is_header(line: str) -> bool:
    return [c.strip().lower() for c in line.split("\t")] in (
        ["source", "reference"],
        ["src", "ref"],
    )


def _tsv_pair(line: str, where: str) -> tuple[str, str]:
    columns = line.split("\t")
    if len(columns) != 2:
        raise InputError(
            f"{where}: expected 2 tab-separated columns (source, reference), found {len(columns)}"
        )
    return columns[0], columns[1]


def _json_pair(line: str, where: str) -> tuple[str, str]:
    try:
        value = json.loads(line)
    except ValueError as error:
        raise InputError(f"{where}: not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected a JSON object")
    pair = value.get("source"), value.get("reference")
    if not all(isinstance(text, str) for text in pair):
        raise InputError(f'{where}: needs "source" and "reference" strings')
    return str(pair[0]), str(pair[1])


# --- scoring --------------------------------------------------------------------------------
def score(hypotheses: Sequence[str], references: Sequence[str]) -> Scores:
    """Corpus BLEU and chrF with sacrebleu's defaults (13a tokenisation, chrF2)."""
    try:
        from sacrebleu.metrics.bleu import BLEU
        from sacrebleu.metrics.chrf import CHRF
    except ImportError as error:
        raise MissingSacrebleuError(
            "eval needs the sacrebleu package (a dependency of translate-cli)",
            hint="pip install sacrebleu",
        ) from error
    bleu, chrf = BLEU(), CHRF()
    bleu_score = bleu.corpus_score(list(hypotheses), [list(references)])
    chrf_score = chrf.corpus_score(list(hypotheses), [list(references)])
    return Scores(
        bleu=float(bleu_score.score),
        chrf=float(chrf_score.score),
        signature={"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature())},
    )


# --- translating ----------------------------------------------------------------------------
def translate_lines(
    pipeline: Pipeline, lines: Sequence[str], tick: Tick | None = None
) -> list[str]:
    """Each line as ``translate --input-format jsonl`` gives it: its sentences' translations
    joined by single spaces ("" for an empty line)."""
    out: list[str] = []
    for result in pipeline.batch(lines, task="translate"):
        if result.error is not None:
            raise result.error
        assert result.report is not None
        out.append(" ".join(s.translation or "" for s in result.report.sentences))
        if tick is not None:
            tick(1)
    return out


class _QuietProgress:
    """The caller's hooks for model loading and notices, without a progress bar per line (the
    caller shows one bar for the whole file)."""

    def __init__(self, hooks: Hooks) -> None:
        self.hooks = hooks

    @property
    def shows_progress(self) -> bool:
        return self.hooks.shows_progress

    def progress(self, total: int, label: str) -> AbstractContextManager[Tick | None]:
        return nullcontext(None)

    def status(self, label: str) -> AbstractContextManager[None]:
        return self.hooks.status(label)

    def notice(self, message: str) -> None:
        self.hooks.notice(message)


def evaluate(
    settings: Settings,
    sources: Sequence[str],
    references: Sequence[str],
    *,
    hooks: Hooks | None = None,
) -> EvalResult:
    """Translate ``sources`` with ``settings`` and score them against ``references``.

    ``hooks`` get the model-loading spinner, notices and one progress bar over the lines.
    The translation memory is never read or written: speed and scores are the model's own.
    """
    if len(sources) != len(references):
        raise InputError(f"{len(sources)} sources but {len(references)} references")
    score([""], [""])  # sacrebleu missing: say so before loading a model
    hooks = hooks or SilentHooks()
    with Pipeline(settings, hooks=_QuietProgress(hooks), no_memory=True) as pipeline:
        started = time.perf_counter()
        pipeline.load()
        loaded = time.perf_counter()
        label = f"{settings.model} ({pipeline.translator.name}, beam {settings.beam_size})"
        with hooks.progress(len(sources), label) as tick:
            translations = translate_lines(pipeline, sources, tick)
        finished = time.perf_counter()
        engine = pipeline.translator.name
    scores = score(translations, references)
    # engine auto may have fallen back to transformers, which has no shortlist
    shortlist = settings.shortlist and engine == "ctranslate2"
    return EvalResult(
        model=settings.model,
        engine=engine,
        beam_size=settings.beam_size,
        bleu=scores.bleu,
        chrf=scores.chrf,
        sentences=len(sources),
        seconds=finished - loaded,
        load_seconds=loaded - started,
        signature=scores.signature,
        shortlist=shortlist,
        translations=tuple(translations),
    )


# --- output ---------------------------------------------------------------------------------
def render_text(results: Sequence[EvalResult]) -> str:
    """A table of the results, then sacrebleu's signatures."""
    header = ("model", "engine", "beam", "BLEU", "chrF", "segments", "seconds", "sent/s")
    rows = [
        (
            r.model,
            r.engine_label,
            str(r.beam_size),
            f"{r.bleu:.2f}",
            f"{r.chrf:.2f}",
            str(r.sentences),
            f"{r.seconds:.2f}",
            f"{r.sentences_per_second:.2f}",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    text = [line(header), *(line(row) for row in rows)]
    if results:
        text += [
            f"BLEU signature: {results[0].signature['bleu']}",
            f"chrF signature: {results[0].signature['chrf']}",
        ]
    return "\n".join(text) + "\n"


def render_json(results: Sequence[EvalResult]) -> str:
    return json_document({"results": [r.to_dict() for r in results]})


def translation_file_names(results: Sequence[EvalResult]) -> list[str]:
    """One distinct, filesystem-safe file name per result: number, model, engine, beam."""
    names = []
    for number, r in enumerate(results, start=1):
        label = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(r.model.rstrip("/")).name).strip("._")
        names.append(f"{number:02d}-{label or 'model'}-{r.engine_label}-beam{r.beam_size}.txt")
    return names


def write_translations(results: Sequence[EvalResult], folder: str) -> Iterator[Path]:
    """Write each result's translations, one line per source line, into ``folder``."""
    from translate_cli.output import open_output

    Path(folder).mkdir(parents=True, exist_ok=True)
    for result, name in zip(results, translation_file_names(results), strict=True):
        path = Path(folder) / name
        with open_output(str(path)) as out:
            out.write("".join(t.replace("\n", " ") + "\n" for t in result.translations))
        yield path


__all__ = [
    "EvalResult",
    "MissingSacrebleuError",
    "Scores",
    "evaluate",
    "read_pairs",
    "render_json",
    "render_text",
    "score",
    "translate_lines",
    "translation_file_names",
    "write_translations",
]
