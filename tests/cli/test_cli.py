"""The command contract: every command, format, exit code and bad input, in process.

Most tests run on the fake engine (no torch): the contract is about what the CLI does with
translations, not what they say. The ones marked "real model" run the tiny random MarianMT
model and compare with the engine translating each sentence alone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import install_in_hub_cache
from tests.doubles import fake_translation
from tests.helpers import ARTICLE, EXAMPLE, invoke, jsonl
from translate_cli.config import Settings
from translate_cli.engines import open_translator
from translate_cli.segment import segment

SENTENCES = segment(ARTICLE).sentences


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSLATE_CLI_ENGINE", "fake")


@pytest.fixture(scope="module")
def expected_translations(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Each example sentence translated alone by the engine the CLI uses by default."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRANSLATE_CLI_CACHE_DIR", str(tmp_path_factory.mktemp("ct2-cache")))
        translator = open_translator(Settings(model=str(tiny_model)))
        try:
            return [next(translator.translate([s.text])) for s in SENTENCES]
        finally:
            translator.close()


# --- segment ------------------------------------------------------------------------------------
def test_segment_text_is_one_sentence_a_line_with_paragraph_gaps() -> None:
    result = invoke("segment", str(EXAMPLE))
    assert result.exit_code == 0
    blocks = result.stdout.strip("\n").split("\n\n")
    assert len(blocks) == segment(ARTICLE).paragraph_count
    assert result.stdout.split() == ARTICLE.split()  # nothing lost, nothing added


def test_segment_jsonl_and_json_agree() -> None:
    lines = jsonl(invoke("segment", str(EXAMPLE), "--format", "jsonl").stdout)
    whole = json.loads(invoke("segment", str(EXAMPLE), "--format", "json").stdout)
    assert whole == {"sentences": lines}
    assert [r["index"] for r in lines] == list(range(len(lines)))
    assert all(set(r) == {"paragraph", "index", "source"} for r in lines)
    assert "".join(r["source"] for r in lines).replace(" ", "") == "".join(ARTICLE.split())


def test_segment_reads_stdin_when_piped_and_dash() -> None:
    for args in (["segment"], ["segment", "-"]):
        result = invoke(*args, input="Satu kalimat. Dua kalimat.")
        assert result.exit_code == 0
        assert result.stdout.split() == ["Satu", "kalimat.", "Dua", "kalimat."]


def test_segment_batch_mode_keeps_ids_and_order() -> None:
    lines = "\n".join(
        json.dumps({"id": i, "text": t}) for i, t in [("a", "Satu. Dua."), (7, ""), ("c", "Tiga.")]
    )
    out = jsonl(invoke("segment", "-", "--input-format", "jsonl", input=lines).stdout)
    assert [o["id"] for o in out] == ["a", 7, "c"]
    assert [len(o["sentences"]) for o in out] == [2, 0, 1]


def test_segment_markdown_numbers_sentences() -> None:
    assert invoke("segment", str(EXAMPLE), "--format", "markdown").stdout.startswith("1. ")


# --- translate ----------------------------------------------------------------------------------
def test_translate_jsonl_is_sentence_aligned(fake_engine: None) -> None:
    records = jsonl(invoke("translate", str(EXAMPLE), "-f", "jsonl").stdout)
    assert [r["source"] for r in records] == [s.text for s in SENTENCES]
    assert [r["translation"] for r in records] == [fake_translation(s.text) for s in SENTENCES]
    assert [r["paragraph"] for r in records] == [s.paragraph for s in SENTENCES]


def test_translate_json_shape(fake_engine: None) -> None:
    out = json.loads(invoke("translate", str(EXAMPLE), "-m", "some/model", "-f", "json").stdout)
    assert set(out) == {"model", "sentences", "meta"}
    assert out["meta"] == {"language": "id"}
    assert out["model"] == "some/model"
    keys = {"paragraph", "index", "source", "translation", "score", "flags", "language"}
    assert all(set(s) == keys for s in out["sentences"])
    assert all(s["score"] == 0.0 and s["flags"] == [] for s in out["sentences"])  # fake: sure


def test_translate_plain_text_keeps_paragraphs(fake_engine: None) -> None:
    out = invoke("translate", str(EXAMPLE)).stdout
    assert len(out.strip("\n").split("\n\n")) == segment(ARTICLE).paragraph_count
    assert out.split() == " ".join(fake_translation(s.text) for s in SENTENCES).split()


def test_translate_markdown_table(fake_engine: None) -> None:
    out = invoke("translate", str(EXAMPLE), "-f", "markdown").stdout
    assert "| # | Indonesian | English |" in out
    assert out.count("\n| ") >= len(SENTENCES)


def test_choices_are_case_insensitive(fake_engine: None) -> None:
    upper = invoke("translate", str(EXAMPLE), "-f", "JSON", "--engine", "FAKE")
    assert upper.exit_code == 0, upper.stderr
    assert upper.stdout == invoke("translate", str(EXAMPLE), "-f", "json").stdout


def test_translate_batch_mode_keeps_ids(fake_engine: None) -> None:
    lines = "\n".join(json.dumps({"id": f"doc{i}", "text": ARTICLE}) for i in range(3))
    result = invoke("translate", "-", "--input-format", "jsonl", "-f", "text", input=lines)
    out = jsonl(result.stdout)
    assert [o["id"] for o in out] == ["doc0", "doc1", "doc2"]
    assert out[0]["sentences"] == out[2]["sentences"]
    assert set(out[0]) == {"id", "model", "sentences", "meta"}


def test_output_file_is_written(fake_engine: None, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    result = invoke("translate", str(EXAMPLE), "-f", "jsonl", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert len(jsonl(target.read_text())) == len(SENTENCES)


def test_bom_and_crlf_input(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode())
    out = jsonl(invoke("segment", str(path), "-f", "jsonl").stdout)
    assert [r["source"] for r in out] == [s.text for s in SENTENCES]


# --- several inputs -------------------------------------------------------------------------
@pytest.fixture
def two_files(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("Satu kalimat. Dua kalimat.\n", encoding="utf-8")
    second.write_text("Tiga kalimat.\n\nEmpat kalimat.\n", encoding="utf-8")
    return first, second


def test_several_inputs_text_has_a_header_a_file(two_files: tuple[Path, Path]) -> None:
    first, second = two_files
    result = invoke("segment", str(first), str(second))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"==> {first} <==\nSatu kalimat.\nDua kalimat.\n\n"
        f"==> {second} <==\nTiga kalimat.\n\nEmpat kalimat.\n"
    )


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_several_inputs_json_is_a_batch_with_file_ids(
    fake_engine: None, two_files: tuple[Path, Path], fmt: str
) -> None:
    first, second = two_files
    out = jsonl(invoke("translate", str(first), str(second), "-f", fmt).stdout)
    assert [o["id"] for o in out] == [str(first), str(second)]
    assert [len(o["sentences"]) for o in out] == [2, 2]
    assert out[1]["sentences"][1]["translation"] == "EN Empat kalimat."


def test_a_missing_input_among_several_fails_before_any_output(
    two_files: tuple[Path, Path], tmp_path: Path
) -> None:
    result = invoke("segment", str(two_files[0]), str(tmp_path / "typo.txt"))
    assert result.exit_code == 4
    assert result.stdout == ""
    assert "typo.txt" in result.stderr


# --- summarize and run --------------------------------------------------------------------------
def test_summarize_without_translation_needs_no_model() -> None:
    result = invoke(
        "summarize", str(EXAMPLE), "--no-translate", "-f", "json", "--model", "/nonexistent/model"
    )
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["model"] is None
    assert 1 <= len(out["summary"]) <= 3
    sources = {s["index"]: s["source"] for s in out["sentences"]}
    for item in out["summary"]:
        assert item["translation"] is None
        # Shown as summaries are written: the sentence, less any leading dateline.
        assert sources[item["index"]].endswith(item["source"])
        assert not item["source"].startswith("SEMARANG, Warta Pesisir")
    indices = [i["index"] for i in out["summary"]]
    assert indices == sorted(indices)


def test_summarize_translates_the_picks_and_their_whole_sentences(fake_engine: None) -> None:
    out = json.loads(invoke("summarize", str(EXAMPLE), "-n", "2", "-f", "json").stdout)
    assert len(out["summary"]) == 2
    picked = {i["index"] for i in out["summary"]} | (
        {out["title"]["index"]} if out["title"] else set()
    )
    for sentence in out["sentences"]:
        if sentence["index"] in picked:
            # Also a pick shown without its dateline: its sentence carries a translation.
            assert sentence["translation"] == fake_translation(sentence["source"])
        else:
            assert sentence["translation"] is None
    for item in out["summary"]:
        assert item["translation"] == fake_translation(item["source"])


def test_summarize_no_translate_table_has_no_english_column() -> None:
    result = invoke("summarize", str(EXAMPLE), "--no-translate", stdout_tty=True, width=80)
    assert result.exit_code == 0, result.stderr
    assert "Indonesian" in result.stdout
    assert "English" not in result.stdout and "—" not in result.stdout


def test_run_json_has_every_translation_and_a_summary(fake_engine: None) -> None:
    out = json.loads(invoke("run", str(EXAMPLE), "-f", "json").stdout)
    assert set(out) == {"model", "title", "sentences", "summary", "meta"}
    assert [s["translation"] for s in out["sentences"]] == [
        fake_translation(s.text) for s in SENTENCES
    ]
    for item in out["summary"]:
        assert item["translation"] == fake_translation(item["source"])


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_run_human_formats(fake_engine: None, fmt: str) -> None:
    result = invoke("run", str(EXAMPLE), "-f", fmt)
    assert result.exit_code == 0
    assert ("## Summary" if fmt == "markdown" else "Summary (English):") in result.stdout


def test_terminal_tables_wrap_long_words_instead_of_cutting_them(fake_engine: None) -> None:
    url = "https://malangkota.go.id/2019/02/26/pemkot-malang-dan-telkom-bersinergi-smart-city"
    result = invoke("translate", "-", input=f"Baca di {url} sekarang.", stdout_tty=True, width=60)
    assert result.exit_code == 0, result.stderr
    assert "…" not in result.stdout
    rows = [line.split("│") for line in result.stdout.splitlines() if line.count("│") == 4]
    indonesian = "".join(cells[2].strip() for cells in rows)
    english = "".join(cells[3].strip() for cells in rows)
    assert url in indonesian and url in english  # every character, in order, over several rows


def test_summarize_batch_mode_no_translate() -> None:
    lines = "\n".join(json.dumps({"id": i, "text": ARTICLE}) for i in range(2))
    result = invoke(
        "summarize",
        "-",
        "--no-translate",
        "--sentences",
        "3",
        "--input-format",
        "jsonl",
        input=lines,
    )
    out = jsonl(result.stdout)
    assert [o["id"] for o in out] == [0, 1]
    assert all(len(o["summary"]) == 3 for o in out)


# --- the real tiny model ------------------------------------------------------------------------
@pytest.mark.slow
def test_real_model_translate_jsonl_equals_each_sentence_alone(
    tiny_model: Path, expected_translations: list[str]
) -> None:
    result = invoke("translate", str(EXAMPLE), "--model", str(tiny_model), "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    assert [r["translation"] for r in jsonl(result.stdout)] == expected_translations


@pytest.mark.slow
def test_real_model_run_json(tiny_model: Path, expected_translations: list[str]) -> None:
    out = json.loads(invoke("run", str(EXAMPLE), "-m", str(tiny_model), "-f", "json").stdout)
    assert [s["translation"] for s in out["sentences"]] == expected_translations
    for item in out["summary"]:
        if item["source"] == SENTENCES[item["index"]].text:
            assert item["translation"] == expected_translations[item["index"]]


# --- empty input, bad input and exit codes ------------------------------------------------------
@pytest.mark.parametrize("command", ["segment", "translate", "summarize", "run"])
def test_empty_input_prints_nothing(command: str) -> None:
    # No model is needed (or loaded) for an empty document.
    model = [] if command == "segment" else ["--model", "/nonexistent"]
    result = invoke(command, "-", *model, input="  \n\n ")
    assert result.exit_code == 0 and result.stdout == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Halo dunia.\x00\x01\x02", "NUL byte at byte offset 11"),
        (b"Kalimat \xff\xfe rusak.", "not valid UTF-8 at byte offset 8"),
        (b"\xef\xbb\xbfAwal \xc3\x28", "not valid UTF-8 at byte offset 8"),
    ],
)
def test_binary_or_undecodable_input_is_exit_4(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    result = invoke("segment", str(path))
    assert result.exit_code == 4
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_and_directory_are_exit_4(tmp_path: Path) -> None:
    assert invoke("segment", str(tmp_path / "nope.txt")).exit_code == 4
    assert invoke("segment", str(tmp_path)).exit_code == 4


def test_bad_jsonl_lines_keep_the_others_and_exit_4(fake_engine: None) -> None:
    lines = '{"id": "a", "text": "Satu."}\n[1, 2]\n{"id": "c", "text": "Halo \\ud800 dunia."}\n'
    lines += '{"id": "d", "text": "Empat."}\n'
    result = invoke("translate", "-", "--input-format", "jsonl", input=lines)
    assert result.exit_code == 4
    out = jsonl(result.stdout)
    assert [o["id"] for o in out] == ["a", 2, "c", "d"]
    assert out[0]["sentences"][0]["translation"] == "EN Satu."
    assert out[3]["sentences"][0]["translation"] == "EN Empat."
    assert set(out[1]) == {"id", "error"} and out[1]["error"]["status"] == 4
    assert "line 2" in out[1]["error"]["message"] and "line 2" in result.stderr
    assert "line 3" in out[2]["error"]["message"]
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


def test_jsonl_output_escapes_line_separators(fake_engine: None) -> None:
    text = "Satu\u2028dua\u2029tiga\x85empat."
    out = invoke("translate", "-", "--input-format", "jsonl", input=json.dumps({"text": text}))
    assert out.exit_code == 0
    assert len(out.stdout.splitlines()) == 1  # str.splitlines splits at U+2028 too
    assert "\\u2028" in out.stdout and "\\u0085" in out.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["translate", "--beam-size", "0"], "--beam-size: must be at least 1, got 0"),
        (["translate", "--beam-size", "2.9"], "--beam-size: expected a whole number, got '2.9'"),
        (["translate", "--beam-size", "100000"], "--beam-size: must be at most 32"),
        (["translate", "--batch-size", "1e9"], "--batch-size: expected a whole number"),
        (["translate", "--threads", "1000000"], "--threads: must be at most 256"),
        (["translate", "--format", "yaml"], "--format: 'yaml' is not one of text, markdown"),
        (["translate", "--engine", "tpu"], "--engine: 'tpu' is not one of auto, ctranslate2"),
        (["translate", "--device", "tpu"], "--device: 'tpu' is not one of auto, cpu, cuda"),
        (["translate", "--input-format", "xml"], "--input-format: 'xml' is not one of auto, text"),
        (["extract", "--format", "yaml"], "--format: 'yaml' is not one of text, json, jsonl"),
        (["extract", "--input-format", "xml"], "--input-format: 'xml' is not one of auto, text"),
        (["models", "list", "-f", "yaml"], "--format: 'yaml' is not one of text, json, jsonl"),
        (["memory", "stats", "-f", "yaml"], "--format: 'yaml' is not one of text, json"),
        (["eval", "-", "-f", "yaml"], "--format: 'yaml' is not one of text, json"),
        (["translate", "-m", ""], "--model: the model name is empty"),
        (["translate", "--engine", "transformers", "--compute-type", "bogus"], "'bogus'"),
        (["summarize", "--ratio", "1.5"], "--ratio: must be more than 0 and at most 1"),
        (["summarize", "--llm-timeout", "nan"], "--llm-timeout: expected a finite number"),
        (["summarize", "--llm-url", "http://x"], "--llm-url needs --summarizer llm"),
        (["run", "--ratio", "0"], "--ratio: must be more than 0"),
        (["frobnicate"], "no such command 'frobnicate'"),
        (["run", "--fromat", "json"], "no such option: --fromat"),
    ],
)
def test_usage_errors_are_one_plain_line_and_exit_2(args: list[str], message: str) -> None:
    result = invoke(*args, input="Halo.")
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert lines[0].startswith("translate-cli: error: ")
    assert message in lines[0]
    assert "│" not in result.stderr and "Value error" not in result.stderr


def test_usage_error_hint_suggests_the_near_option() -> None:
    result = invoke("run", "--fromat", "json", input="Halo.")
    assert result.stderr.splitlines()[1] == "translate-cli: did you mean --format?" or (
        "--format" in result.stderr.splitlines()[1]
    )


def test_uncached_model_offline_is_exit_3_with_the_way_out() -> None:
    result = invoke("translate", "-", input="Halo dunia.")
    assert result.exit_code == 3
    assert "Helsinki-NLP/opus-mt-id-en" in result.stderr
    assert "models pull" in result.stderr and "--model" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_hub_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # HF_ENDPOINT points at a closed local port
    result = invoke("translate", "-", "-m", "someone/opus-mt-xx-yy", input="Halo dunia.")
    assert result.exit_code == 3
    assert "could not be reached" in result.stderr


def test_not_a_model_folder_is_exit_3(tmp_path: Path) -> None:
    result = invoke("translate", "-", "-m", str(tmp_path), input="Halo dunia.")
    assert result.exit_code == 3
    assert "model folder" in result.stderr


@pytest.mark.slow
def test_cached_model_is_found_by_name_offline(tiny_model: Path, isolated_env: Path) -> None:
    install_in_hub_cache(tiny_model, isolated_env / "hf", "Helsinki-NLP/opus-mt-id-en")
    result = invoke("translate", "-", "-f", "jsonl", input="Halo dunia. Apa kabar?")
    assert result.exit_code == 0, result.stderr
    assert len(jsonl(result.stdout)) == 2


def test_config_file_and_environment_choose_the_settings(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = isolated_env / "config"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('engine = "fake"\nmodel = "from/file"\nbeam_size = 2\n')
    out = json.loads(invoke("translate", "-", "-f", "json", input="Halo dunia.").stdout)
    assert out["model"] == "from/file"
    monkeypatch.setenv("TRANSLATE_CLI_MODEL", "from/env")
    out = json.loads(invoke("translate", "-", "-f", "json", input="Halo dunia.").stdout)
    assert out["model"] == "from/env"
    out = json.loads(invoke("translate", "-", "-m", "flag/m", "-f", "json", input="Halo.").stdout)
    assert out["model"] == "flag/m"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"beam_size = true\n", "config file key beam_size: expected a whole number, got true"),
        (b"beam_size = 2.9\n", "config file key beam_size: expected a whole number, got 2.9"),
        (b"batch_size = 1e9\n", "config file key batch_size: expected a whole number"),
        (b"llm_timeout = inf\n", "config file key llm_timeout: expected a finite number"),
        (b'model = "caf\xe9"\n', "is not UTF-8"),
    ],
)
def test_bad_config_files_are_exit_2(isolated_env: Path, content: bytes, message: str) -> None:
    config = isolated_env / "config"
    config.mkdir(parents=True)
    (config / "config.toml").write_bytes(content)
    result = invoke("segment", "-", input="Halo.")
    assert result.exit_code == 2
    assert message in result.stderr


def test_interrupt_is_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(text: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("translate_cli.cli.driver.segment", interrupted)
    result = invoke("segment", "-", input="Halo.")
    assert result.exit_code == 130
    assert result.stderr == "translate-cli: error: interrupted\n"


def test_unexpected_errors_are_one_line_unless_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("translate_cli.cli.driver.segment", broken)
    result = invoke("segment", "-", input="Halo.")
    assert result.exit_code == 1
    assert "unexpected RuntimeError: boom" in result.stderr
    for args in (["--traceback", "segment", "-"], ["segment", "--traceback", "-"]):
        with pytest.raises(RuntimeError):
            invoke(*args, input="Halo.")


def test_traceback_flag_after_the_command_is_accepted() -> None:
    result = invoke("segment", "--traceback", str(EXAMPLE))
    assert result.exit_code == 0 and result.stdout.split() == ARTICLE.split()


def test_version() -> None:
    assert invoke("--version").stdout.startswith("translate-cli ")


# --- -o checks before work ------------------------------------------------------------------
@pytest.mark.parametrize("where", ["directory", "missing-folder"])
def test_output_that_cannot_be_written_is_exit_2_before_any_work(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path if where == "directory" else tmp_path / "no" / "such" / "out.json"

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the model was loaded before the output was checked")

    monkeypatch.setattr("translate_cli.engines.open_translator", must_not_run)
    result = invoke("translate", str(EXAMPLE), "-o", str(target))
    assert result.exit_code == 2, result.stderr
    assert str(target) in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_is_exit_2(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert invoke("segment", str(EXAMPLE), "-o", str(locked / "out.txt")).exit_code == 2


def test_new_output_file_gets_the_umask_mode(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        target = tmp_path / "out.txt"
        assert invoke("segment", str(EXAMPLE), "-o", str(target)).exit_code == 0
    finally:
        os.umask(previous)
    assert target.stat().st_mode & 0o777 == 0o644


# --- models -------------------------------------------------------------------------------------
@pytest.mark.slow
def test_models_list_and_remove(tiny_model: Path, isolated_env: Path) -> None:
    assert invoke("models", "list", "-f", "json").stdout.strip() == "[]"
    install_in_hub_cache(tiny_model, isolated_env / "hf", "Helsinki-NLP/opus-mt-id-en")
    listed = json.loads(invoke("models", "list", "-f", "json").stdout)
    assert [m["name"] for m in listed] == ["Helsinki-NLP/opus-mt-id-en"]
    assert listed[0]["translation_model"] and listed[0]["size_bytes"] > 0
    assert "Helsinki-NLP/opus-mt-id-en" in invoke("models", "list").stdout
    removed = invoke("models", "remove", "Helsinki-NLP/opus-mt-id-en")
    assert removed.exit_code == 0
    assert invoke("models", "list", "-f", "json").stdout.strip() == "[]"
    assert invoke("models", "remove", "Helsinki-NLP/opus-mt-id-en").exit_code == 3


def test_models_list_json_is_valid_json_through_the_one_writer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from translate_cli.models.hub import CachedModel

    model = CachedModel("Ünï/kamus-ü", 1234, 3, 1, Path("/tmp/Ünï"), True, "marian", "cc-by-4.0")
    monkeypatch.setattr("translate_cli.models.list_models", lambda: [model])
    document = invoke("models", "list", "-f", "json")
    assert document.exit_code == 0 and "Ünï/kamus-ü" in document.stdout  # not \u-escaped
    assert [m["name"] for m in json.loads(document.stdout)] == ["Ünï/kamus-ü"]
    lines = invoke("models", "list", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["family"] for line in lines] == ["marian"]


def test_models_pull_offline_is_exit_3() -> None:
    result = invoke("models", "pull")
    assert result.exit_code == 3
    assert "HF_HUB_OFFLINE" in result.stderr


def test_models_pull_unreachable_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    result = invoke("models", "pull", "Helsinki-NLP/opus-mt-id-en")
    assert result.exit_code == 3
    assert "could not be reached" in result.stderr


@pytest.mark.parametrize("command", ["segment", "translate", "summarize", "run"])
def test_help_at_80_columns_shows_choices_whole_and_no_type_names(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert invoke(command, "--help").exit_code == 0
    text = capsys.readouterr().out
    assert "text, markdown, json, jsonl, html (default: text)" in text
    assert "<bool>" not in text and "<str>" not in text and "<int" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_the_root_lists_exactly_the_commands_with_their_own_summaries(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The root's list is written from COMMANDS without loading the commands: it must name every
    command commands.py defines, and each command's short help must be its line there."""
    from translate_cli.cli.command_list import COMMANDS
    from translate_cli.cli.root import command_group

    loaded = command_group().commands
    assert list(loaded) == list(COMMANDS)
    assert {name: command.short_help for name, command in loaded.items()} == COMMANDS
    assert invoke("--help").exit_code == 0
    listed = capsys.readouterr().out.split("Commands:\n", 1)[1]
    assert [line.split()[0] for line in listed.splitlines() if line[2:3] != " "] == list(COMMANDS)


