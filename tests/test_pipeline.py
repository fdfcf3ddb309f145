"""The library API: Pipeline tasks give the same objects the commands print, lazily loaded."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.doubles import FakeTranslator, fake_translation, record_opened
from tests.helpers import ARTICLE, EXAMPLE, RecordingHooks, invoke
from translate_cli import Pipeline, Report, Settings
from translate_cli.errors import InputError, UsageError
from translate_cli.inputs import Record
from translate_cli.segment import segment

LIBRARY_DOC = Path(__file__).resolve().parents[1] / "docs" / "library.md"


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[FakeTranslator]:
    """Every translator the pipeline opens (the fake engine), in order."""
    return record_opened(monkeypatch)


def test_overrides_are_settings_fields_and_checked() -> None:
    pipeline = Pipeline(model="/models/x", beam_size=5)
    assert pipeline.settings == Settings(model="/models/x", beam_size=5)
    base = Settings(engine="transformers")
    assert Pipeline(base, beam_size=2).settings == Settings(engine="transformers", beam_size=2)
    with pytest.raises(UsageError, match="beam_size: must be at most 32"):
        Pipeline(beam_size=1000)
    with pytest.raises(TypeError):
        Pipeline(beem_size=2)


def test_the_model_loads_once_lazily_and_closes(opened: list[FakeTranslator]) -> None:
    pipeline = Pipeline(model="some/model")
    assert pipeline.segment(ARTICLE).sentences and opened == []  # segment needs no model
    pipeline.summarize(ARTICLE, translate=False)
    assert opened == []
    pipeline.translate(ARTICLE)
    pipeline.run(ARTICLE)
    pipeline.summarize(ARTICLE)
    assert len(opened) == 1
    pipeline.close()
    assert opened[0].closed


@pytest.mark.parametrize("task", ["segment", "translate", "summarize", "run"])
def test_each_task_is_what_its_command_prints(
    opened: list[FakeTranslator], task: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = Pipeline().task(task)(ARTICLE)
    assert isinstance(report, Report)
    monkeypatch.setenv("TRANSLATE_CLI_ENGINE", "fake")
    printed = json.loads(invoke(task, str(EXAMPLE), "-f", "json").stdout)
    assert report.to_dict() == printed


def test_stream_yields_each_sentence_as_its_translation_is_ready(
    opened: list[FakeTranslator],
) -> None:
    pipeline = Pipeline()
    stream = pipeline.stream(ARTICLE)
    first = next(stream)
    assert first.sentence.index == 0
    assert first.translation == fake_translation(first.sentence.text)
    # The fake reads one input per output: only the first sentence has been asked for.
    assert opened[0].batches == [[first.sentence.text]]
    rest = list(stream)
    assert [i.sentence.index for i in [first, *rest]] == list(
        range(len(segment(ARTICLE).sentences))
    )


def test_summary_translations_cover_picks_and_their_sentences(
    opened: list[FakeTranslator],
) -> None:
    report = Pipeline().summarize(ARTICLE, sentences=2)
    assert report.summary is not None and len(report.summary) == 2
    for item in report.summary:
        assert item.index is not None and item.translation == fake_translation(item.source)
        whole = report.sentences[item.index]
        assert whole.translation == fake_translation(whole.sentence.text)
    untouched = {i.index for i in report.summary} | {report.title.index if report.title else -1}
    assert all(s.translation is None for s in report.sentences if s.sentence.index not in untouched)
    # One call for everything the summary shows, each text once.
    (batch,) = opened[0].batches
    assert len(batch) == len(set(batch))


def test_no_translate_summary_has_no_english_and_no_model() -> None:
    report = Pipeline(model="/nowhere").summarize(ARTICLE, translate=False)
    assert report.model is None and report.target_lang is None
    assert report.translated  # the JSON still has its translation keys, all null
    assert all(s.translation is None for s in report.sentences)


def test_reports_carry_their_languages(opened: list[FakeTranslator]) -> None:
    pipeline = Pipeline()
    assert (pipeline.segment(ARTICLE).source_lang, pipeline.segment(ARTICLE).target_lang) == (
        "id",
        None,
    )
    assert pipeline.translate(ARTICLE).target_lang == "en"


def test_batch_keeps_going_past_a_bad_record(opened: list[FakeTranslator]) -> None:
    bad = Record(id="b", text="", source="<stdin>", error=InputError("line 2: not JSON"))
    records: list[Any] = ["Satu.", bad, Record(id="c", text="Tiga.", source="<stdin>")]
    results = list(Pipeline().batch(records, task="translate"))
    assert [r.id for r in results] == [1, "b", "c"]
    assert results[1].to_dict() == {
        "id": "b",
        "error": {"status": 4, "message": "line 2: not JSON"},
    }
    assert results[2].to_dict()["sentences"][0]["translation"] == "EN Tiga."
    with pytest.raises(ValueError, match="unknown task"):
        list(Pipeline().batch(["x"], task="dance"))


def test_notices_from_loading_reach_the_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    def open_with_notice(settings: Settings, *, download_progress: bool = False) -> Any:
        logging.getLogger("translate_cli.engines").warning("fell back to transformers")
        return FakeTranslator(settings)

    monkeypatch.setattr("translate_cli.engines.open_translator", open_with_notice)
    hooks = RecordingHooks()
    Pipeline(hooks=hooks).translate("Halo dunia.")
    assert hooks.notices == ["fell back to transformers"]


def _library_doc_example() -> str:
    text = LIBRARY_DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- library example -->\n```python\n(.*?)```", text, re.S)
    assert match, "docs/library.md lost its library example"
    return match.group(1)


@pytest.mark.slow
def test_library_doc_example_runs(tiny_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = _library_doc_example().replace("/models/opus-mt-id-en", str(tiny_model))
    exec(compile(code, "docs/library.md", "exec"), {"text": ARTICLE, "__name__": "library_doc"})
    printed = capsys.readouterr().out
    assert segment(ARTICLE).sentences[0].text in printed


@pytest.mark.slow
def test_library_run_equals_the_command_on_the_real_model(tiny_model: Path) -> None:
    with Pipeline(model=str(tiny_model)) as pipeline:
        library = pipeline.run(ARTICLE).to_dict()
    command = invoke("run", str(EXAMPLE), "--model", str(tiny_model), "--format", "json")
    assert command.exit_code == 0, command.stderr
    assert library == json.loads(command.stdout)


def test_segment_report_shape() -> None:
    assert Pipeline().segment("Satu. Dua.").to_dict() == {
        "sentences": [
            {"paragraph": 0, "index": 0, "source": "Satu."},
            {"paragraph": 0, "index": 1, "source": "Dua."},
        ]
    }


def test_an_empty_document_never_loads_the_model(opened: list[FakeTranslator]) -> None:
    pipeline = Pipeline()
    for task in ("translate", "summarize", "run"):
        report = pipeline.task(task)("  \n\n ")
        assert report.sentences == ()
    assert opened == []


def test_tasks_are_written_once() -> None:
    from translate_cli.pipeline import TASKS, Work, batch_status

    assert TASKS.names() == ("segment", "translate", "summarize", "run")
    assert all(hasattr(Pipeline, name) for name in TASKS.names())  # each a Pipeline method
    settings = Settings()
    assert not Work("segment", settings).needs_model
    assert Work("run", settings).needs_model and Work("run", settings).kind.summarizes
    assert not Work("summarize", settings, {"translate": False}).needs_model
    assert TASKS.get("translate").streams and not TASKS.get("run").streams
    # A partly failed batch: the worst failed record's status (0 when none failed).
    assert batch_status([]) == 0 and batch_status([4, 3, 4]) == 4 and batch_status([1, 5]) == 5
