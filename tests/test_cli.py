"""The command contract: every command, format, exit code and bad input, in process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import install_in_hub_cache
from translate_cli.cli import app
from translate_cli.engines import load_engine
from translate_cli.engines.base import EngineOptions
from translate_cli.segment import segment

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "artikel-banjir-semarang.txt"
ARTICLE = EXAMPLE.read_text(encoding="utf-8")


def invoke(*args: str, input: str | bytes | None = None) -> Any:
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def expected_translations(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Each example sentence translated alone by the engine the CLI uses by default."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TRANSLATE_CLI_CACHE_DIR", str(tmp_path_factory.mktemp("ct2-cache")))
        engine = load_engine("auto", tiny_model, EngineOptions())
    return [engine.translate_all([s.text])[0] for s in segment(ARTICLE).sentences]


# --- segment ------------------------------------------------------------------------------------
def test_segment_text_is_one_sentence_a_line_with_paragraph_gaps() -> None:
    result = invoke("segment", str(EXAMPLE))
    assert result.exit_code == 0
    document = segment(ARTICLE)
    blocks = result.stdout.strip("\n").split("\n\n")
    assert len(blocks) == document.paragraph_count
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
    out = invoke("segment", str(EXAMPLE), "--format", "markdown").stdout
    assert out.startswith("1. ")


# --- translate ----------------------------------------------------------------------------------
def test_translate_jsonl_is_sentence_aligned(
    tiny_model: Path, expected_translations: list[str]
) -> None:
    result = invoke("translate", str(EXAMPLE), "--model", str(tiny_model), "-f", "jsonl")
    assert result.exit_code == 0, result.stderr
    records = jsonl(result.stdout)
    document = segment(ARTICLE)
    assert [r["source"] for r in records] == [s.text for s in document.sentences]
    assert [r["translation"] for r in records] == expected_translations
    assert [r["paragraph"] for r in records] == [s.paragraph for s in document.sentences]


def test_translate_json_shape(tiny_model: Path) -> None:
    out = json.loads(invoke("translate", str(EXAMPLE), "-m", str(tiny_model), "-f", "json").stdout)
    assert set(out) == {"model", "sentences"}
    assert out["model"] == str(tiny_model)
    assert all(set(s) == {"paragraph", "index", "source", "translation"} for s in out["sentences"])


def test_translate_plain_text_keeps_paragraphs(
    tiny_model: Path, expected_translations: list[str]
) -> None:
    out = invoke("translate", str(EXAMPLE), "-m", str(tiny_model)).stdout
    document = segment(ARTICLE)
    assert len(out.strip("\n").split("\n\n")) == document.paragraph_count
    assert out.split() == " ".join(expected_translations).split()


def test_translate_markdown_table(tiny_model: Path) -> None:
    out = invoke("translate", str(EXAMPLE), "-m", str(tiny_model), "-f", "markdown").stdout
    assert "| # | Indonesian | English |" in out
    assert out.count("\n| ") >= len(segment(ARTICLE).sentences)


def test_translate_batch_mode_loads_once_and_keeps_ids(tiny_model: Path) -> None:
    lines = "\n".join(json.dumps({"id": f"doc{i}", "text": ARTICLE}) for i in range(3))
    result = invoke(
        "translate",
        "-",
        "-m",
        str(tiny_model),
        "--input-format",
        "jsonl",
        "-f",
        "text",
        input=lines,
    )
    out = jsonl(result.stdout)
    assert [o["id"] for o in out] == ["doc0", "doc1", "doc2"]
    assert out[0]["sentences"] == out[2]["sentences"]
    assert set(out[0]) == {"id", "model", "sentences"}


def test_output_file_is_written(tiny_model: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    result = invoke(
        "translate", str(EXAMPLE), "-m", str(tiny_model), "-f", "jsonl", "-o", str(target)
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert len(jsonl(target.read_text())) == len(segment(ARTICLE).sentences)


def test_bom_and_crlf_input(tiny_model: Path, tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode())
    out = jsonl(invoke("segment", str(path), "-f", "jsonl").stdout)
    assert [r["source"] for r in out] == [s.text for s in segment(ARTICLE).sentences]


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


def test_summarize_translates_only_the_picks(
    tiny_model: Path, expected_translations: list[str]
) -> None:
    out = json.loads(
        invoke("summarize", str(EXAMPLE), "-m", str(tiny_model), "-n", "2", "-f", "json").stdout
    )
    assert len(out["summary"]) == 2
    picked = {i["index"] for i in out["summary"]} | (
        {out["title"]["index"]} if out["title"] else set()
    )
    for sentence in out["sentences"]:
        if sentence["index"] in picked:
            assert sentence["translation"] == expected_translations[sentence["index"]]
        else:
            assert sentence["translation"] is None


def test_run_json_has_every_translation_and_a_summary(
    tiny_model: Path, expected_translations: list[str]
) -> None:
    out = json.loads(invoke("run", str(EXAMPLE), "-m", str(tiny_model), "-f", "json").stdout)
    assert set(out) == {"model", "title", "sentences", "summary"}
    assert [s["translation"] for s in out["sentences"]] == expected_translations
    for item in out["summary"]:
        assert item["translation"] == expected_translations[item["index"]]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_run_human_formats(tiny_model: Path, fmt: str) -> None:
    result = invoke("run", str(EXAMPLE), "-m", str(tiny_model), "-f", fmt)
    assert result.exit_code == 0
    assert ("## Summary" if fmt == "markdown" else "Summary (English):") in result.stdout


def test_summarize_batch_mode_no_translate() -> None:
    lines = "\n".join(json.dumps({"id": i, "text": ARTICLE}) for i in range(2))
    out = jsonl(
        invoke(
            "summarize",
            "-",
            "--no-translate",
            "--sentences",
            "3",
            "--input-format",
            "jsonl",
            input=lines,
        ).stdout
    )
    assert [o["id"] for o in out] == [0, 1]
    assert all(len(o["summary"]) == 3 for o in out)


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


def test_bad_jsonl_line_is_exit_4() -> None:
    result = invoke("segment", "-", "--input-format", "jsonl", input='{"text": "ok"}\n[1, 2]\n')
    assert result.exit_code == 4
    assert "line 2" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["translate", "--beam-size", "0"],
        ["translate", "--format", "pdf"],
        ["summarize", "--ratio", "1.5"],
        ["run", "--ratio", "0"],
        ["frobnicate"],
    ],
)
def test_usage_errors_are_exit_2(args: list[str]) -> None:
    assert invoke(*args, input="Halo.").exit_code == 2


def test_uncached_model_offline_is_exit_3_with_the_way_out() -> None:
    result = invoke("translate", "-", input="Halo dunia.")
    assert result.exit_code == 3
    assert "Helsinki-NLP/opus-mt-id-en" in result.stderr
    assert "models pull" in result.stderr and "--model DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_hub_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")  # HF_ENDPOINT points at a closed local port
    result = invoke("translate", "-", "-m", "someone/opus-mt-xx-yy", input="Halo dunia.")
    assert result.exit_code == 3
    assert "could not be reached" in result.stderr


def test_not_a_model_folder_is_exit_3(tmp_path: Path) -> None:
    result = invoke("translate", "-", "-m", str(tmp_path), input="Halo dunia.")
    assert result.exit_code == 3
    assert "not a MarianMT model folder" in result.stderr


def test_cached_model_is_found_by_name_offline(tiny_model: Path, isolated_env: Path) -> None:
    install_in_hub_cache(tiny_model, isolated_env / "hf", "Helsinki-NLP/opus-mt-id-en")
    result = invoke("translate", "-", "-f", "jsonl", input="Halo dunia. Apa kabar?")
    assert result.exit_code == 0, result.stderr
    assert len(jsonl(result.stdout)) == 2


def test_config_file_and_environment_choose_the_model(
    tiny_model: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = isolated_env / "config"
    config.mkdir(parents=True)
    (config / "config.toml").write_text(f'model = "{tiny_model}"\nbeam_size = 2\n')
    assert invoke("translate", "-", input="Halo dunia.").exit_code == 0
    monkeypatch.setenv("TRANSLATE_CLI_MODEL", "/nonexistent/from-env")
    assert invoke("translate", "-", input="Halo dunia.").exit_code == 3
    assert invoke("translate", "-", "-m", str(tiny_model), input="Halo dunia.").exit_code == 0


def test_interrupt_is_exit_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(text: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("translate_cli.cli.segment", interrupted)
    assert invoke("segment", "-", input="Halo.").exit_code == 130


def test_unexpected_errors_are_one_line_unless_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("translate_cli.cli.segment", broken)
    result = invoke("segment", "-", input="Halo.")
    assert result.exit_code == 1
    assert "unexpected RuntimeError: boom" in result.stderr
    with pytest.raises(RuntimeError):
        CliRunner().invoke(
            app, ["--traceback", "segment", "-"], input="Halo.", catch_exceptions=False
        )


def test_version() -> None:
    assert invoke("--version").stdout.startswith("translate-cli ")


# --- models -------------------------------------------------------------------------------------
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


def test_models_pull_offline_is_exit_3() -> None:
    result = invoke("models", "pull")
    assert result.exit_code == 3
    assert "HF_HUB_OFFLINE" in result.stderr


def test_models_pull_unreachable_is_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    result = invoke("models", "pull", "Helsinki-NLP/opus-mt-id-en")
    assert result.exit_code == 3
    assert "could not be reached" in result.stderr