@pytest.mark.slow
def test_engine_fallback_notice_reaches_a_pipe_unless_quiet(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from translate_cli.engines import ctranslate2 as ct2_engine
    from translate_cli.models.conversions import EngineUnavailableError

    def unavailable(*args: object, **kwargs: object) -> None:
        raise EngineUnavailableError("no CTranslate2 here (test)")

    monkeypatch.setattr(ct2_engine, "CTranslate2Engine", unavailable)
    args = ("translate", "-", "--model", str(tiny_model), "--no-memory", "-f", "jsonl")
    told = invoke(*args, input="Halo dunia.")  # stderr is not a terminal here
    assert told.exit_code == 0, told.stderr
    assert told.stderr == (
        "translate-cli: CTranslate2 engine unavailable, using transformers: "
        "no CTranslate2 here (test)\n"
    )
    quiet = invoke(*args, "--quiet", input="Halo dunia.")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout == told.stdout


# --- a new user's first contact: the offline hint, completion, help --------------------------


def test_offline_hint_names_the_demo_model_by_its_absolute_path() -> None:
    from tests.conftest import ROOT

    result = invoke("translate", "-", input="Halo dunia.")  # the default model; offline
    assert result.exit_code == 3
    assert f"--model {ROOT / '.cache' / 'demo-model'} " in result.stderr  # works from any folder
    assert "--model .cache" not in result.stderr


def _completions(
    line: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    """What bash completion offers for ``line`` (the cursor at its end), by typer's protocol."""
    monkeypatch.setenv("_TRANSLATE_CLI_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", line)
    monkeypatch.setenv("COMP_CWORD", str(len(line.split(" ")) - 1))
    with pytest.raises(SystemExit) as done:
        invoke()
    assert done.value.code == 0
    return list(capsys.readouterr().out.split())


@pytest.mark.parametrize(
    ("line", "offered"),
    [
        ("m", "models memory"),  # command names, from the root's list (cli/root.py)
        ("translate --format ", "text markdown json jsonl html"),
        ("translate --engine ", "auto ctranslate2 transformers"),  # not the hidden "fake"
        ("run --device ", "auto cpu cuda"),
        ("summarize --summarizer ", "extractive llm"),
        ("segment --input-format ", "auto text html pdf docx feed jsonl"),
        ("extract -f ", "text json jsonl"),
        ("eval --engine c", "ctranslate2"),
        ("batch --command ", "translate summarize run"),
        ("batch --executor ", "local ray"),
        ("batch --output-format ", "jsonl parquet"),
        ("models list --format j", "json jsonl"),
        ("memory stats -f ", "text json"),
        ("memory export --format ", "tmx jsonl"),
    ],
)
def test_completion_offers_an_options_values(
    line: str, offered: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _completions(f"translate-cli {line}", monkeypatch, capsys) == offered.split()


def test_completion_offers_a_plugins_choices(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from translate_cli.engines import ENGINES

    ENGINES.register("mine", "my_engine:open", help="a plug-in's engine")
    try:
        offered = _completions("translate-cli translate --engine m", monkeypatch, capsys)
    finally:
        ENGINES.unregister("mine")
    assert offered == ["mine"]


_GROUPS = {
    (): [
        "segment",
        "translate",
        "summarize",
        "run",
        "extract",
        "batch",
        "brief",
        "eval",
        "serve",
        "models",
        "memory",
    ],
    ("models",): ["list", "pull", "shortlist", "remove"],
    ("memory",): ["stats", "clear", "export"],
}


def _summaries(help_text: str) -> dict[str, str]:
    """The Commands section of a help page: each command's summary, wrapped lines joined."""
    summaries: dict[str, str] = {}
    name = ""
    for line in help_text.split("\nCommands:\n", 1)[1].splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            name, _, summary = line.strip().partition(" ")
            summaries[name] = summary.strip()
        elif line.strip():
            summaries[name] += " " + line.strip()
    return summaries


@pytest.mark.parametrize("columns", ["100", "60", "40"])
def test_command_lists_show_whole_summaries(
    columns: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    for group, commands in _GROUPS.items():
        assert invoke(*group, "--help").exit_code == 0
        summaries = _summaries(capsys.readouterr().out)
        assert list(summaries) == commands
        for summary in summaries.values():
            assert summary.endswith(".") and "..." not in summary, (group, summary)


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("segment", "[OPTIONS] [INPUT]..."),
        ("translate", "[OPTIONS] [INPUT]..."),
        ("summarize", "[OPTIONS] [INPUT]..."),
        ("run", "[OPTIONS] [INPUT]..."),
        ("extract", "[OPTIONS] [INPUT]..."),
        ("batch", "[OPTIONS] INPUT..."),
        ("brief", "[OPTIONS] INPUT..."),
        ("eval", "[OPTIONS] SOURCE [REFERENCE]"),
        ("models list", "[OPTIONS]"),
        ("models pull", "[OPTIONS] [NAME]"),
        ("models remove", "[OPTIONS] NAME"),
        ("models shortlist", "[OPTIONS] MODEL PARALLEL_TEXT..."),
        ("memory stats", "[OPTIONS]"),
        ("memory clear", "[OPTIONS]"),
        ("memory export", "[OPTIONS]"),
    ],
)
def test_usage_lines_name_arguments_conventionally(
    command: str, usage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert invoke(*command.split(), "--help").exit_code == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == f"Usage: translate-cli {command} {usage}"
    assert "<str>" not in text and "<list" not in text  # arguments are listed by name alone


# --- what reaches a terminal: text from the input, never a control sequence --------------------
# OSC 52 writes the clipboard, CSI 2J clears the screen, U+009B is CSI in one character, U+202E
# reverses the text after it, CR overwrites the line.
ESCAPES = "\x1b]52;c;cm0gLXJmIH4=\x07 \x1b[2J \x9b2J \u202e \r"
HOSTILE_ARTICLE = (
    f"Judul {ESCAPES} berita\n\nWarga {ESCAPES} melihat banjir. Kalimat {ESCAPES} kedua.\n"
)
CONTROL = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"


def _controls(text: str) -> list[str]:
    import re

    return re.findall(CONTROL, text)


@pytest.mark.parametrize("tty", [False, True])
@pytest.mark.parametrize("command", ["translate", "segment", "summarize", "run", "extract"])
def test_terminal_escapes_in_a_file_never_reach_the_output(
    fake_engine: None, tmp_path: Path, command: str, tty: bool
) -> None:
    source = tmp_path / "artikel.txt"
    source.write_text(HOSTILE_ARTICLE, encoding="utf-8")
    for fmt in ("text", "markdown") if command != "extract" else ("text",):
        result = invoke(command, str(source), "-f", fmt, stdout_tty=tty)
        assert result.exit_code == 0, result.stderr
        assert not _controls(result.stdout) and "[2J" in result.stdout, (fmt, result.stdout)
    if command in ("translate", "segment"):  # JSON keeps the text exact, escaped
        exact = json.loads(invoke(command, str(source), "-f", "json", stdout_tty=tty).stdout)
        read = ESCAPES.replace("\r", "\n")  # input line ends are read as \n
        assert exact["sentences"][1]["source"] == f"Warga {read} melihat banjir."


def test_terminal_escapes_in_a_web_page_never_reach_the_output(fake_engine: None) -> None:
    from tests.web.server import Response, serve

    page = Response(HOSTILE_ARTICLE.encode(), headers={"Content-Type": "text/plain; charset=utf-8"})
    with serve({"/artikel": page}) as server:
        url = server.url("/artikel")
        for command in ("translate", "segment", "extract", "run"):
            for tty in (False, True):
                result = invoke(command, url, stdout_tty=tty, width=1000)
                assert result.exit_code == 0, result.stderr
                assert "melihat banjir" in result.stdout
                assert not _controls(result.stdout), (command, tty, result.stdout)


def test_error_lines_never_carry_terminal_escapes(tmp_path: Path) -> None:
    from http.server import BaseHTTPRequestHandler
    from threading import Thread

    from tests.web.server import QuietServer

    missing = invoke("segment", str(tmp_path / f"nama{ESCAPES}.txt"))
    assert missing.exit_code == 4 and "nama" in missing.stderr
    assert not _controls(missing.stderr), missing.stderr

    class Hostile(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/reason":
                self.send_response(404, "Not \x1b]52;c;eA==\x07 Found \x9b2J")
                self.send_header("Content-Type", "text/html")
            else:
                self.send_response(200)
                self.send_header("Content-Type", "image/\x1b[2Jpng\x9b2J")
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = QuietServer(("127.0.0.1", 0), Hostile)
    Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for path in ("/reason", "/type"):
            result = invoke("extract", base + path, stderr_tty=True)
            assert result.exit_code == 4, result.stderr
            assert "error" in result.stderr and ("Found" in result.stderr or "png" in result.stderr)
            assert not _controls(result.stderr), result.stderr
    finally:
        server.shutdown()
        server.server_close()


# --- one sentence a line, whatever the line breaks of the input ---------------------------------
def _wrapped_article() -> str:
    import textwrap

    blocks = [textwrap.fill(p, 70) for p in ARTICLE.split("\n\n") if p.strip()]
    return "\n\n".join(blocks) + "\n"


def _one_line(text: str) -> str:
    import re

    return re.sub(r"\s*\n\s*", " ", text)


@pytest.mark.parametrize("tty", [False, True])
@pytest.mark.parametrize("command", ["segment", "translate", "summarize", "run"])
def test_a_hard_wrapped_article_prints_each_sentence_on_one_line(
    fake_engine: None, tmp_path: Path, command: str, tty: bool
) -> None:
    source = tmp_path / "wrapped.txt"
    source.write_text(_wrapped_article(), encoding="utf-8")
    exact = json.loads(invoke(command, str(source), "-f", "json").stdout)
    sentences = [s["source"] for s in exact["sentences"]]
    assert sentences == [s.text for s in segment(_wrapped_article()).sentences]
    assert sum("\n" in s for s in sentences) >= 5  # JSON keeps the source exact
    keys = {"paragraph", "index", "source"} | (
        {"translation", "score", "flags"} if command != "segment" else set()
    )
    if command != "segment":  # every model task identifies each sentence's language
        keys.add("language")
    assert all(set(s) == keys for s in exact["sentences"])  # and adds nothing
    # A terminal wide enough that no cell wraps: each sentence whole on one row.
    shown = invoke(command, str(source), stdout_tty=tty, width=3000).stdout.splitlines()
    import re

    picks = [item["source"] for item in exact.get("summary", [])]
    indonesian = command == "segment" or (tty and command in ("translate", "run"))  # tables
    for text in (sentences if indonesian else []) + picks:
        whole = re.compile(rf"(?<!EN ){re.escape(_one_line(text))}")  # not its translation
        assert any(whole.search(line) for line in shown), text
    for item in exact["sentences"]:  # every translation shown is on one line too
        if item.get("translation") and command != "summarize":
            assert any(_one_line(item["translation"]) in line for line in shown)
    if command == "segment" and not tty:
        assert [line for line in shown if line] == [_one_line(s) for s in sentences]


# --- extract: one layout for every input --------------------------------------------------------
def test_extract_text_puts_a_blank_line_between_paragraphs_for_every_input(
    tmp_path: Path,
) -> None:
    from tests.web.server import Response, serve

    paragraphs = [p.replace("\n", " ") for p in ARTICLE.strip().split("\n\n")]
    one_a_line = tmp_path / "artikel.txt"  # as copied from a news site: no blank lines
    one_a_line.write_text("\n".join(paragraphs) + "\n", encoding="utf-8")
    expected = "\n\n".join(paragraphs) + "\n"
    assert invoke("extract", str(one_a_line)).stdout == expected
    assert invoke("extract", str(EXAMPLE)).stdout == expected
    assert invoke("extract", "-", input=one_a_line.read_text()).stdout == expected
    assert json.loads(invoke("extract", str(one_a_line), "-f", "json").stdout)["paragraphs"] == (
        paragraphs
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs[1:])
    html = f"<html><head><title>{paragraphs[0]}</title></head><body><article><h1>"
    html += f"{paragraphs[0]}</h1>{body}</article></body></html>"
    page = Response(html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    with serve({"/artikel": page}) as server:
        from_url = invoke("extract", server.url("/artikel")).stdout
    assert from_url.split("\n\n") == expected.split("\n\n")
