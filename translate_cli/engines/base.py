"""What every translator is: ``translate(texts, progress) -> Iterator[str]`` and ``close()``.

The interface says nothing about models, batches or tokens, so a rule-based or remote
translator fits as well as a Marian checkpoint; the batching the Marian engines share lives in
``seq2seq.py``. Behaviour added on top of any translator (a cache, a glossary) is a
``TranslatorLayer`` wrapped around it, not a flag threaded through every engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Protocol, runtime_checkable

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


class EngineFactory(Protocol):
    """What the engine registry holds: settings in, a ready translator out."""

    def __call__(self, settings: Settings, *, download_progress: bool = False) -> Translator: ...


class TranslatorLayer:
    """A translator that wraps another and, unless a subclass says otherwise, delegates to it.

    Subclasses override ``translate`` (and ``close`` if they hold something) to add behaviour:
    a cache answers repeated texts without asking ``inner``, a glossary rewrites around it.
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

    def close(self) -> None:
        self.inner.close()


__all__ = ["EngineFactory", "ProgressCallback", "Translator", "TranslatorLayer"]
