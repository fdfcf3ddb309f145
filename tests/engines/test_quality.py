"""Evidence: scores agree between engines, flags follow their definitions, the guard retries
degenerate outputs (random-weight models loop) and never touches a clean one."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.doubles import FakeTranslator
from tests.helpers import RecordingHooks, invoke
from translate_cli import Pipeline
from translate_cli.engines import quality
from translate_cli.engines.base import (
    ProgressCallback,
    Translation,
    TranslatorLayer,
    translations,
)
from translate_cli.engines.quality import Hypothesis
from translate_cli.engines.seq2seq import EngineOptions, Seq2SeqEngine, clean_for_model
from translate_cli.engines.transformers import TransformersEngine

SENTENCES = [*CORPUS[:8], "Ya.", CORPUS[0] + " " + CORPUS[1]]


# --- the definitions ----------------------------------------------------------------------------
def test_loops_are_found_and_a_repeating_source_excuses_them() -> None:
    sorry = Hypothesis("I'm sorry I'm sorry I'm sorry I'm sorry")
    assert quality.degeneration("Maaf.", 3, sorry) is not None
    assert quality.degeneration("Maaf.", 3, Hypothesis("persen persen persen")) is not None
    assert quality.degeneration("Maaf.", 3, Hypothesis("katkatkatkatkat")) is not None
    clean = Hypothesis("The city plans to build a new park in the centre next year.")
    assert quality.degeneration(CORPUS[1], 15, clean) is None
    assert quality.degeneration("ha ha ha ha", 5, Hypothesis("ha ha ha ha")) is None
    assert quality.degeneration("Ya.", 3, Hypothesis("Yes.", capped=True)) is not None
    assert quality.degeneration("Ya.", 3, Hypothesis(" ".join(f"w{i}" for i in range(20))))
    assert quality.longest_loop(["a", "b", "c", "a", "b", "c", "a", "b", "c", "d"]) == 9
    assert quality.longest_loop(["a", "b", "a", "b", "c"]) == 0


def test_better_prefers_a_clean_output_then_the_higher_score() -> None:
    loop = Hypothesis("per per per per", -4.0, 4)  # a confident loop
    clean = Hypothesis("per cent", -10.0, 4)
    assert quality.better(loop, clean, "persen", 3) is clean
    assert quality.better(clean, loop, "persen", 3) is clean
    worse = Hypothesis("a percentage", -12.0, 4)
    assert quality.better(clean, worse, "persen", 3) is clean
    assert quality.better(worse, clean, "persen", 3) is clean


def test_untranslated_is_the_source_copied_but_names_are_not() -> None:
    assert quality.untranslated(CORPUS[1], CORPUS[1])
    assert quality.untranslated(CORPUS[1], "EN " + CORPUS[1].lower())
    assert not quality.untranslated("Kota Malang", "Kota Malang")
    assert not quality.untranslated(CORPUS[1], "The city plans to build a new park next year.")


def test_split_sentences_get_the_token_weighted_mean() -> None:
    pieces = [Hypothesis("a", -2.0, 2), Hypothesis("b", -6.0, 6)]
    total, tokens, score = quality.combine(pieces)
    assert (total, tokens, score) == (-8.0, 8, -1.0)  # not the mean of -1 and -1 by chance:
    assert quality.combine([Hypothesis("a", -1.0, 1), Hypothesis("b", -9.0, 3)])[2] == -2.5
    assert quality.combine([Hypothesis("a"), Hypothesis("b", -1.0, 1)])[2] is None


def test_low_confidence_follows_the_threshold_in_the_documented_order() -> None:
    assert quality.with_threshold(("split",), -1.5, -1.0) == ("low-confidence", "split")
    assert quality.with_threshold(("split",), -0.5, -1.0) == ("split",)
    assert quality.with_threshold((), None, -1.0) == ()


# --- the engines --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hf(tiny_model: Path) -> TransformersEngine:
    return TransformersEngine(tiny_model, EngineOptions(beam_size=4, guard=False))


@pytest.mark.parametrize(("beams", "batch"), [(1, 4), (4, 1), (4, 4)])
def test_the_engines_agree_on_scores(
    tiny_model: Path, beams: int, batch: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from translate_cli.engines.ctranslate2 import CTranslate2Engine

    monkeypatch.setenv("TRANSLATE_CLI_CACHE_DIR", str(tmp_path / "ct2"))
    options = EngineOptions(beam_size=beams, compute_type="float32", guard=False, batch_size=batch)
    texts = [*SENTENCES, "ha ha", "a"]  # short sources: their outputs run to the cap
    ct2 = list(CTranslate2Engine(tiny_model, options).translate_with_evidence(texts))
    ref = list(TransformersEngine(tiny_model, options).translate_with_evidence(texts))
    same = [(a, b) for a, b in zip(ct2, ref, strict=True) if a.text == b.text]
    assert len(same) >= len(texts) - 2  # near ties may differ (see ctranslate2.py)
    for a, b in same:
        assert a.score is not None and b.score is not None and a.score <= 0
        assert a.flags == b.flags
        # Exact, except where beam search in a batch decoded a row past its own cap: that
        # row keeps the mean of the longer decoding (an estimate, see ctranslate2.py).
        estimate = beams > 1 and batch > 1 and "truncated-by-cap" in a.flags
        assert a.score == pytest.approx(b.score, abs=0.05 if estimate else 2e-3)
    # Random weights loop to the cap: the capped case is covered, and agrees too.
    assert any("truncated-by-cap" in a.flags for a, _ in same)


def test_score_is_the_mean_log_probability_of_the_output(hf: TransformersEngine) -> None:
    """Recomputed teacher-forced, independently of the scorer inside generate()."""
    texts = [clean_for_model(t) for t in SENTENCES[:5]]
    caps = [quality_cap(hf, t) for t in texts]
    rows = hf.generate_ids(texts, caps)
    found = hf.generate_scored(texts, caps)
    for ids, hypothesis, cap in zip(rows, found, caps, strict=True):
        kept = ids[:-1] if len(ids) >= cap else ids  # a </s> forced at the cap is not scored
        total = hf.score_ids([texts[found.index(hypothesis)]], [kept])[0]
        assert hypothesis.tokens == len(kept)
        assert hypothesis.log_prob == pytest.approx(total, abs=1e-3)


def quality_cap(engine: Seq2SeqEngine, text: str) -> int:
    from translate_cli.engines.seq2seq import output_cap

    return output_cap(engine.count_tokens([text])[0], engine.max_output_tokens)


def test_a_sentence_over_the_limit_is_flagged_split_with_a_weighted_score(
    hf: TransformersEngine,
) -> None:
    long_text = " ".join(CORPUS * 8)
    pieces = hf.split_to_fit(clean_for_model(long_text))
    assert len(pieces) > 1
    caps = [quality_cap(hf, p) for p in pieces]
    alone = [hf.generate_scored([p], [c])[0] for p, c in zip(pieces, caps, strict=True)]
    (result,) = hf.translate_with_evidence([long_text])
    assert "split" in result.flags
    total = sum(h.log_prob or 0.0 for h in alone)
    assert result.score == pytest.approx(total / sum(h.tokens for h in alone), abs=1e-4)


class _Counting(TransformersEngine):
    retries: list[str]

    def generate_scored(
        self, texts: Sequence[str], caps: Sequence[int], *, retry: bool = False
    ) -> list[Hypothesis]:
        if retry:
            self.retries.extend(texts)
        return super().generate_scored(texts, caps, retry=retry)


def test_the_guard_retries_loops_of_a_random_model(tiny_model: Path) -> None:
    guarded = _Counting(tiny_model, EngineOptions(beam_size=2))
    guarded.retries = []
    plain = TransformersEngine(tiny_model, EngineOptions(beam_size=2, guard=False))
    before = list(plain.translate_with_evidence(SENTENCES[:4]))
    after = list(guarded.translate_with_evidence(SENTENCES[:4]))
    looping = [
        t
        for t, b in zip(SENTENCES[:4], before, strict=True)
        if quality.degeneration(t, plain.count_tokens([t])[0], Hypothesis(b.text, capped=True))
    ]
    assert looping, "the random model is expected to loop"
    assert sorted(guarded.retries) == sorted(clean_for_model(t) for t in looping)
    for text, b, a in zip(SENTENCES[:4], before, after, strict=True):
        if text in looping:
            assert "repetition" in a.flags
            assert a.score is not None and a.score <= 0
        assert "repetition" not in b.flags
    # The retry decoded with penalties: the kept output is the better one, not always the first.
    assert any(a.text != b.text for a, b in zip(after, before, strict=True))


class _Scripted(Seq2SeqEngine):
    """The shared machinery over scripted outputs: a looping output for texts with "loop"."""

    name = "scripted"

    def __init__(self, guard: bool) -> None:
        super().__init__(EngineOptions(guard=guard, batch_size=3, window=4), 64, 64)
        self.retried: list[str] = []

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def generate(self, texts: Sequence[str], caps: Sequence[int]) -> list[str]:
        return [h.text for h in self.generate_scored(texts, caps)]

    def generate_scored(
        self, texts: Sequence[str], caps: Sequence[int], *, retry: bool = False
    ) -> list[Hypothesis]:
        if retry:
            self.retried += texts
            return [Hypothesis(f"fixed {t}", -9.0, 3) for t in texts]
        out = [f"{t} again again again" if "loop" in t else f"en {t}" for t in texts]
        return [Hypothesis(o, -0.5 * len(o.split()), len(o.split())) for o in out]


def test_a_clean_output_is_never_retried_and_equals_the_unguarded_engine() -> None:
    texts = [f"kalimat {i}" for i in range(9)] + ["ini loop", "kalimat 2"]
    guarded, plain = _Scripted(guard=True), _Scripted(guard=False)
    on = list(guarded.translate_with_evidence(texts))
    off = list(plain.translate_with_evidence(texts))
    assert guarded.retried == ["ini loop"] and plain.retried == []
    for text, a, b in zip(texts, on, off, strict=True):
        if "loop" in text:
            assert a == Translation("fixed ini loop", -3.0, ("repetition",))
        else:
            assert a == b and a.flags == ()


class _ScriptedStubborn(_Scripted):
    """Retries of texts with "stuck" loop again; records what the guard scores again."""

    def __init__(self) -> None:
        super().__init__(guard=True)
        self.scored_again: list[str] = []

    def generate_scored(
        self, texts: Sequence[str], caps: Sequence[int], *, retry: bool = False
    ) -> list[Hypothesis]:
        found = super().generate_scored(texts, caps, retry=retry)
        if retry:
            return [
                Hypothesis("stuck stuck stuck stuck", -0.1, 4) if "stuck" in t else h
                for t, h in zip(texts, found, strict=True)
            ]
        return found

    def score_outputs(
        self, texts: Sequence[str], outputs: Sequence[Hypothesis]
    ) -> list[Hypothesis]:
        self.scored_again += texts
        return [Hypothesis(h.text, -6.0, 3) for h in outputs]


def test_the_guard_retries_loops_together_and_scores_only_clean_retries_again() -> None:
    texts = ["ini loop", "kalimat 1", "loop stuck", "kalimat 2", "lagi loop"]
    engine = _ScriptedStubborn()
    out = list(engine.translate_with_evidence(texts))
    assert sorted(engine.retried) == sorted(["ini loop", "loop stuck", "lagi loop"])
    # A retry that loops again is not kept, nor scored again: the first output stays.
    assert sorted(engine.scored_again) == ["ini loop", "lagi loop"]
    assert out[0] == Translation("fixed ini loop", -2.0, ("repetition",))
    assert out[2].text == "loop stuck again again again" and "repetition" in out[2].flags
    assert out[2].score == pytest.approx(-0.5)
    assert out[1] == Translation("en kalimat 1", -0.5, ())


def test_an_eos_biased_model_stays_clean_and_is_never_retried(
    tiny_model: Path, tmp_path: Path
) -> None:
    """A real model that stops early (</s> favoured): no output loops, none is retried."""
    import shutil

    from transformers import MarianMTModel

    model_dir = tmp_path / "short"
    shutil.copytree(tiny_model, model_dir)
    model = MarianMTModel.from_pretrained(model_dir)
    model.final_logits_bias[0, model.config.eos_token_id] += 6.0
    model.save_pretrained(model_dir)
    guarded = _Counting(model_dir, EngineOptions(beam_size=2))
    guarded.retries = []
    plain = TransformersEngine(model_dir, EngineOptions(beam_size=2, guard=False))
    on = list(guarded.translate_with_evidence(SENTENCES))
    assert guarded.retries == []
    assert on == list(plain.translate_with_evidence(SENTENCES))
    assert all(t.score is not None and t.score <= 0 for t in on)


# --- through layers and the pipeline -------------------------------------------------------------
class _Upper(TranslatorLayer):
    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        return (t.upper() for t in self.inner.translate(texts, progress))


def test_layers_pass_evidence_through_unless_they_rewrite_the_text() -> None:
    assert list(translations(TranslatorLayer(FakeTranslator()), ["Satu."])) == [
        Translation("EN Satu.", 0.0)
    ]
    assert list(translations(_Upper(FakeTranslator()), ["Satu."])) == [Translation("EN SATU.")]


class _Unsure(FakeTranslator):
    def translate_with_evidence(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Translation]:
        for t in self.translate(texts, progress):
            yield Translation(t, -2.0 if "Dua" in t else -0.2, ("split",) if "Tiga" in t else ())


def test_pipeline_adds_low_confidence_and_summarises_a_long_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import translate_cli.pipeline as pipeline_module

    hooks = RecordingHooks()
    pipeline = Pipeline(hooks=hooks, flag_below=-1.0)
    pipeline._translator = _Unsure()
    report = pipeline.translate("Satu kalimat. Dua kalimat. Tiga kalimat.")
    assert [s.flags for s in report.sentences] == [(), ("low-confidence",), ("split",)]
    assert [s["score"] for s in report.to_dict()["sentences"]] == [-0.2, -2.0, -0.2]
    assert hooks.notices == []  # a short run says nothing
    monkeypatch.setattr(pipeline_module, "LONG_RUN_SECONDS", 0.0)
    pipeline.translate("Satu kalimat. Dua kalimat.")
    assert len(hooks.notices) == 1
    assert hooks.notices[0].startswith("translated 2 sentences in ")
    assert hooks.notices[0].endswith("; 0 retried by the guard, 1 flagged")


def test_summarize_carries_evidence_for_the_sentences_it_translates() -> None:
    pipeline = Pipeline(flag_below=-1.0)
    pipeline._translator = _Unsure()
    data = pipeline.summarize(
        "Judul Berita\n\nSatu kalimat. Dua kalimat. Tiga kalimat.", sentences=1
    )
    translated = [s for s in data.to_dict()["sentences"] if s["translation"] is not None]
    assert translated and all(isinstance(s["score"], float) for s in translated)
    untranslated = [s for s in data.to_dict()["sentences"] if s["translation"] is None]
    assert all(s["score"] is None and s["flags"] == [] for s in untranslated)


# --- the command line ---------------------------------------------------------------------------
def test_translate_json_carries_score_and_flags_on_every_sentence(tiny_model: Path) -> None:
    result = invoke(
        "translate",
        "-",
        "-m",
        str(tiny_model),
        "--engine",
        "transformers",
        "-f",
        "json",
        input=" ".join(CORPUS[:4]),
    )
    assert result.exit_code == 0, result.stderr
    sentences = json.loads(result.stdout)["sentences"]
    assert len(sentences) == 4
    for s in sentences:
        assert isinstance(s["score"], float) and s["score"] <= 0 and math.isfinite(s["score"])
        assert isinstance(s["flags"], list) and set(s["flags"]) <= set(quality.FLAGS)
        assert "low-confidence" in s["flags"]  # a random model is unsure of everything
    # --no-guard: nothing is retried, so nothing is flagged as a repetition.
    off = invoke(
        "translate",
        "-",
        "-m",
        str(tiny_model),
        "--engine",
        "transformers",
        "-f",
        "json",
        "--no-guard",
        "--flag-below",
        "-100",
        input=" ".join(CORPUS[:4]),
    )
    for s in json.loads(off.stdout)["sentences"]:
        assert "repetition" not in s["flags"] and "low-confidence" not in s["flags"]


def test_guard_and_threshold_are_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from translate_cli.config import Settings, resolve_settings

    assert Settings().guard is True and Settings().flag_below == -1.0
    settings = resolve_settings({}, env={"TRANSLATE_CLI_GUARD": "false"}, file_values={})
    assert settings.guard is False
    assert resolve_settings({"guard": False}, env={}, file_values={"guard": True}).guard is False
    assert EngineOptions.from_settings(settings).guard is False
    bad = invoke("translate", "-", "--flag-below", "0.5", input="Satu.")
    assert bad.exit_code == 2 and "--flag-below" in bad.stderr
    monkeypatch.setenv("TRANSLATE_CLI_GUARD", "maybe")
    worse = invoke("translate", "-", input="Satu.")
    assert worse.exit_code == 2 and "TRANSLATE_CLI_GUARD" in worse.stderr


def test_a_long_run_ends_with_one_summary_line_unless_quiet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import translate_cli.pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "LONG_RUN_SECONDS", 0.0)
    monkeypatch.setenv("TRANSLATE_CLI_ENGINE", "fake")
    result = invoke("translate", "-", "-f", "jsonl", input="Satu kalimat. Dua kalimat.")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("translate-cli: translated 2 sentences in ")
    assert lines[0].endswith(" s; 0 retried by the guard, 0 flagged")
    quiet = invoke("translate", "-", "-q", input="Satu kalimat. Dua kalimat.")
    assert quiet.exit_code == 0 and quiet.stderr == ""
