"""The glossary and name protection (engines/terms.py): matched, enforced, or flagged."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from tests.doubles import FakeTranslator
from tests.helpers import invoke
from translate_cli.batch import identity
from translate_cli.config import Settings
from translate_cli.engines.base import ProgressCallback, Translation, translations
from translate_cli.engines.quality import GLOSSARY_MISSED, NAME_CHANGED
from translate_cli.engines.terms import (
    Glossary,
    Term,
    TermsLayer,
    find_terms,
    parse_glossary,
    protected_names,
    terms_layer,
)
from translate_cli.errors import UsageError
from translate_cli.memory import MemoryLayer, descriptor
from translate_cli.pipeline import Pipeline, Work
from translate_cli.segment import segment

GLOSSARY = "# city terms\nPemkot\tCity Government\nDisperkim\t=\nopd\tregional agencies\n"
ARTICLE = (
    "Walikota Malang H. Sutiaji meninjau taman bersama OPD terkait. "
    "Menurut Pak Budi, Pemkot-nya sudah siap. "
    "Anggaran di Disperkim naik tahun ini. "
    "Diah Ayu Kusumadewi mengatakan Pemkot Malang akan melanjutkan. "
    "Diah Ayu Kusumadewi hadir bersama warga Malang."
)


class Mangler:
    """A translator that mangles on purpose: ``"EN " + change(text)``, every call recorded."""

    name = "mangler"

    def __init__(self, change: Callable[[str, int], str]) -> None:
        self.change = change
        self.calls: list[list[str]] = []

    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        call: list[str] = []
        self.calls.append(call)
        for text in texts:
            call.append(text)
            yield "EN " + self.change(text, len(self.calls))

    def close(self) -> None:
        pass


def _layer(change: Callable[[str, int], str], text: str = GLOSSARY) -> tuple[TermsLayer, Mangler]:
    inner = Mangler(change)
    return TermsLayer(inner, parse_glossary(text), keep_names=True), inner


def _run(layer: TermsLayer, texts: list[str]) -> list[Translation]:
    layer.use_document(texts)
    return list(translations(layer, texts))


# --- the file ---------------------------------------------------------------------------------
def test_a_glossary_file_reads_comments_keeps_and_targets() -> None:
    glossary = parse_glossary(GLOSSARY + "\n# note\nBarenlitbang\t\n")
    assert [(t.source, t.target) for t in glossary.terms] == [
        ("Pemkot", "City Government"),
        ("Disperkim", "Disperkim"),  # "=": kept as written
        ("opd", "regional agencies"),
        ("Barenlitbang", "Barenlitbang"),  # empty target: kept as written
    ]
    assert glossary.digest != parse_glossary(GLOSSARY).digest


def test_a_line_without_a_tab_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="line 2: expected source<TAB>target"):
        parse_glossary("a\tb\nPemkot City Government\n")
    path = tmp_path / "g.tsv"
    path.write_text("Pemkot City Government\n")
    result = invoke("translate", "-", "--engine", "fake", "--glossary", str(path), input="x.")
    assert result.exit_code == 2 and "line 1" in result.stderr
    missing = invoke("translate", "-", "--engine", "fake", "--glossary", "nope.tsv", input="x.")
    assert missing.exit_code == 2 and "cannot read nope.tsv" in missing.stderr


# --- matching ---------------------------------------------------------------------------------
def _sources(text: str, glossary: str = GLOSSARY) -> list[str]:
    return [text[f.start : f.end] for f in find_terms(text, parse_glossary(glossary).terms)]


def test_terms_match_on_word_boundaries_with_clitics_kept_on_the_source_side() -> None:
    text = "Pemkot-nya, Pemkot-lah, Pemkot-kah dan Pemkotlah, di Disperkim, Pemkotnya"
    assert _sources(text) == ["Pemkot", "Pemkot", "Pemkot", "Disperkim"]
    assert _sources("OPDs bukan OPD") == ["OPD"]


def test_lower_case_entries_match_any_case_capitalised_ones_only_as_written() -> None:
    assert _sources("opd, OPD dan Opd") == ["opd", "OPD", "Opd"]
    assert _sources("pemkot PEMKOT Pemkot") == ["Pemkot"]


def test_the_longest_match_wins() -> None:
    glossary = "Pemkot\tCity Government\nPemkot Malang\tMalang City Government\n"
    found = find_terms("Pemkot Malang dan Pemkot", parse_glossary(glossary).terms)
    assert [f.term.target for f in found] == ["Malang City Government", "City Government"]


# --- names ------------------------------------------------------------------------------------
def test_names_after_titles_acronyms_and_repeated_capitalised_words_are_protected() -> None:
    names = protected_names(s.text for s in segment(ARTICLE).sentences)
    for name in ("Sutiaji", "Budi", "OPD", "Diah Ayu Kusumadewi", "Malang"):
        assert name in names
    for word in ("Menurut", "Anggaran", "Februari", "H"):
        assert word not in names


def test_a_name_the_glossary_maps_keeps_the_glossary_target() -> None:
    layer, _ = _layer(lambda text, call: text)
    layer.use_document(["OPD hadir.", "Pemkot hadir."])
    assert all(t.source != "OPD" for t in layer.names)  # "opd" maps it


# --- enforcement, with translators that mangle on purpose -------------------------------------
def test_the_model_gets_the_targets_in_place_and_every_target_reaches_the_english() -> None:
    layer, inner = _layer(lambda text, call: text)
    outputs = _run(layer, ["Menurut Pak Budi, Pemkot-nya sudah siap bersama OPD."])
    assert inner.calls[0] == [
        "Menurut Pak Budi, City Government-nya sudah siap bersama regional agencies."
    ]
    assert "City Government" in outputs[0].text and outputs[0].flags == ()


def test_a_lowered_or_copied_term_is_repaired() -> None:
    layer, _ = _layer(lambda text, call: text.lower())
    output = _run(layer, ["Pemkot dan Pak Budi hadir."])[0]
    assert output.text == "EN City Government dan pak Budi hadir." and output.flags == ()


def test_a_term_lost_once_is_decoded_again_another_way() -> None:
    # The first decode drops the target; the second (the original sentence) keeps Pemkot,
    # which the repair turns into the target.
    layer, inner = _layer(
        lambda text, call: text.replace("City Government", "") if call == 1 else text
    )
    output = _run(layer, ["Pemkot sudah siap."])[0]
    assert inner.calls[1] == ["Pemkot sudah siap."]
    assert output.text == "EN City Government sudah siap." and output.flags == ()


def test_a_term_lost_every_time_is_flagged_naming_it_never_a_silent_miss() -> None:
    def drop(text: str, call: int) -> str:
        return re.sub(r"City Government|Pemkot|Sutiaji", "someone", text)

    layer, _ = _layer(drop)
    texts = ["Pemkot sudah siap.", "H. Sutiaji datang.", "Tidak ada istilah."]
    outputs = _run(layer, texts)
    assert outputs[0].flags == (GLOSSARY_MISSED,)
    assert outputs[1].flags == (NAME_CHANGED,)
    assert outputs[2].flags == ()
    assert [t.source for t in layer.missed["Pemkot sudah siap."]] == ["Pemkot"]
    assert [t.source for t in layer.missed["H. Sutiaji datang."]] == ["Sutiaji"]


def test_a_kept_name_lost_once_is_sent_again_in_quotation_marks() -> None:
    layer, inner = _layer(lambda text, call: text.replace("Budi", "Buddy") if call == 1 else text)
    output = _run(layer, ["Pak Budi datang."])[0]
    assert inner.calls[1] == ['Pak "Budi" datang.']
    assert output.text == "EN Pak Budi datang." and output.flags == ()


def test_second_decodes_go_to_the_model_together_and_the_order_holds() -> None:
    # Every other sentence loses its name on the first decode; the held outputs come back in
    # order, the second decodes made in one call per RETRY_WINDOW sentences.
    layer, inner = _layer(lambda text, call: text.replace("Pak Budi", "Pak Buddy"))
    texts = [f"Pak Budi datang ke {i}." if i % 2 else f"Warga {i} hadir." for i in range(70)]
    outputs = _run(layer, texts)
    assert [o.text for o in outputs] == [f"EN {t}" for t in texts]
    assert all(o.flags == () for o in outputs) and layer.retried == 35
    retries = inner.calls[1:]
    assert [len(call) for call in retries] == [16, 16, 3]  # 32 held, 32 held, the rest
    assert all(text.startswith('Pak "Budi"') for call in retries for text in call)


def test_outputs_before_a_lost_term_are_not_held() -> None:
    layer, inner = _layer(lambda text, call: text.replace("Pak Budi", "Pak Buddy"))
    layer.use_document(["Pak Budi datang.", "Pak Budi pulang."])
    stream = translations(layer, ["Warga hadir.", "Pak Budi datang.", "Warga pulang."])
    assert next(stream).text == "EN Warga hadir."
    assert len(inner.calls) == 1  # no second decode was needed for the first output
    assert [o.text for o in stream] == ["EN Pak Budi datang.", "EN Warga pulang."]


def test_inner_evidence_is_kept_and_flags_added() -> None:
    layer = TermsLayer(FakeTranslator(), Glossary((Term("kota", "city"),)), keep_names=False)
    assert _run(layer, ["kota"]) == [Translation("EN city", 0.0)]


# --- the pipeline, the CLI and the tiny real model --------------------------------------------
@pytest.fixture
def glossary_file(tmp_path: Path) -> Path:
    path = tmp_path / "glossary.tsv"
    path.write_text(GLOSSARY, encoding="utf-8")
    return path


def test_the_command_enforces_the_glossary_and_no_keep_names_turns_names_off(
    glossary_file: Path,
) -> None:
    result = invoke(
        "translate",
        "-",
        "--engine",
        "fake",
        "--glossary",
        str(glossary_file),
        "-f",
        "json",
        input=ARTICLE,
    )
    assert result.exit_code == 0, result.stderr
    english = " ".join(s["translation"] for s in json.loads(result.stdout)["sentences"])
    assert "City Government" in english and "regional agencies" in english
    with Pipeline(engine="fake", keep_names=False, no_memory=True) as pipeline:
        assert terms_layer(pipeline.translator) is None  # nothing to enforce


def _every_term_kept_or_flagged(pipeline: Pipeline, text: str) -> None:
    report = pipeline.translate(text)
    layer = terms_layer(pipeline.translator)
    assert layer is not None
    for item in report.sentences:
        english = item.translation or ""
        for found in find_terms(item.sentence.text, (*layer.glossary.terms, *layer.names)):
            kept = re.search(rf"(?<!\w){re.escape(found.term.target)}(?!\w)", english)
            assert kept or found.term.flag in item.flags, (item.sentence.text, english)


def test_with_the_tiny_real_model_every_target_and_name_is_present_or_flagged(
    tiny_model: Path, glossary_file: Path
) -> None:
    with Pipeline(model=str(tiny_model), glossary=str(glossary_file), no_memory=True) as pipeline:
        _every_term_kept_or_flagged(pipeline, ARTICLE)


def test_with_a_mangling_engine_in_the_pipeline_every_target_is_present_or_flagged(
    glossary_file: Path,
) -> None:
    with Pipeline(engine="fake", glossary=str(glossary_file), no_memory=True) as pipeline:
        layer = terms_layer(pipeline.translator)
        assert layer is not None
        layer.inner = Mangler(
            lambda text, call: re.sub("City Government|Pemkot", "town", text).replace("Budi", "B.")
        )
        _every_term_kept_or_flagged(pipeline, ARTICLE)
        flags = {f for item in pipeline.translate(ARTICLE).sentences for f in item.flags}
        assert {GLOSSARY_MISSED, NAME_CHANGED} <= flags


# --- identities: the memory, a batch folder, eval ---------------------------------------------
def test_a_changed_glossary_reuses_nothing_stale_from_the_memory(
    tmp_path: Path, glossary_file: Path
) -> None:
    memory = str(tmp_path / "memory.sqlite3")
    settings = Settings(engine="fake", memory=memory, glossary=str(glossary_file))

    def hits() -> int:
        with Pipeline(settings) as pipeline:
            pipeline.translate("Anggaran naik tahun ini.")
            memory = pipeline.translator
            assert isinstance(memory, MemoryLayer) and isinstance(memory.inner, TermsLayer)
            return memory.hits

    assert hits() == 0 and hits() == 1  # unchanged: reused
    glossary_file.write_text(GLOSSARY + "anggaran\tbudget\n", encoding="utf-8")
    assert hits() == 0
    changed = descriptor(FakeTranslator(), settings)["glossary"]
    assert changed != descriptor(FakeTranslator(), Settings(engine="fake"))["glossary"]
    names_off = Settings(engine="fake", glossary=str(glossary_file), keep_names=False)
    assert changed != descriptor(FakeTranslator(), names_off)["glossary"]


def test_a_batch_rerun_with_another_glossary_is_refused(
    tmp_path: Path, glossary_file: Path
) -> None:
    data = tmp_path / "a.jsonl"
    data.write_text(json.dumps({"id": 1, "text": ARTICLE}) + "\n")
    out = tmp_path / "out"
    args = (
        "batch",
        str(data),
        "-o",
        str(out),
        "--engine",
        "fake",
        "--glossary",
        str(glossary_file),
    )
    assert invoke(*args).exit_code == 0
    assert invoke(*args).exit_code == 0  # the same glossary: accepted
    glossary_file.write_text(GLOSSARY + "anggaran\tbudget\n", encoding="utf-8")
    result = invoke(*args)
    assert result.exit_code == 2 and "glossary" in result.stderr
    (out / "manifest.json").unlink()  # a fresh folder; then names off is another identity
    assert invoke(*args).exit_code == 0
    assert invoke(*args, "--no-keep-names").exit_code == 2
    plain = identity(Work("translate", Settings(engine="fake")))
    assert (
        plain["glossary"]
        != identity(Work("translate", Settings(engine="fake", keep_names=False)))["glossary"]
    )


def test_eval_accepts_a_glossary(tmp_path: Path, glossary_file: Path) -> None:
    source, reference = tmp_path / "src.txt", tmp_path / "ref.txt"
    source.write_text("Pemkot sudah siap.\n")
    reference.write_text("The City Government is ready.\n")
    out = tmp_path / "translations"
    args = ("eval", str(source), str(reference), "--engine", "fake", "--translations", str(out))
    result = invoke(*args, "--glossary", str(glossary_file), "--no-keep-names")
    assert result.exit_code == 0, result.stderr
    assert "City Government" in "".join(p.read_text() for p in out.iterdir())


def test_the_config_file_and_environment_name_the_glossary(glossary_file: Path) -> None:
    from translate_cli.pipeline import resolve_settings

    from_file = resolve_settings({}, {}, {"glossary": str(glossary_file), "keep_names": False})
    assert (from_file.glossary, from_file.keep_names) == (str(glossary_file), False)
    env = {"TRANSLATE_CLI_GLOSSARY": str(glossary_file), "TRANSLATE_CLI_KEEP_NAMES": "0"}
    assert resolve_settings({}, env, {}) == from_file
