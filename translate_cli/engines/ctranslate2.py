"""The fast engine: the same checkpoint, converted once to CTranslate2 (int8 on CPU).

Matches the transformers engine's contract: same source tokens (so the same splitting of
over-long sentences), same beam default, same per-sentence output cap. Greedy decoding in
float32 gives exactly the transformers engine's tokens (tested; each row stops at its own cap
through the step callback) except where two tokens tie within float noise, which the two
libraries (and CPU kernels: AVX2, AVX-512) may break either way. Beam search differs in two
ways, both CTranslate2's: it ends a sentence once ``beam_size`` hypotheses are finished
(transformers' ``early_stopping=False`` may search on), and it cannot stop one row of a batch
early, so a row decodes to the batch's longest cap and is cut to its own where transformers
would force ``</s>`` at its cap. With every row sharing its batch's cap the two agree, near
ties aside (tested); otherwise on most sentences.
Settings whose defaults differ are set explicitly: minimum length 0 (CTranslate2: 1), no
``replace_unknowns``, no repetition penalty, ``disable_unk`` off, length penalty 1. The
converter drops ``<pad>`` (banned by the checkpoint's ``bad_words_ids`` anyway) from the
vocabulary, so a literal ``<pad>`` typed in the input reads as ``<unk>``.

Speed on CPU comes from two workers decoding different batches side by side, batches planned
by estimated decoding time (see ``batch_plan.py``), and start-up without torch or transformers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translate_cli.engines import quality
from translate_cli.engines.base import pick_device
from translate_cli.engines.batch_plan import plan_batches
from translate_cli.engines.quality import Hypothesis
from translate_cli.engines.seq2seq import EngineOptions, Seq2SeqEngine, output_cap
from translate_cli.engines.threads import usable_threads
from translate_cli.errors import UsageError
from translate_cli.models.conversions import (
    ConversionError,
    EngineUnavailableError,
    cached_model,
    discard,
)

if TYPE_CHECKING:
    from translate_cli.config import Settings

# Every compute type CTranslate2 knows; which of them a device runs is checked at load time.
COMPUTE_TYPES = (
    "auto",
    "default",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)

# Precision tried in order when the compute type is "default"/"auto": int8 on CPU (the fastest,
# and what Argos Translate ships for Marian models); half precision on GPUs.
_DEFAULT_COMPUTE = {
    "cpu": ("int8", "float32"),
    "cuda": ("float16", "bfloat16", "int8_float16", "float32"),
}

_CPU_WORKERS = 2  # see plan_threads


class MissingPackageError(UsageError):
    """Engine ctranslate2 asked for without the ctranslate2 package installed."""


def open_ctranslate2(settings: Settings, *, download_progress: bool = False) -> CTranslate2Engine:
    """The CTranslate2 engine for ``settings.model``, converted (once) if needed."""
    from translate_cli.models import resolve_model

    model_dir = resolve_model(settings.model, progress=download_progress)
    return CTranslate2Engine(model_dir, EngineOptions.from_settings(settings))


def pick_ct2_device(requested: str) -> str:
    """``auto`` means CUDA when CTranslate2 sees a GPU; ``cuda`` without one is an error."""
    import ctranslate2

    return pick_device(requested, ctranslate2.get_cuda_device_count() > 0, "CTranslate2")


def pick_compute_type(requested: str, device: str) -> str:
    """The compute type to convert and run with, checked against what the device supports."""
    import ctranslate2

    try:
        supported = set(ctranslate2.get_supported_compute_types(device))
    except RuntimeError as error:  # e.g. a driver older than CTranslate2's CUDA runtime
        raise EngineUnavailableError(
            f"CTranslate2 cannot use {device}: {error}",
            hint="choose engine transformers or device cpu",
        ) from error
    if requested in ("default", "auto"):
        for candidate in _DEFAULT_COMPUTE[device]:
            if candidate in supported:
                return candidate
        return "float32"
    if requested not in supported:
        raise UsageError(
            f"compute type {requested!r} is not supported on {device} by CTranslate2",
            hint="supported here: " + ", ".join(sorted(supported)),
        )
    return "int8" if requested == "int8_float32" else requested  # same weights, one cache


class CTranslate2Engine(Seq2SeqEngine):
    """Batched beam search with ``ctranslate2.Translator`` on a cached conversion."""

    name = "ctranslate2"

    def __init__(self, model_dir: Path, options: EngineOptions) -> None:
        try:
            import ctranslate2
        except ImportError as error:
            raise MissingPackageError(
                "the ctranslate2 engine needs the ctranslate2 package",
                hint="pip install ctranslate2, or choose engine transformers",
            ) from error
        from translate_cli.models import check_model_dir, model_load_error
        from translate_cli.models.family import open_family, read_json_object

        config = read_json_object(model_dir / "config.json")
        family = open_family(model_dir)
        limit = family.token_limit(config)
        super().__init__(options, limit, limit, model_dir)
        self.device = pick_ct2_device(options.device)
        self.compute_type = pick_compute_type(options.compute_type, self.device)
        self.workers, self.threads_per_worker = plan_threads(self.device, options.threads)
        # With several workers every batch of a window is queued before the first returns,
        # so a retry would wait for all of them anyway: the guard retries a window's loops
        # together at its end, in batches planned for the workers, not batch by batch.
        self.retries_when_due = self.workers == 1
        try:
            self.codec = family.load_codec(model_dir)
        except Exception as error:  # sentencepiece, json, transformers: any of them
            # Checked only now: on the usual path (a cached conversion) start-up stays free
            # of a second parse of the tokenizer files. A conversion checks everything.
            check_model_dir(model_dir)  # raises naming the damaged file, if it finds one
            raise model_load_error(model_dir, error) from error
        if options.shortlist:  # missing: say so before a conversion's seconds, not after
            from translate_cli.models.shortlist import built_shortlist

            built_shortlist(model_dir)
        self.model_path = cached_model(model_dir, self.compute_type)
        # The vocabulary map CTranslate2 decodes with (None: the whole vocabulary), and the
        # folder the model loads from (the conversion, or its sibling with the map).
        self.vmap_file: Path | None = None
        self.load_path = self.model_path
        self._install_shortlist()
        self.translator = self._open(ctranslate2, model_dir)
        self._encoded: dict[str, list[str]] = {}

    def _open(self, ctranslate2: Any, model_dir: Path) -> Any:
        try:
            return self._load(ctranslate2, self.device)
        except (RuntimeError, ValueError, OSError) as error:
            failure = error
        if self.device != "cpu" and self._loads_on_cpu(ctranslate2):
            # The conversion is fine; the GPU side is not (e.g. no CUDA 12 cuBLAS here).
            raise EngineUnavailableError(
                f"CTranslate2 cannot run on {self.device}: {failure}",
                hint="choose engine transformers or device cpu",
            ) from failure
        # A cached conversion that will not load (disk trouble, a foreign copy): convert
        # again once; a second failure is the model's or the library's, and is reported.
        discard(self.model_path)
        if self.load_path != self.model_path:
            discard(self.load_path)  # its files are links to the ones that failed
        self.model_path = self.load_path = cached_model(model_dir, self.compute_type)
        self._install_shortlist()
        try:
            return self._load(ctranslate2, self.device)
        except (RuntimeError, ValueError, OSError) as error:
            raise ConversionError(
                f"CTranslate2 cannot load the converted model {self.model_path}: {error}",
                hint="choose engine transformers",
            ) from error

    def _install_shortlist(self) -> None:
        """With ``--shortlist``, the conversion beside its vocabulary map (CTranslate2 reads the
        map when the model loads, so it goes there first)."""
        if self.options.shortlist and self.model_dir is not None:
            from translate_cli.models.shortlist import VMAP, install

            self.load_path = install(self.model_dir, self.model_path)
            self.vmap_file = self.load_path / VMAP

    def _load(self, ctranslate2: Any, device: str) -> Any:
        translator = ctranslate2.Translator(
            str(self.load_path),
            device=device,
            compute_type=self.compute_type if device == self.device else "default",
            inter_threads=self.workers,
            intra_threads=self.threads_per_worker,
        )
        if device != "cpu":
            # GPU libraries (cuBLAS) load on the first real product: fail here, where auto can
            # still fall back, not in the middle of a document. A one-token input is not
            # enough to reach them (seen on an H200 without CUDA 12's cuBLAS).
            probe = self.codec.encode("Ini kalimat uji yang cukup panjang, bukan?")
            translator.translate_batch([probe, probe[2:]], beam_size=2, max_decoding_length=4)
        return translator

    def _loads_on_cpu(self, ctranslate2: Any) -> bool:
        try:
            self._load(ctranslate2, "cpu").unload_model()
        except (RuntimeError, ValueError, OSError):
            return False
        return True

    @property
    def _prefix(self) -> int:
        return len(self.codec.target_prefix)

    def close(self) -> None:
        translator = getattr(self, "translator", None)
        if translator is not None:
            translator.unload_model()
        self._encoded.clear()

    # --- Seq2SeqEngine ---------------------------------------------------------------------------
    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(self._tokens(text)) for text in texts]

    def generate(self, texts: Sequence[str], caps: Sequence[int]) -> list[str]:
        return [self.codec.decode(tokens) for tokens in self.generate_tokens(texts, caps)]

    def generate_scored(
        self, texts: Sequence[str], caps: Sequence[int], *, retry: bool = False
    ) -> list[Hypothesis]:
        results = self._submit(texts, caps, asynchronous=False, retry=retry)
        return self._evidence(texts, results, caps, retry=retry)

    def generate_scored_batches(
        self, jobs: Iterable[tuple[Sequence[str], Sequence[int]]], *, retry: bool = False
    ) -> Iterator[list[Hypothesis]]:
        if self.workers == 1:
            yield from super().generate_scored_batches(jobs, retry=retry)
            return
        # Several workers: queue every batch, then collect in order while CTranslate2 runs
        # them side by side, each worker on its own cores.
        pending = [
            (texts, caps, self._submit(texts, caps, asynchronous=True, retry=retry))
            for texts, caps in jobs
        ]
        for texts, caps, futures in pending:
            yield self._evidence(texts, [f.result() for f in futures], caps, retry=retry)

    def _evidence(
        self, texts: Sequence[str], results: Sequence[Any], caps: Sequence[int], *, retry: bool
    ) -> list[Hypothesis]:
        """Each row's text and score. With ``length_penalty`` 1, CTranslate2's score is the
        summed log-probability over the tokens it generated, ``</s>`` included when it chose
        to stop, divided by their number: the mean ``quality.py`` defines.

        A row beam search decoded past its own cap (it cannot stop one row of a batch early)
        keeps the mean of that longer decoding, of which its text is the start: an estimate,
        and the row is flagged ``truncated-by-cap``. Scoring it again exactly would cost a
        teacher-forced pass (16% more CPU on ``speed.py``, where every row runs to its cap).
        A penalised retry keeps its tokens, for ``score_outputs`` to score the ones the guard
        keeps under the model's own distribution."""
        limits = [_text_tokens(cap) for cap in caps]
        skip = self._prefix  # NLLB-200, M2M100: the target language token comes first
        found: list[Hypothesis] = []
        kept_rows: list[list[str]] = []
        for result, limit in zip(results, limits, strict=True):
            tokens = list(result.hypotheses[0])[skip:]
            capped = len(tokens) >= limit
            kept = tokens[:limit]
            kept_rows.append(kept)
            scored = len(kept) + (0 if capped else 1)  # + the model's own </s>
            found.append(
                Hypothesis(
                    self.codec.decode(kept),
                    result.scores[0] * scored,
                    len(kept) if capped else scored,
                    capped,
                    tuple(kept) if retry else (),
                )
            )
        # A forced target prefix is in CTranslate2's score but is no choice of the model's:
        # with one, every row is scored again without it (as the transformers engine counts).
        if skip and not retry:
            found = self._score(texts, kept_rows, found)
        return found

    def score_outputs(
        self, texts: Sequence[str], outputs: Sequence[Hypothesis]
    ) -> list[Hypothesis]:
        return self._score(texts, [list(h.output) for h in outputs], outputs)

    def _score(
        self, texts: Sequence[str], tokens: Sequence[list[str]], found: Sequence[Hypothesis]
    ) -> list[Hypothesis]:
        """``found`` with the log-probabilities of ``tokens`` given ``texts`` under the model
        (teacher-forced, without any forced prefix; ``</s>`` counted unless capped)."""
        if not texts:
            return []
        prefix = list(self.codec.target_prefix)
        sources = [self.codec.encode(text) for text in texts]
        targets = [prefix + list(row) for row in tokens]
        # Split among the workers, side by side (one synchronous call would run on one).
        size = max(-(-len(texts) // self.workers), 1)
        pending = self.translator.score_batch(
            sources, targets, max_batch_size=size, asynchronous=True
        )
        scored: list[Hypothesis] = []
        for hypothesis, row, future in zip(found, tokens, pending, strict=True):
            # prefix tokens, target tokens, then </s>: the prefix is not the model's choice
            log_probs = list(future.result().log_probs)[len(prefix) :]
            if hypothesis.capped:
                log_probs = log_probs[: len(row)]
            scored.append(replace(hypothesis, log_prob=sum(log_probs), tokens=len(log_probs)))
        return scored

    def generate_tokens(self, texts: Sequence[str], caps: Sequence[int]) -> list[list[str]]:
        """Output tokens per text, without ``</s>``, cut to each text's cap."""
        return _cut(self._submit(texts, caps, asynchronous=False), caps, self._prefix)

    def _submit(
        self, texts: Sequence[str], caps: Sequence[int], *, asynchronous: bool, retry: bool = False
    ) -> Any:
        sources = [self._encoded.pop(text, []) or self.codec.encode(text) for text in texts]
        limits = [_text_tokens(cap) for cap in caps]
        beam_size = quality.RETRY_BEAM_SIZE if retry else self.options.beam_size
        options: dict[str, Any] = {
            "beam_size": beam_size,
            "max_decoding_length": max(limits),
            "max_input_length": 0,  # never truncate: Seq2SeqEngine already split long input
            "min_decoding_length": 0,  # generate may end at once too (CTranslate2's default: 1)
            "length_penalty": 1.0,
            "repetition_penalty": 1.0,
            "disable_unk": False,
            "replace_unknowns": False,
            "return_scores": True,  # the evidence (quality.py); costs nothing measurable
            "asynchronous": asynchronous,
            # The batch's output restricted to its source tokens' shortlist (models/shortlist.py)
            "use_vmap": self.vmap_file is not None,
        }
        prefix = list(self.codec.target_prefix)
        if prefix:
            # NLLB-200, M2M100: the target language token comes first; CTranslate2 counts it
            # in the decoding length and the steps, and returns it (``_cut`` drops it).
            options["target_prefix"] = [prefix] * len(sources)
            options["max_decoding_length"] += len(prefix)
            limits = [limit + len(prefix) for limit in limits]
        if retry:  # the guard's second decoding
            options["repetition_penalty"] = quality.RETRY_REPETITION_PENALTY
            options["no_repeat_ngram_size"] = quality.RETRY_NO_REPEAT_NGRAM
        if beam_size == 1:
            # Greedy search can stop each row at its own cap (and drop it from the batch).
            options["callback"] = lambda step: step.step + 1 >= limits[step.batch_id]
        return self.translator.translate_batch(sources, **options)

    def _tokens(self, text: str) -> list[str]:
        tokens = self._encoded.get(text)
        if tokens is None:
            if len(self._encoded) > 4 * self.options.window:
                self._encoded.clear()  # pieces of split sentences are never generated
            tokens = self._encoded[text] = self.codec.encode(text)
        return tokens

    def _batches(
        self, texts: Sequence[str], lengths: Sequence[int], *, retry: bool = False
    ) -> Iterator[list[int]]:
        caps = [output_cap(n, self.max_output_tokens) for n in lengths]
        yield from plan_batches(
            lengths,
            caps,
            # a greedy retry's rows cost a quarter of beam 4's: bigger batches
            beam=quality.RETRY_BEAM_SIZE if retry else self.options.beam_size,
            device=self.device,
            batch_size=self.options.batch_size,
            max_tokens=self.options.max_batch_tokens,
            workers=self.workers,
        )


def _text_tokens(cap: int) -> int:
    # CTranslate2 counts generated tokens without </s>; the transformers engine's cap
    # counts it. A sentence of cap c therefore has at most c - 1 tokens of text.
    return max(cap - 1, 1)


def _cut(results: Sequence[Any], caps: Sequence[int], skip: int = 0) -> list[list[str]]:
    """Best hypothesis per row, cut to its own cap (beam search cannot stop a row early),
    without its first ``skip`` tokens (the target prefix)."""
    return [
        list(result.hypotheses[0][skip : skip + _text_tokens(cap)])
        for result, cap in zip(results, caps, strict=True)
    ]


def plan_threads(device: str, threads: int) -> tuple[int, int]:
    """(workers, threads per worker) for the threads setting (0: every core we may use).

    On CPU, two workers decoding different batches beat one worker whose matrix products are
    split over two threads: a decoding step is many small products, and splitting each one
    costs a synchronisation. A GPU gets one worker. More threads than cores are never asked
    for (OpenMP fails on absurd counts; extra threads only contend).
    """
    if device != "cpu":
        return 1, 0
    cores = usable_threads(threads)
    workers = max(min(_CPU_WORKERS, cores), 1)
    return workers, max(cores // workers, 1)
