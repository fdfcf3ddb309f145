"""Word files: read as articles, recognised by content everywhere an input is read, and
written back translated with the original's structure."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.documents.builders import (
    DOCX_AUTHOR,
    DOCX_FOOTER,
    DOCX_HEADER,
    DOCX_RICH,
    DOCX_TITLE,
    build_docx,
    docx_body,
    zip_bytes,
)
from tests.doubles import fake_translation
from tests.helpers import fake_environment, invoke, jsonl
from tests.web.server import Response, serve
from translate_cli.document import Document
from translate_cli.documents import (
    DOCX_MEDIA_TYPE,
    MAX_DOCX_PART_BYTES,
    DocumentError,
    read_document,
    sniff,
)
from translate_cli.documents.docx_copy import translate_docx
from translate_cli.report import TranslatedSentence

FAKE = ("--engine", "fake", "--no-memory")


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return build_docx()


@pytest.fixture
def docx_file(tmp_path: Path, docx_bytes: bytes) -> Path:
    path = tmp_path / "surat.docx"
    path.write_bytes(docx_bytes)
    return path


def _open(data: bytes) -> Any:
    import docx

    return docx.Document(io.BytesIO(data))


def _fake(document: Document) -> list[TranslatedSentence]:
    return [TranslatedSentence(s, fake_translation(s.text), 0.0) for s in document.sentences]


# --- reading ----------------------------------------------------------------------------------
def test_article_is_title_then_paragraphs_in_order_with_table_cells(docx_bytes: bytes) -> None:
    article = read_document(docx_bytes, "docx", name="surat.docx")
    assert article.title == DOCX_TITLE
    assert list(article.paragraphs) == docx_body(with_title=False)
    assert article.text.split("\n\n")[0] == DOCX_TITLE


def test_header_and_footer_are_apart_from_the_body_in_meta(docx_bytes: bytes) -> None:
    article = read_document(docx_bytes, "docx", name="surat.docx")
    assert DOCX_HEADER not in article.text and DOCX_FOOTER not in article.text
    assert article.meta["header"] == DOCX_HEADER
    assert article.meta["footer"] == DOCX_FOOTER
    assert article.meta["author"] == DOCX_AUTHOR
    assert article.meta["date"] == "2024-05-17"
    assert article.meta["title"] == DOCX_TITLE


def test_title_property_is_the_title_when_no_heading_opens_the_document() -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Judul dari Properti"
    document.add_paragraph("Paragraf pertama.")
    out = io.BytesIO()
    document.save(out)
    article = read_document(out.getvalue(), "docx", name="x.docx")
    assert article.title == "Judul dari Properti"
    assert article.paragraphs == ("Paragraf pertama.",)


def test_sniffing_is_by_content(docx_bytes: bytes) -> None:
    assert sniff(docx_bytes) == "docx"
    assert sniff(b"%PDF-1.7\n%\xe2\xe3\n") == "pdf"
    assert sniff(b"just text") is None
    assert sniff(zip_bytes({"a.txt": b"hello"})) is None  # a zip, not a Word file


# --- bad documents: one line, exit 4 ----------------------------------------------------------
def _bomb() -> bytes:
    # word/document.xml declares more than the limit uncompressed (deflate makes it ~100 KB).
    body = b"<w:document>" + b" " * (MAX_DOCX_PART_BYTES + 1) + b"</w:document>"
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": body})


BAD = {
    "truncated": lambda good: good[: len(good) // 2],
    "not-word": lambda good: zip_bytes({"word/document.xml": b"<not-word/>"}),
    "encrypted": lambda good: bytes.fromhex("D0CF11E0A1B11AE1") + bytes(600),
    "bomb": lambda good: _bomb(),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_documents_are_one_line_and_exit_4(
    tmp_path: Path, docx_bytes: bytes, kind: str
) -> None:
    path = tmp_path / f"{kind}.docx"
    path.write_bytes(BAD[kind](docx_bytes))
    with pytest.raises(DocumentError) as caught:
        read_document(path.read_bytes(), "docx", name=str(path))
    assert caught.value.exit_status == 4
    result = invoke("extract", "--input-format", "docx", str(path))
    assert result.exit_code == 4
    assert result.stderr.count("error:") == 1
    assert str(path) in result.stderr and "Traceback" not in result.stderr


def test_a_zip_that_is_not_a_word_file_is_binary_as_before(tmp_path: Path) -> None:
    path = tmp_path / "archive.docx"
    path.write_bytes(zip_bytes({"a.txt": b"hello"}))
    result = invoke("extract", str(path))
    assert result.exit_code == 4
    assert "looks binary" in result.stderr


def test_binary_input_that_is_no_document_keeps_todays_error(tmp_path: Path) -> None:
    path = tmp_path / "data.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = invoke("translate", *FAKE, str(path))
    assert result.exit_code == 4
    assert "looks binary (NUL byte at byte offset 8); expected text" in result.stderr


def test_a_pdf_header_is_sent_to_the_pdf_reader(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"  # a misleading name: the bytes decide
    path.write_bytes(b"%PDF-1.4\n")
    result = invoke("extract", str(path))
    assert result.exit_code == 4
    assert result.stderr.count("error:") == 1
    assert "looks binary" not in result.stderr and "UTF-8" not in result.stderr


# --- inputs: every way in ---------------------------------------------------------------------
def test_a_misleading_file_name_is_read_by_content(tmp_path: Path, docx_bytes: bytes) -> None:
    path = tmp_path / "catatan.txt"
    path.write_bytes(docx_bytes)
    result = invoke("extract", "-f", "json", str(path))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["paragraphs"] == docx_body()
    assert data["meta"]["footer"] == DOCX_FOOTER


def test_stdin_is_read_as_a_document(docx_bytes: bytes) -> None:
    result = invoke("extract", input=docx_bytes)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split("\n\n")[:2] == docx_body()[:2]


def test_translate_segment_and_run_read_a_word_file(docx_file: Path) -> None:
    translated = invoke("translate", *FAKE, "-f", "jsonl", str(docx_file))
    assert translated.exit_code == 0, translated.stderr
    sources = [record["source"] for record in jsonl(translated.stdout)]
    assert sources[0] == DOCX_TITLE and "Jawa Barat" in sources
    segmented = invoke("segment", "-f", "jsonl", str(docx_file))
    assert [r["source"] for r in jsonl(segmented.stdout)] == sources
    report = invoke("run", *FAKE, "-f", "json", str(docx_file))
    assert report.exit_code == 0, report.stderr
    assert json.loads(report.stdout)["meta"]["author"] == DOCX_AUTHOR


def test_a_url_answered_with_the_docx_media_type(docx_bytes: bytes) -> None:
    routes = {"/surat": Response(docx_bytes, headers={"Content-Type": DOCX_MEDIA_TYPE})}
    with serve(routes) as site:
        result = invoke("extract", "-f", "json", site.url("/surat"))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["paragraphs"] == docx_body()
    assert data["meta"]["url"] == site.url("/surat")


def test_input_format_docx_forces_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("Ini teks biasa.\n", encoding="utf-8")
    result = invoke("extract", "--input-format", "docx", str(path))
    assert result.exit_code == 4
    assert "not a readable .docx" in result.stderr


def test_jsonl_record_with_a_path_relative_to_its_file(tmp_path: Path, docx_bytes: bytes) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "surat.docx").write_bytes(docx_bytes)
    records = tmp_path / "records.jsonl"
    records.write_text(
        '{"id": "a", "path": "docs/surat.docx"}\n{"id": "b", "path": "docs/missing.docx"}\n',
        encoding="utf-8",
    )
    result = invoke("extract", "--input-format", "jsonl", str(records))
    assert result.exit_code == 4  # one record failed; the other was read
    lines = jsonl(result.stdout)
    assert lines[0]["id"] == "a" and lines[0]["paragraphs"] == docx_body()
    assert lines[1]["id"] == "b" and "no such file" in lines[1]["error"]["message"]


def test_batch_reads_a_path_record(tmp_path: Path, docx_bytes: bytes) -> None:
    (tmp_path / "surat.docx").write_bytes(docx_bytes)
    records = tmp_path / "in.jsonl"
    records.write_text('{"id": 1, "path": "surat.docx"}\n', encoding="utf-8")
    result = invoke("batch", *FAKE, str(records), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    shard = next((tmp_path / "out").glob("*.jsonl"))
    record = jsonl(shard.read_text(encoding="utf-8"))[0]
    assert record["sentences"][0]["translation"] == f"EN {DOCX_TITLE}"


def test_ocr_is_a_setting_and_an_option(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from translate_cli.pipeline import resolve_settings

    assert resolve_settings({}).ocr is False
    monkeypatch.setenv("TRANSLATE_CLI_OCR", "1")
    assert resolve_settings({}).ocr is True
    for command in ("extract", "segment", "translate", "summarize", "run", "batch"):
        invoke(command, "--help")  # click prints help itself
        assert "--ocr" in capsys.readouterr().out, command


# --- the translated copy ----------------------------------------------------------------------
def _texts(document: Any) -> list[str]:
    from translate_cli.documents.docx import body_paragraphs

    return [p.text for p in body_paragraphs(document)]


def test_the_copy_keeps_structure_and_translates_every_text(
    tmp_path: Path, docx_file: Path
) -> None:
    out = tmp_path / "surat.en.docx"
    result = invoke("translate", *FAKE, str(docx_file), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    original, copy = _open(docx_file.read_bytes()), _open(out.read_bytes())
    assert len(copy.paragraphs) == len(original.paragraphs)
    assert [p.style.name for p in copy.paragraphs] == [p.style.name for p in original.paragraphs]
    table = copy.tables[0]
    assert (len(table.rows), len(table.columns)) == (2, 2)
    assert table.cell(1, 0).text == "EN Jawa Barat"
    for source, english in zip(_texts(original), _texts(copy), strict=True):
        if source.strip():
            assert english.startswith("EN "), english
            assert english.count("EN ") == source.count(". ") + 1
    section = copy.sections[0]
    assert section.header.paragraphs[0].text == f"EN {DOCX_HEADER}"
    assert section.footer.paragraphs[0].text == f"EN {DOCX_FOOTER}"
    numbered = [p for p in copy.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["EN Bantuan untuk petani.", "EN Bantuan untuk nelayan."]


def test_runs_keep_their_formatting_when_they_hold_whole_sentences() -> None:
    import docx

    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("Kalimat tebal.").bold = True
    paragraph.add_run(" Kalimat miring.").italic = True
    out = io.BytesIO()
    document.save(out)
    copy = _open(translate_docx(out.getvalue(), _fake, name="x.docx"))
    runs = copy.paragraphs[0].runs
    assert [(r.text, r.bold, r.italic) for r in runs] == [
        ("EN Kalimat tebal.", True, None),
        (" EN Kalimat miring.", None, True),
    ]


def test_a_run_inside_a_sentence_sends_the_text_to_the_first_run(docx_bytes: bytes) -> None:
    copy = _open(translate_docx(docx_bytes, _fake, name="x.docx"))
    rich = next(p for p in copy.paragraphs if p.text.startswith("EN Menteri"))
    texts = [run.text for run in rich.runs]
    assert texts[0] == f"EN {DOCX_RICH[0]} EN Dia berbicara sangat lama di Jakarta."
    assert texts[1:] == ["", "", ""]
    assert rich.runs[0].bold is True


def test_a_flagged_sentence_gets_a_comment(docx_bytes: bytes) -> None:
    def flag_dpr(document: Document) -> Sequence[TranslatedSentence]:
        return [
            TranslatedSentence(
                s, fake_translation(s.text), -3.0, ("low-confidence",) if "DPR" in s.text else ()
            )
            for s in document.sentences
        ]

    copy = _open(translate_docx(docx_bytes, flag_dpr, name="x.docx"))
    comments = list(copy.comments)
    assert len(comments) == 1
    assert "low-confidence" in comments[0].text and "diawasi oleh DPR" in comments[0].text


def test_f_docx_writes_bytes_to_a_pipe_and_refuses_a_terminal(docx_bytes: bytes) -> None:
    from translate_cli.cli import run

    env = fake_environment(docx_bytes)  # stdout a pipe
    assert run(["translate", *FAKE, "-f", "docx"], env) == 0
    assert isinstance(env.stdout, io.BytesIO)
    assert _open(env.stdout.getvalue()).paragraphs[0].text == f"EN {DOCX_TITLE}"
    shown = invoke("translate", *FAKE, "-f", "docx", input=docx_bytes, stdout_tty=True)
    assert shown.exit_code == 2 and "binary" in shown.stderr


@pytest.mark.parametrize(
    ("data", "why"), [(b"Teks biasa.\n", "not a document"), (b"%PDF-1.4\n", "a PDF document")]
)
def test_f_docx_needs_a_word_input(data: bytes, why: str) -> None:
    result = invoke("translate", *FAKE, "-f", "docx", input=data)
    assert result.exit_code == 2
    assert why in result.stderr and "docx" in result.stderr


def test_f_docx_is_for_translate_only(docx_file: Path) -> None:
    result = invoke("summarize", *FAKE, "-f", "docx", str(docx_file))
    assert result.exit_code == 2 and "only translate" in result.stderr


def test_images_and_their_runs_survive_the_copy() -> None:
    import base64

    import docx

    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    document = docx.Document()
    paragraph = document.add_paragraph("Foto banjir di Semarang. ")
    paragraph.add_run().add_picture(io.BytesIO(png))
    out = io.BytesIO()
    document.save(out)
    copy = _open(translate_docx(out.getvalue(), _fake, name="x.docx"))
    assert len(copy.inline_shapes) == 1
    assert copy.paragraphs[0].text == "EN Foto banjir di Semarang. "


def test_a_part_larger_than_its_header_says_is_refused_in_bounded_memory() -> None:
    import tracemalloc

    from tests.documents.builders import lying_docx

    data = lying_docx(128 << 20)  # 128 MB of zeros declared as 100 bytes
    tracemalloc.start()
    try:
        with pytest.raises(DocumentError, match=r"not a readable \.docx"):
            read_document(data, "docx", name="bomb.docx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20, peak  # never the 128 MB
