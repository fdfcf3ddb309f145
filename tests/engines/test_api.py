"""The engine interface, the registry, the fake translator and wrappers (no model needed
except where a test builds the tiny one)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from tests.doubles import FakeTranslator
from translate_cli.config import Settings
from translate_cli.engines import (
    ENGINES,
    Translator,
    TranslatorLayer,
    check_compute_type,
    open_translator,
)
from translate_cli.engines.base import ProgressCallback
from translate_cli.engines.seq2seq import EngineOptions
from translate_cli.errors import ExitStatus, UsageError


def test_registry_lists_the_engines_and_hides_the_fake() -> None:
    assert ENGINES.names() == ("auto", "ctranslate2", "transformers")
    assert "fake" in ENGINES.names(hidden=True)
    with pytest.raises(UsageError, match="auto, ctranslate2, transformers") as raised:
        open_translator(Settings(engine="bogus"))
    assert "--" not in raised.value.message


def test_engine_options_default_to_the_settings_defaults() -> None:
    defaults, options = Settings(), EngineOptions()
    for name in ("beam_size", "batch_size", "device", "threads", "compute_type"):
        assert getattr(options, name) == getattr(defaults, name), name
    custom = Settings(beam_size=2, batch_size=7, device="cpu", threads=1, compute_type="int8")
    assert EngineOptions.from_settings(custom, window=9) == EngineOptions(
        beam_size=2, batch_size=7, device="cpu", threads=1, compute_type="int8", window=9
    )


def test_fake_engine_needs_no_model_and_streams(tmp_path: Path) -> None:
    # A model that does not exist anywhere: the fake never looks for it.
    settings = Settings(engine="fake", model=str(tmp_path / "none"), no_memory=True)
    translator = open_translator(settings)  # the bare engine: no memory layer around it
    assert isinstance(translator, FakeTranslator) and isinstance(translator, Translator)
    assert translator.name == "fake"
    read: list[str] = []

    def source() -> Iterator[str]:
        for text in ["Satu  dua.", "", "Tiga\x00."]:
            read.append(text)
            yield text

    seen: list[int] = []
    stream = translator.translate(source(), seen.append)
    assert next(stream) == "EN Satu dua."
    assert read == ["Satu  dua."]  # one output per input, as soon as it is read
    assert list(stream) == ["", "EN Tiga ."]
    assert sum(seen) == 3
    assert translator.batches == [["Satu  dua.", "", "Tiga\x00."]]
    translator.close()
    assert translator.closed


class CountingLayer(TranslatorLayer):
    """Counts the texts that reach the inner translator."""

    def __init__(self, inner: Translator) -> None:
        super().__init__(inner)
        self.count = 0

    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        def counted() -> Iterator[str]:
            for text in texts:
                self.count += 1
                yield text

        return self.inner.translate(counted(), progress)


class UpperLayer(TranslatorLayer):
    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        return (text.upper() for text in self.inner.translate(texts, progress))


def test_layers_compose_and_delegate() -> None:
    fake = FakeTranslator()
    counting = CountingLayer(fake)
    stacked = UpperLayer(counting)
    assert isinstance(stacked, Translator)
    assert stacked.name == "fake"
    progress: list[int] = []
    assert list(stacked.translate(["a", "b"], progress.append)) == ["EN A", "EN B"]
    assert counting.count == 2 and sum(progress) == 2
    stacked.close()
    assert fake.closed


def test_compute_type_check_is_light_and_lists_the_choices() -> None:
    check_compute_type("ctranslate2", "int8")
    check_compute_type("auto", "int8")
    check_compute_type("transformers", "float32")
    check_compute_type("fake", "anything")
    for engine, bad in (("transformers", "bogus"), ("transformers", "int8"), ("auto", "int4")):
        with pytest.raises(UsageError) as raised:
            check_compute_type(engine, bad)
        assert raised.value.exit_status == ExitStatus.USAGE
        assert "float32" in (raised.value.hint or "")
        assert "--" not in raised.value.message


def test_importing_and_checking_loads_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "from translate_cli.engines import ENGINES, check_compute_type\n"
        "for name in ENGINES.names(hidden=True):\n"
        "    check_compute_type(name, 'auto')\n"
        "    ENGINES.get(name)\n"
        "heavy = ('torch', 'transformers', 'ctranslate2', 'sentencepiece', 'numpy',\n"
        "         'huggingface_hub')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_empty_model_name_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from translate_cli.models import resolve_model

    monkeypatch.chdir(tmp_path)
    for name in ("", "  "):
        with pytest.raises(UsageError):
            resolve_model(name)


@pytest.mark.slow
def test_open_translator_resolves_the_model_and_reports_the_engine(tiny_model: Path) -> None:
    settings = Settings(model=str(tiny_model), engine="transformers", beam_size=1, threads=1)
    translator = open_translator(settings)
    try:
        assert isinstance(translator, Translator)
        assert translator.name == "transformers"
        progress: list[int] = []
        out = list(translator.translate(["Harga beras naik.", ""], progress.append))
        assert len(out) == 2 and out[1] == "" and sum(progress) == 2
    finally:
        translator.close()
