"""What every translator is: ``translate(texts, progress) -> Iterator[str]`` and ``close()``.

The interface says nothing about models, batches or tokens, so a rule-based or remote
translator fits as well as a Marian checkpoint; the batching the Marian engines share lives in
``seq2seq.py``. Behaviour added on top of any translator (a cache, a glossary) is a
``TranslatorLayer`` wrapped around it, not a flag threaded through every engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from translate_cli.errors import UsageError

if TYPE_CHECKING:
    from translate_cli.config import Settings

ProgressCallback = Callable[[int], None]  # called with the number of sentences just finished


@runtime_checkable
class Translator(Protocol):
    """Translates texts one to one, in order, streamed."""

    @property
    def name(self) -> str:
        """The engine actually used (``ctranslate2`` when ``auto`` was asked for)."""
        ...

    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        """One output per input, in input order, yielded as soon as it is ready.

        ``progress(n)`` is called each time ``n`` more sentences are finished.
        """
        ...

    def close(self) -> None:
        """Release the model; the translator is not used afterwards."""
        ...


@dataclass(frozen=True)
class Translation:
    """A translation with its evidence (see ``engines/quality.py`` for the flags).

    ``score`` is the model's mean log-probability per output token (<= 0; None when the
    translator cannot say); ``flags`` name what looked wrong, empty when nothing did.
    """

    text: str
    score: float | None = None
    flags: tuple[str, ...] = ()


def translations(
    translator: Translator, texts: Iterable[str], progress: ProgressCallback | None = None
) -> Iterator[Translation]:
    """``translator``'s outputs with their evidence: its ``translate_with_evidence`` when it
    has one (optional, so any ``translate``-only translator still fits), else bare texts."""
    method = getattr(translator, "translate_with_evidence", None)
    if callable(method):
        result: Iterator[Translation] = method(texts, progress)
        return result
    return (Translation(text) for text in translator.translate(texts, progress))


def windows(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    """``texts`` in lists of ``size`` (the last may be shorter), read lazily: a translator
    that works window by window streams and keeps memory flat (itertools.batched is 3.12+)."""
    window: list[str] = []
    for text in texts:
        window.append(text)
        if len(window) >= size:
            yield window
            window = []
    if window:
        yield window


def pick_device(requested: str, has_gpu: bool, library: str) -> str:
    """The device to run on: ``auto`` is CUDA when ``library`` sees a GPU, else the CPU; an
    explicit ``cuda`` without one is a usage error, not a crash at load time."""
    if requested == "auto":
        return "cuda" if has_gpu else "cpu"
    if requested == "cuda" and not has_gpu:
        raise UsageError(
            f"device 'cuda' was asked for, but {library} sees no CUDA GPU",
            hint="choose device cpu or auto",
        )
    if requested not in ("cpu", "cuda"):
        raise UsageError(f"unknown device {requested!r}", hint="choose device cpu, cuda or auto")
    return requested


class EngineFactory(Protocol):
    """What the engine registry holds: settings in, a ready translator out."""

    def __call__(self, settings: Settings, *, download_progress: bool = False) -> Translator: ...


class EvidenceTranslator:
    """A translator whose outputs come with their evidence first: ``translate`` is the texts of
    ``translate_with_evidence``, so the two can never disagree."""

    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        """Yield a translation for every text, in input order."""
        return (t.text for t in self.translate_with_evidence(texts, progress))

    def translate_with_evidence(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Translation]:
        raise NotImplementedError


class WindowedTranslator(EvidenceTranslator):
    """A translator that works window by window, each output with its evidence.

    Subclasses give ``window_size`` and ``translate_window``; reading the texts lazily in
    windows keeps memory flat and lets outputs stream.
    """

    window_size: int

    def translate_with_evidence(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Translation]:
        """``translate``, each output with its score and flags."""
        for window in windows(texts, self.window_size):
            yield from self.translate_window(window, progress)

    def translate_window(
        self, texts: list[str], progress: ProgressCallback | None
    ) -> Iterator[Translation]:
        raise NotImplementedError


class TranslatorLayer:
    """A translator that wraps another and, unless a subclass says otherwise, delegates to it.

    Subclasses override ``translate`` (and ``close`` if they hold something) to add behaviour:
    a cache answers repeated texts without asking ``inner``, a glossary rewrites around it.
    A layer that keeps scores and flags (a translation memory) overrides
    ``translate_with_evidence`` too; by default it delegates to ``inner``'s.
    """

    def __init__(self, inner: Translator) -> None:
        self.inner = inner

    @property
    def name(self) -> str:
        return self.inner.name

    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        return self.inner.translate(texts, progress)

    def translate_with_evidence(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Translation]:
        # A layer that overrides only ``translate`` rewrites the text: its own output wins,
        # without the inner translator's evidence (which would describe another text).
        if type(self).translate is not TranslatorLayer.translate:
            return (Translation(text) for text in self.translate(texts, progress))
        return translations(self.inner, texts, progress)

    def close(self) -> None:
        self.inner.close()


__all__ = [
    "EngineFactory",
    "EvidenceTranslator",
    "ProgressCallback",
    "Translation",
    "Translator",
    "TranslatorLayer",
    "WindowedTranslator",
    "pick_device",
    "translations",
    "windows",
]
