"""Test doubles: a fake translator, registered as the engine ``fake`` only while tests run.

``FakeTranslator`` needs no model and no torch: ``"EN " + the cleaned sentence``. The engine is
not part of translate-cli; ``tests/conftest.py`` registers it around every test, and a CLI run
in a subprocess gets it through the plug-in hook (``TRANSLATE_CLI_PLUGINS=tests.fake_engine``,
which the test session sets for every child process).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from translate_cli.config import Settings
from translate_cli.engines import ENGINES
from translate_cli.engines.base import ProgressCallback, Translation
from translate_cli.engines.seq2seq import clean_for_model

FAKE_ENGINE = "fake"


def fake_translation(text: str) -> str:
    """What ``FakeTranslator`` makes of ``text``: visibly marked, one to one, empty stays empty."""
    cleaned = clean_for_model(text)
    return f"EN {cleaned}" if cleaned else ""


class FakeTranslator:
    """A deterministic ``Translator`` for tests: ``"EN " + cleaned text``, no model involved.

    Each output is yielded as soon as its input is read, with ``progress(1)``. ``batches``
    holds the texts of every ``translate`` call, one list per call, filled as they are read;
    ``closed`` says whether ``close`` was called.
    """

    name = FAKE_ENGINE

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        self.batches: list[list[str]] = []
        self.closed = False

    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        batch: list[str] = []
        self.batches.append(batch)
        for text in texts:
            batch.append(text)
            output = fake_translation(text)
            if progress is not None:
                progress(1)
            yield output

    def translate_with_evidence(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Translation]:
        """``translate`` with evidence: a sure model (score 0.0) with nothing to flag."""
        return (Translation(text, 0.0) for text in self.translate(texts, progress))

    def close(self) -> None:
        self.closed = True


def open_fake(settings: Settings, *, download_progress: bool = False) -> FakeTranslator:
    """Engine ``fake``: never resolves, downloads or loads a model."""
    return FakeTranslator(settings)


def record_opened(monkeypatch: Any) -> list[FakeTranslator]:
    """Make every engine a run opens a fake one, and return the list they are recorded in, in
    order (what each was asked is in its ``batches``)."""
    made: list[FakeTranslator] = []

    def open_recorded(settings: Settings, *, download_progress: bool = False) -> FakeTranslator:
        made.append(FakeTranslator(settings))
        return made[-1]

    monkeypatch.setattr("translate_cli.engines.open_translator", open_recorded)
    return made


def register_fake_engine() -> None:
    """Make ``--engine fake`` a (hidden) choice in this process."""
    ENGINES.register(
        FAKE_ENGINE,
        open_fake,
        help="deterministic stand-in for tests; needs no model",
        hidden=True,
    )


def unregister_fake_engine() -> None:
    ENGINES.unregister(FAKE_ENGINE)


@contextmanager
def fake_engine_registered() -> Iterator[None]:
    """The engine ``fake`` for the duration of the block (a test, or a wider fixture's)."""
    register_fake_engine()
    try:
        yield
    finally:
        unregister_fake_engine()
