"""The batching layer the sequence-to-sequence (Marian) engines share.

A ``Seq2SeqEngine`` is a ``Translator`` (see ``base.py``) whose subclass only counts tokens and
translates one batch of short-enough texts. Everything that decides *what* goes into a batch
lives here, once, so the Marian engines cannot drift apart:

- clean the text (control characters would become unknown tokens);
- split a sentence longer than the model's input limit at clause boundaries, translate the
  pieces and rejoin them, so nothing is cut;
- tie each output's length cap to its own source length, so a runaway output stops;
- sort by length and batch by padded tokens, then restore input order;
- stream: work through the input window by window, yielding each sentence as soon as it and
  every sentence before it are translated, so memory stays flat and the first lines appear
  after the first batch;
- carry each sentence's evidence (score and flags, ``quality.py``), and decode the window's
  degenerate pieces again together (the guard) when ``EngineOptions.guard`` is on.
"""

from __future__ import annotations

import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate_cli.config import BOUNDS, Settings
from translate_cli.engines import quality
from translate_cli.engines.base import ProgressCallback, Translation, WindowedTranslator
from translate_cli.engines.quality import Hypothesis
from translate_cli.errors import UsageError

# The settings' documented maximum; more only costs time (or crashes).
MAX_BEAM_SIZE = int(BOUNDS["beam_size"].maximum)

# Clause boundaries to split an over-long sentence at, best first.
_CLAUSE_BREAKS = (
    re.compile(r"(?<=[;:])\s+"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+(?=[–—-]\s)|(?<=[)\]])\s+"),
    re.compile(r"\s+"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\ufeff]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class EngineOptions:
    """What a Marian engine needs from ``Settings``, plus internal batching knobs.

    Defaults are ``Settings``' own (its class attributes); ``max_batch_tokens`` and
    ``window`` are not settings.
    """

    beam_size: int = Settings.beam_size
    batch_size: int = Settings.batch_size  # most sentences in one batch
    max_batch_tokens: int = 4096  # most padded source tokens in one batch
    window: int = 256  # sentences sorted and batched together before output is yielded
    device: str = Settings.device  # "cpu", "cuda" or "auto"
    threads: int = Settings.threads  # 0: every core this process may use
    compute_type: str = Settings.compute_type  # engine-specific precision, e.g. int8
    guard: bool = Settings.guard  # decode degenerate outputs again (quality.py)
    shortlist: bool = Settings.shortlist  # CTranslate2's vocabulary map (models/shortlist.py)

    def __post_init__(self) -> None:
        # Library callers bypass the settings' checks; the native libraries crash (not fail)
        # on a beam of 100,000, so the bounds are enforced here too.
        if not 1 <= self.beam_size <= MAX_BEAM_SIZE:
            raise UsageError(
                f"beam size must be between 1 and {MAX_BEAM_SIZE}, not {self.beam_size}"
            )
        if self.batch_size < 1 or self.max_batch_tokens < 1 or self.window < 1:
            raise UsageError("batch size, batch tokens and window must be at least 1")
        if self.threads < 0:
            raise UsageError(f"threads must be 0 (all cores) or more, not {self.threads}")

    @classmethod
    def from_settings(cls, settings: Settings, **internal: Any) -> EngineOptions:
        return cls(
            beam_size=settings.beam_size,
            batch_size=settings.batch_size,
            device=settings.device,
            threads=settings.threads,
            compute_type=settings.compute_type,
            guard=settings.guard,
            shortlist=settings.shortlist,
            **internal,
        )


