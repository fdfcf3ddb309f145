"""``translate-cli eval`` and ``translate_cli.evaluate``: inputs, scores, variants, output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, SHARED_DATA
from tests.doubles import fake_translation
from tests.helpers import invoke
from translate_cli import Pipeline, Settings
from translate_cli.errors import InputError, UsageError
from translate_cli.evaluate import evaluate, read_pairs, score, translate_lines

FLORES = SHARED_DATA / "parallel"


def _write(path: Path, lines: list[str]) -> str:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str]:
    """Source lines (one with two sentences, one empty) and references."""
    sources = [CORPUS[0], CORPUS[1] + " " + CORPUS[2], "", CORPUS[3]]
    references = ["The mayor of Malang met PT Telkom.", "A new park.", "", "The road opened."]
    return _write(tmp_path / "src.id", sources), _write(tmp_path / "ref.en", references)


# --- inputs ---------------------------------------------------------------------------------
def test_line_aligned_files(pair: tuple[str, str]) -> None:
    sources, references = read_pairs(*pair)
    assert len(sources) == len(references) == 4 and sources[2] == ""


def test_different_lengths_say_both_counts(tmp_path: Path) -> None:
    source = _write(tmp_path / "a", ["x", "y", "z"])
    reference = _write(tmp_path / "b", ["x", "y"])
    with pytest.raises(InputError, match=r"a has 3 lines but .*b has 2"):
        read_pairs(source, reference)
    result = invoke("eval", source, reference, "--engine", "fake")
    assert result.exit_code == 4 and "3 lines" in result.stderr and "has 2" in result.stderr


def test_empty_files_and_stdin_twice(tmp_path: Path) -> None:
    empty = _write(tmp_path / "empty", [])
    full = _write(tmp_path / "full", ["x"])
    for args in ((empty, full), (full, empty)):
        result = invoke("eval", *args, "--engine", "fake")
        assert result.exit_code == 4 and "empty file" in result.stderr
    result = invoke("eval", "-", "-", "--engine", "fake", input="x\n")
    assert result.exit_code == 2 and "not both" in result.stderr
    # one of them from stdin is fine
    result = invoke("eval", "-", full, "--engine", "fake", input="x\n")
    assert result.exit_code == 0, result.stderr


def test_tsv_and_jsonl_single_file(tmp_path: Path) -> None:
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("source\treference\nSatu.\tOne.\nDua.\tTwo.\n", encoding="utf-8")
    assert read_pairs(str(tsv)) == (["Satu.", "Dua."], ["One.", "Two."])
    jsonl = tmp_path / "pairs.jsonl"
    rows = [{"source": "Satu.", "reference": "One."}, {"source": "Dua.", "reference": "Two."}]
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert read_pairs(str(jsonl)) == (["Satu.", "Dua."], ["One.", "Two."])
    bad = tmp_path / "bad.tsv"
    bad.write_text("Satu.\tOne.\nDua. Two.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.tsv: line 2: expected 2 tab-separated"):
        read_pairs(str(bad))
    bad_json = tmp_path / "bad.jsonl"
    bad_json.write_text('{"source": "Satu."}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: needs \"source\" and \"reference\""):
        read_pairs(str(bad_json))
    result = invoke("eval", str(tsv), "--engine", "fake", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["results"][0]["sentences"] == 2


# --- scores ---------------------------------------------------------------------------------
def test_missing_sacrebleu_is_a_clear_error(
    pair: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("sacrebleu", "sacrebleu.metrics", "sacrebleu.metrics.bleu"):
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(UsageError, match="sacrebleu"):
        score(["a"], ["a"])
    result = invoke("eval", *pair, "--engine", "fake")
    assert result.exit_code == 2 and "pip install sacrebleu" in result.stderr


@pytest.mark.shared_data
def test_eval_uses_the_jsonl_translate_path_and_sacrebleu_scores(
    tiny_model: Path, tmp_path: Path
) -> None:
    """FLORES lines through the tiny model: BLEU/chrF equal sacrebleu's on the written
    translations, and those equal what `translate --input-format jsonl` prints."""
    import sacrebleu

    if (FLORES / "flores200.dev.id").is_file():
        sources = (FLORES / "flores200.dev.id").read_text(encoding="utf-8").splitlines()[:12]
        references = (FLORES / "flores200.dev.en").read_text(encoding="utf-8").splitlines()[:12]
    else:  # the shared data are not on every machine
        sources, references = CORPUS[:12], [fake_translation(s) for s in CORPUS[:12]]
    source = _write(tmp_path / "src", sources)
    reference = _write(tmp_path / "ref", references)
    out = tmp_path / "out"
    args = ["--model", str(tiny_model), "--engine", "ctranslate2", "--beam-size", "2"]
    result = invoke("eval", source, reference, *args, "-f", "json", "--translations", str(out))
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["results"]
    (written,) = sorted(out.iterdir())
    translations = written.read_text(encoding="utf-8").splitlines()
    assert len(translations) == len(sources)
    assert row["bleu"] == round(sacrebleu.corpus_bleu(translations, [references]).score, 2)
    assert row["chrf"] == round(sacrebleu.corpus_chrf(translations, [references]).score, 2)
    assert row["signature"]["bleu"].startswith("nrefs:1|case:mixed|eff:no|tok:13a")
    assert row["engine"] == "ctranslate2" and row["beam_size"] == 2
    assert row["sentences"] == len(sources) and row["seconds"] > 0
    records = "".join(json.dumps({"id": i, "text": s}) + "\n" for i, s in enumerate(sources))
    jsonl = invoke("translate", *args, "--input-format", "jsonl", "-q", input=records)
    assert jsonl.exit_code == 0
    expected = [
        " ".join(s["translation"] for s in json.loads(line)["sentences"])
        for line in jsonl.stdout.splitlines()
    ]
    assert translations == expected


def test_eval_compares_with_and_without_the_shortlist_built_by_its_command(
    tiny_model: Path, tmp_path: Path
) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("".join(f"{s}\tnews {i} in the city\n" for i, s in enumerate(CORPUS)))
    args = ["--model", str(tiny_model), "--engine", "ctranslate2"]
    source = _write(tmp_path / "src", CORPUS[:4])
    reference = _write(tmp_path / "ref", CORPUS[:4])
    missing = invoke("eval", source, reference, *args, "--shortlist", "on")
    assert missing.exit_code == 2 and "models shortlist" in missing.stderr
    built = invoke("models", "shortlist", str(tiny_model), str(pairs), "--per-source", "2")
    assert built.exit_code == 0, built.stderr
    assert f"from {len(CORPUS)} sentence pairs" in built.stderr
    result = invoke(
        "eval", source, reference, *args,
        "--shortlist", "off", "--shortlist", "on", "-f", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["results"]
    assert [(r["engine"], r["shortlist"]) for r in rows] == [
        ("ctranslate2", False), ("ctranslate2", True)
    ]  # fmt: skip
    assert "ctranslate2+shortlist" in result.stderr


def test_library_evaluate_matches_sacrebleu(pair: tuple[str, str]) -> None:
    import sacrebleu

    sources, references = read_pairs(*pair)
    result = evaluate(Settings(engine="fake"), sources, references)
    expected = [" ".join(fake_translation(s) for s in (CORPUS[1], CORPUS[2]))]
    assert result.translations[1] == expected[0] and result.translations[2] == ""
    assert result.bleu == sacrebleu.corpus_bleu(list(result.translations), [references]).score
    assert result.chrf == sacrebleu.corpus_chrf(list(result.translations), [references]).score
    with Pipeline(engine="fake") as pipeline:
        assert translate_lines(pipeline, sources) == list(result.translations)


# --- variants and output --------------------------------------------------------------------
def test_variants_side_by_side(pair: tuple[str, str], tmp_path: Path) -> None:
    out = tmp_path / "t"
    result = invoke(
        "eval", *pair, "--engine", "fake", "-m", "a/b", "-m", "./c",
        "--beam-size", "1", "--beam-size", "3", "-f", "json", "--translations", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["results"]
    assert [(r["model"], r["beam_size"]) for r in rows] == [
        ("a/b", 1), ("a/b", 3), ("./c", 1), ("./c", 3)
    ]  # fmt: skip
    keys = {"model", "engine", "beam_size", "bleu", "chrf", "sentences", "seconds", "signature"}
    assert all(keys <= set(r) for r in rows)
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 4 and len(set(files)) == 4
    assert all(len((out / f).read_text().splitlines()) == 4 for f in files)
    assert result.stderr.count("BLEU") == 4  # one progress line per result


def test_text_output_prints_the_signatures(pair: tuple[str, str]) -> None:
    result = invoke("eval", *pair, "--engine", "fake")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "model", "engine", "beam", "BLEU", "chrF", "segments", "seconds", "sent/s"
    ]  # fmt: skip
    assert lines[-2].startswith("BLEU signature: nrefs:1|")
    assert lines[-1].startswith("chrF signature: nrefs:1|")
    assert invoke("eval", *pair, "--engine", "fake", "-q").stderr == ""


def test_json_output_is_valid_json_through_the_one_writer(pair: tuple[str, str]) -> None:
    result = invoke("eval", *pair, "--engine", "fake", "-m", "./kamus-ü", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert '"./kamus-ü"' in result.stdout  # UTF-8, not \u-escaped
    (only,) = json.loads(result.stdout)["results"]
    assert only["model"] == "./kamus-ü" and only["engine"] == "fake"


def test_bad_variant_is_a_usage_error_before_work(pair: tuple[str, str]) -> None:
    result = invoke("eval", *pair, "--engine", "fake", "--beam-size", "0")
    assert result.exit_code == 2 and "--beam-size" in result.stderr
    result = invoke("eval", *pair, "--engine", "nope")
    assert result.exit_code == 2
    result = invoke("eval", *pair, "--engine", "fake", "-f", "yaml")
    assert result.exit_code == 2 and "--format: 'yaml' is not one of text, json" in result.stderr


# --- the translation memory -----------------------------------------------------------------
def test_eval_never_reads_or_writes_the_memory(
    pair: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second eval must measure the model again, not the memory: no memory is created,
    an existing one is left as it was, and --no-memory is accepted."""
    from translate_cli.memory import default_path

    memory = tmp_path / "memory.sqlite3"
    monkeypatch.setenv("TRANSLATE_CLI_MEMORY", str(memory))
    for extra in ([], [], ["--no-memory"]):
        result = invoke("eval", *pair, "--engine", "fake", "-f", "json", *extra)
        assert result.exit_code == 0, result.stderr
    assert not memory.exists() and not default_path().exists()
    evaluate(Settings(engine="fake", memory=str(memory)), *read_pairs(*pair))
    assert not memory.exists()
    # An existing memory holding these very sentences: untouched, its entries not hit.
    assert invoke("translate", pair[0], "--engine", "fake").exit_code == 0
    files = sorted(tmp_path.glob("memory.sqlite3*"))
    before = {path: path.read_bytes() for path in files}
    assert invoke("eval", *pair, "--engine", "fake").exit_code == 0
    assert {path: path.read_bytes() for path in sorted(tmp_path.glob("memory.sqlite3*"))} == before
    stats = json.loads(invoke("memory", "stats", "-f", "json").stdout)
    assert stats["entries"] > 0 and stats["hits"] == 0


@pytest.mark.parametrize("command", ["translate", "summarize", "run", "batch", "eval"])
def test_every_model_running_command_takes_no_memory(command: str) -> None:
    from translate_cli.cli.root import command_group

    options = command_group().commands[command].params
    assert any("--no-memory" in option.opts for option in options)
