"""The translation memory as a ``TranslatorLayer``: texts translated before are answered from
the store, the rest go to the engine behind it.

A hit returns the stored bytes, so output with the memory equals output without it. The memory
is an optimisation, never a source of failure: a database that cannot be opened, read or
written is one notice (logged on ``translate_cli``) and the run goes on without it.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translate_cli.engines.base import (
    ProgressCallback,
    Translation,
    Translator,
    TranslatorLayer,
    WindowedTranslator,
    translations,
)
from translate_cli.engines.seq2seq import clean_for_model
from translate_cli.memory.fingerprints import descriptor, model_fingerprint
from translate_cli.memory.store import MemoryStore, MemoryUnavailable, memory_path

if TYPE_CHECKING:
    from translate_cli.config import Settings

logger = logging.getLogger("translate_cli")
WINDOW = 256  # texts looked up together; a multiple of the seq2seq engines' window


class MemoryLayer(WindowedTranslator, TranslatorLayer):
    """Answers known texts from the store and sends the rest to ``inner``, window by window,
    still yielding each output as soon as it and those before it are ready."""

    def __init__(
        self, inner: Translator, store: MemoryStore, model_key: str, fingerprint: str
    ) -> None:
        super().__init__(inner)
        self.store: MemoryStore | None = store
        self.model_key = model_key
        self.fingerprint = fingerprint  # the model's content fingerprint
        self.window_size = WINDOW
        self.hits = 0
        self.misses = 0

    def translate_window(
        self, texts: list[str], progress: ProgressCallback | None
    ) -> Iterator[Translation]:
        cleaned = [clean_for_model(t) for t in texts]
        known = self._guarded(lambda s: s.lookup(self.model_key, [c for c in cleaned if c])) or {}
        missing = [t for t, c in zip(texts, cleaned, strict=True) if c not in known]
        outputs = translations(self.inner, missing, progress) if missing else iter(())
        fresh: dict[str, Translation] = {}
        pending_hits = 0
        for clean in cleaned:
            if clean in known:
                self.hits += 1
                pending_hits += 1
                output = known[clean]
            else:
                if pending_hits and progress is not None:
                    progress(pending_hits)
                pending_hits = 0
                self.misses += 1
                output = next(outputs)
                if clean:
                    fresh[clean] = output
            yield output
        if pending_hits and progress is not None:
            progress(pending_hits)
        if fresh:
            self._guarded(lambda s: s.store(self.model_key, fresh.items()))

    def _guarded(self, action: Any) -> Any:
        """Run ``action(store)``; on a database error say so once and stop using the memory."""
        if self.store is None:
            return None
        try:
            return action(self.store)
        except sqlite3.Error as error:
            logger.warning(
                "translation memory %s failed (%s); continuing without it", self.store.path, error
            )
            self._drop()
            return None

    def _drop(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def close(self) -> None:
        self._drop()
        super().close()


def with_memory(translator: Translator, settings: Settings) -> Translator:
    """``translator`` behind the translation memory the settings name, or as it is when the
    memory is off or cannot be used (said in one notice)."""
    if settings.no_memory:
        return translator
    path = memory_path(settings)
    try:
        store = MemoryStore(path)
        try:
            described = descriptor(translator, settings)
            key = store.register(
                described,
                settings.model,
                str(getattr(translator, "model_dir", None) or "") or None,
            )
        except (sqlite3.Error, OSError) as error:
            store.close()
            raise MemoryUnavailable(f"{path}: {error}") from error
    except MemoryUnavailable as error:
        logger.warning("translation memory unusable, running without it: %s", error)
        return translator
    return MemoryLayer(translator, store, key, str(described["fingerprint"]))


def fingerprint_of(translator: Translator, settings: Settings) -> str:
    """The content fingerprint of ``translator``'s model (from the memory when it has one;
    layers outside the memory, such as the terms layer, are looked through)."""
    while not isinstance(translator, MemoryLayer) and isinstance(translator, TranslatorLayer):
        translator = translator.inner
    if isinstance(translator, MemoryLayer):
        return translator.fingerprint
    model_dir = getattr(translator, "model_dir", None)
    if model_dir is None:
        return f"no-model:{translator.name}"
    return model_fingerprint(Path(model_dir))