def output_cap(source_tokens: int, limit: int) -> int:
    """Most tokens a translation of ``source_tokens`` may have (end-of-sentence included).

    Real translations of a sentence stay well below 1.5x its length plus a margin; a model that
    starts repeating itself is stopped there instead of at the model's hard limit.
    """
    return min(limit, source_tokens * 3 // 2 + 10)


def clean_for_model(text: str) -> str:
    """Text as the model should see it: no control characters, single spaces, NFC."""
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


class Seq2SeqEngine(WindowedTranslator, ABC):
    """A ``Translator`` over a seq2seq model. Subclasses implement ``count_tokens`` and
    ``generate``; ``model_dir`` is the model folder it was loaded from."""

    name: str = "seq2seq"
    # Whether the guard retries a window's loops as soon as the next sentence due waits for
    # one (streaming), or all at the window's end: see ``CTranslate2Engine``.
    retries_when_due: bool = True

    def __init__(
        self,
        options: EngineOptions,
        max_source_tokens: int,
        max_output_tokens: int,
        model_dir: Path | None = None,
    ) -> None:
        self.options = options
        self.model_dir = model_dir
        self.max_source_tokens = max_source_tokens  # includes the end-of-sentence token
        self.max_output_tokens = max_output_tokens

    # --- what an engine implements -------------------------------------------------------
    @abstractmethod
    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Source tokens of each text, end-of-sentence included, as the model would see them."""

    @abstractmethod
    def generate(self, texts: Sequence[str], caps: Sequence[int]) -> list[str]:
        """Translate one batch; ``caps[i]`` bounds the output tokens of ``texts[i]``."""

    def generate_scored(
        self, texts: Sequence[str], caps: Sequence[int], *, retry: bool = False
    ) -> list[Hypothesis]:
        """``generate`` with evidence: engines that can score their outputs override this.

        ``retry`` asks for the guard's second decoding (greedy, ``quality.RETRY_*``
        penalties); its score may be the penalised one until ``score_outputs`` scores it.
        """
        return [Hypothesis(text) for text in self.generate(texts, caps)]

    def score_outputs(
        self, texts: Sequence[str], outputs: Sequence[Hypothesis]
    ) -> list[Hypothesis]:
        """``outputs`` of the guard's retry (``generate_scored(retry=True)``) with their
        log-probabilities under the model's own, unpenalised distribution. Engines whose
        retries are already scored that way (or that cannot score) return them as they are."""
        return list(outputs)

    def close(self) -> None:
        """Release the model; engines holding native resources override this."""

    # --- shared machinery -----------------------------------------------------------------
    @property
    def window_size(self) -> int:  # type: ignore[override]  # a property, read-only
        return self.options.window

    def translate_all(self, texts: Sequence[str]) -> list[str]:
        return list(self.translate(texts))

    def generate_scored_batches(
        self, jobs: Iterable[tuple[Sequence[str], Sequence[int]]], *, retry: bool = False
    ) -> Iterator[list[Hypothesis]]:
        """``generate_scored`` each ``(texts, caps)`` job, yielding results in job order.

        Engines that can run several batches at once (CTranslate2 on several cores) override
        this to submit all jobs before waiting for the first.
        """
        for texts, caps in jobs:
            yield self.generate_scored(texts, caps, retry=retry)

    def translate_window(
        self, texts: Sequence[str], progress: ProgressCallback | None
    ) -> Iterator[Translation]:
        # Each sentence becomes one or more pieces that fit the model; identical pieces
        # are translated once (news repeats boilerplate lines).
        pieces_of: list[list[str]] = [self.split_to_fit(clean_for_model(t)) for t in texts]
        unique = list(dict.fromkeys(p for pieces in pieces_of for p in pieces if p))
        lengths = self.count_tokens(unique) if unique else []
        # Batches are formed by length but run in the order they are first needed (``unique``
        # is in order of first use, so that is a batch's smallest index), and each sentence
        # is yielded once it and every sentence before it are done: the first lines come
        # out after the first batch, not after the whole window.
        batches = sorted(self._batches(unique, lengths), key=min)
        jobs = (
            (
                [unique[i] for i in batch],
                [output_cap(lengths[i], self.max_output_tokens) for i in batch],
            )
            for batch in batches
        )
        translated: dict[str, Hypothesis] = {}
        retried: set[str] = set()
        loops: dict[int, Hypothesis] = {}  # degenerate first outputs, by index in ``unique``
        done = 0

        def ready_from(start: int) -> int:
            while start < len(texts) and all(p in translated for p in pieces_of[start] if p):
                start += 1
            return start

        for batch, outputs in zip(batches, self.generate_scored_batches(jobs), strict=True):
            for i, output in zip(batch, outputs, strict=True):
                if self._degenerate(unique[i], lengths[i], output):
                    loops[i] = output  # held back for the guard's batched retry
                else:
                    translated[unique[i]] = output
            ready = ready_from(done)
            # Loops are retried together, as late as streaming allows: once the next
            # sentence due waits for one of them (or at the window's end).
            held = {unique[i] for i in loops}
            due = ready < len(texts) and any(p in held for p in pieces_of[ready])
            if due and self.retries_when_due:
                self._retry(unique, lengths, loops, translated, retried)
                ready = ready_from(ready)
            yield from self._finish(texts, pieces_of, done, ready, translated, retried, progress)
            done = ready
        if loops:
            self._retry(unique, lengths, loops, translated, retried)
        yield from self._finish(texts, pieces_of, done, len(texts), translated, retried, progress)

    def _degenerate(self, piece: str, source_tokens: int, output: Hypothesis) -> bool:
        return self.options.guard and quality.degeneration(piece, source_tokens, output) is not None

    def _retry(
        self,
        unique: Sequence[str],
        lengths: Sequence[int],
        loops: dict[int, Hypothesis],
        translated: dict[str, Hypothesis],
        retried: set[str],
    ) -> None:
        """The guard: the held degenerate pieces (``loops``, emptied) decoded again together, in
        batches planned like the first pass (greedy, ``quality.RETRY_*`` penalties), and the
        better of the two outputs kept. Batched greedy passes over the loops, not one beam
        search a loop: on a model where everything loops this is what bounds the guard's cost.
        A clean output is never touched: the guard never changes what it does not retry."""
        order = sorted(loops)
        batches = [
            [order[j] for j in batch]
            for batch in self._batches(
                [unique[i] for i in order], [lengths[i] for i in order], retry=True
            )
        ]
        jobs = (
            (
                [unique[i] for i in batch],
                [output_cap(lengths[i], self.max_output_tokens) for i in batch],
            )
            for batch in batches
        )
        seconds: dict[int, Hypothesis] = {}
        for batch, outputs in zip(
            batches, self.generate_scored_batches(jobs, retry=True), strict=True
        ):
            seconds.update(zip(batch, outputs, strict=True))
        # Only a clean retry can be kept (``quality.better``): only those are scored again.
        clean = [i for i in order if not self._degenerate(unique[i], lengths[i], seconds[i])]
        rescored = self.score_outputs([unique[i] for i in clean], [seconds[i] for i in clean])
        seconds.update(zip(clean, rescored, strict=True))
        for i in order:
            retried.add(unique[i])
            translated[unique[i]] = quality.better(loops[i], seconds[i], unique[i], lengths[i])
        loops.clear()

    @staticmethod
    def _finish(
        texts: Sequence[str],
        pieces_of: Sequence[list[str]],
        start: int,
        stop: int,
        translated: dict[str, Hypothesis],
        retried: set[str],
        progress: ProgressCallback | None,
    ) -> Iterator[Translation]:
        if start >= stop:
            return
        if progress is not None:
            progress(stop - start)
        for text, pieces in zip(texts[start:stop], pieces_of[start:stop], strict=True):
            hypotheses = [translated[p] for p in pieces if p]
            output = " ".join(h.text for h in hypotheses)
            _, _, score = quality.combine(hypotheses)
            again = any(p in retried for p in pieces)
            flags = quality.sentence_flags(text, output, hypotheses, again) if output else ()
            yield Translation(output, 0.0 if not hypotheses else score, flags)

    def _batches(
        self, texts: Sequence[str], lengths: Sequence[int], *, retry: bool = False
    ) -> Iterator[list[int]]:
        """Indices of ``texts`` grouped longest first, bounded by count and padded tokens
        (``retry``: for the guard's greedy decoding, which engines may batch differently)."""
        order = sorted(range(len(texts)), key=lambda i: lengths[i], reverse=True)
        batch: list[int] = []
        for i in order:
            longest = lengths[batch[0]] if batch else lengths[i]
            too_many = len(batch) >= self.options.batch_size
            too_big = (len(batch) + 1) * longest > self.options.max_batch_tokens
            if batch and (too_many or too_big):
                yield batch
                batch = []
            batch.append(i)
        if batch:
            yield batch

    def split_to_fit(self, text: str) -> list[str]:
        """``text`` as pieces that each fit the model's input limit, split at clauses."""
        if not text:
            return [text]
        if self.count_tokens([text])[0] <= self.max_source_tokens:
            return [text]
        left, right = _split_near_middle(text)
        return self.split_to_fit(left) + self.split_to_fit(right)


def _split_near_middle(text: str) -> tuple[str, str]:
    """Split at the strongest clause boundary closest to the middle; halve if there is none."""
    middle = len(text) // 2
    for pattern in _CLAUSE_BREAKS:
        cuts = [m for m in pattern.finditer(text) if m.start() > 0 and m.end() < len(text)]
        # A boundary far from the middle would leave one side still too long; accept the
        # strongest boundary within the middle half, otherwise try a weaker kind.
        near = [m for m in cuts if len(text) // 4 <= m.start() <= 3 * len(text) // 4]
        if near:
            best = min(near, key=lambda m: abs(m.start() - middle))
            return text[: best.start()].strip(), text[best.end() :].strip()
    return text[:middle], text[middle:]
