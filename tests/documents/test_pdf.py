"""PDF input: paragraphs rebuilt from positioned characters, boilerplate set apart, bad PDFs.

Every PDF is built here (tests/documents/builders.py) from text the test knows, so each check
compares what came out with what went in.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.documents.builders import PdfSource, article_paragraphs, build_pdf, scan_pdf
from tests.helpers import invoke
from translate_cli.documents import DocumentError, pdf
from translate_cli.documents.layout import join
from translate_cli.documents.pdf import read_pdf
from translate_cli.errors import ExitStatus

LETTERHEAD = [
    "KEMENTERIAN KOMUNIKASI DAN INFORMATIKA",
    "Jalan Medan Merdeka Barat Nomor 9, Jakarta 10110",
    "SIARAN PERS Nomor 45/HM/KOMINFO/03/2024",
]
CONTACT = [
    "Narahubung: Budi Santoso, Kepala Biro Humas",
    "Telepon 021-3452841, surel humas@kominfo.go.id",
]
TITLE = "Pemerintah Percepat Pembangunan Infrastruktur Daerah Tertinggal"


def words(text: str) -> list[str]:
    return re.findall(r"[\w-]+", text.lower())


def recall(got: str, want: str) -> float:
    """Share of the source's words that came out (as a multiset)."""
    from collections import Counter

    have, need = Counter(words(got)), Counter(words(want))
    return sum(min(count, have[word]) for word, count in need.items()) / sum(need.values())


def press_release(**layout: object) -> PdfSource:
    source = PdfSource(
        title=TITLE,
        paragraphs=article_paragraphs(14, seed=3),
        letterhead=LETTERHEAD,
        contact=CONTACT,
        header="Siaran Pers Kementerian Kominfo",
        footer="Halaman {page} dari {pages}",
    )
    for key, value in layout.items():
        setattr(source, key, value)
    return source


@pytest.mark.parametrize(
    ("columns", "scaled_text"),
    [(1, False), (2, False), (1, True)],
    ids=["one-column", "two-columns", "text-matrix-scaled"],
)
def test_press_release_rebuilt_into_the_source_paragraphs(columns: int, scaled_text: bool) -> None:
    source = press_release(columns=columns, scaled_text=scaled_text)
    article = read_pdf(build_pdf(source), name="siaran.pdf")
    assert source.pages_hint >= 2 and source.broken  # several pages, hyphenated line ends
    assert article.title == TITLE
    assert article.text.startswith(TITLE + "\n\n")
    assert recall(" ".join(article.paragraphs), " ".join(source.paragraphs)) >= 0.97
    assert len(article.paragraphs) == len(source.paragraphs)
    assert list(article.paragraphs) == source.paragraphs  # column by column, words re-joined


def test_hyphenated_line_ends_rejoined_and_real_hyphens_kept() -> None:
    source = press_release()
    body = " ".join(read_pdf(build_pdf(source), name="siaran.pdf").paragraphs)
    assert len(source.broken) >= 5
    for word in source.broken:
        assert re.search(rf"\b{word}\b", body), word
    for compound in ("kerja-sama", "Covid-19", "perundang-undangan"):
        assert compound in body
    assert not re.search(r"\w- \w|\w-$", body)


@pytest.mark.parametrize("columns", [1, 2], ids=["one-column", "two-columns"])
def test_letterhead_and_contact_block_in_meta_not_body(
    columns: int, caplog: pytest.LogCaptureFixture
) -> None:
    source = press_release(columns=columns)
    with caplog.at_level(logging.WARNING, logger="translate_cli"):
        article = read_pdf(build_pdf(source), name="siaran.pdf")
    body = "\n".join(article.paragraphs)
    for line in LETTERHEAD + CONTACT:
        assert line not in body
    meta = article.meta
    assert meta["letterhead"] == " / ".join(LETTERHEAD)
    assert meta["contact"] == " / ".join(CONTACT)
    assert "set apart" in caplog.text and "letterhead" in caplog.text and "contact" in caplog.text


@pytest.mark.parametrize(
    ("header", "footer"),
    [
        ("Siaran Pers Kementerian Kominfo", "Halaman {page} dari {pages}"),
        ("Laporan Tahunan 2024", "- {page} -"),
        (None, "{page}"),
        ("Annual Report 2024 | Page {page} of {pages}", None),
    ],
)
def test_running_headers_and_page_numbers_dropped(header: str | None, footer: str | None) -> None:
    source = press_release(header=header, footer=footer, columns=2)
    article = read_pdf(build_pdf(source), name="laporan.pdf")
    body = "\n".join(article.paragraphs)
    for page in range(1, source.pages_hint + 1):
        for running in (header, footer):
            if running and running != "{page}":  # a bare number: the regex below and equality
                assert running.format(page=page, pages=source.pages_hint) not in body
    assert not re.search(r"Halaman \d|^- \d+ -$|^\d+$|Page \d", body, re.MULTILINE)
    assert list(article.paragraphs) == source.paragraphs
    meta = article.meta
    if header:
        assert meta["header"] and header.format(page=1, pages=source.pages_hint) in meta["header"]
    if footer:
        assert meta["footer"] and footer.format(page=1, pages=source.pages_hint) in meta["footer"]


def test_a_repeated_sentence_inside_pages_is_kept() -> None:
    repeated = "Pembangunan dilanjutkan sesuai rencana."
    paragraphs = [f"{text} {repeated}" for text in article_paragraphs(12, seed=5)]
    source = PdfSource(title=TITLE, paragraphs=paragraphs, footer="{page}")
    article = read_pdf(build_pdf(source), name="a.pdf")
    assert " ".join(article.paragraphs).count(repeated) == len(paragraphs)


def test_ragged_right_text_keeps_its_paragraphs() -> None:
    source = PdfSource(title=TITLE, paragraphs=article_paragraphs(8), justify=False)
    article = read_pdf(build_pdf(source), name="a.pdf")
    assert list(article.paragraphs) == source.paragraphs


def test_document_properties_give_title_author_and_date() -> None:
    source = PdfSource(
        title=TITLE,
        paragraphs=article_paragraphs(2),
        info_title="Siaran Pers: Percepatan Pembangunan Daerah",
        author="Biro Humas Kominfo",
    )
    article = read_pdf(build_pdf(source), name="a.pdf")
    assert article.title == "Siaran Pers: Percepatan Pembangunan Daerah"
    assert article.paragraphs[0] == TITLE  # the printed headline differs: kept as text
    assert article.author == "Biro Humas Kominfo"
    assert article.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", article.date)


@pytest.mark.parametrize(
    "info_title", ["Untitled", "siaran.docx", "Microsoft Word - siaran", "Siaran Pers"]
)
def test_meaningless_property_title_gives_way_to_the_printed_one(info_title: str) -> None:
    source = PdfSource(
        title=TITLE, paragraphs=article_paragraphs(2), info_title=info_title, letterhead=LETTERHEAD
    )
    article = read_pdf(build_pdf(source), name="a.pdf")
    assert article.title == TITLE and list(article.paragraphs) == source.paragraphs
    assert article.author is None  # reportlab's default, "anonymous"


@pytest.mark.parametrize(
    ("head", "tail", "joined"),
    [
        ("rencana pemerin-", "tahan daerah", "rencana pemerintahan daerah"),
        ("melalui kerja-", "sama dengan", "melalui kerja-sama dengan"),  # known compound
        ("pandemi Covid-", "19 berakhir", "pandemi Covid-19 berakhir"),
        ("wilayah Jawa-", "Bali", "wilayah Jawa-Bali"),
        ("pemerin\u00ad", "tahan", "pemerintahan"),
        ("pemerin\ufffe", "tahan", "pemerintahan"),  # pdfium's mark of a line-end hyphen
        ("tahun 2020 -", "2024", "tahun 2020 - 2024"),
        ("akhir kalimat.", "Awal", "akhir kalimat. Awal"),
    ],
)
def test_join_undoes_only_hyphenation_breaks(head: str, tail: str, joined: str) -> None:
    assert join(head, tail, {"kerja-sama"}) == joined


def test_scan_without_text_layer_is_exit_4_with_the_way_out() -> None:
    scan = scan_pdf(build_pdf(PdfSource(title=TITLE, paragraphs=article_paragraphs(2))))
    with pytest.raises(DocumentError) as caught:
        read_pdf(scan, name="scan.pdf")
    assert caught.value.exit_status == ExitStatus.BAD_INPUT
    assert "no text layer" in caught.value.message and "--ocr" in caught.value.message
    assert "\n" not in caught.value.message


def _tesseract_with_indonesian() -> bool:
    if shutil.which("tesseract") is None:
        return False
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return "ind" in listed.stdout.split()


needs_tesseract = pytest.mark.skipif(
    not _tesseract_with_indonesian(),
    reason="tesseract with the Indonesian language is not installed "
    "(Debian: apt install tesseract-ocr tesseract-ocr-ind)",
)


@needs_tesseract
def test_scan_read_with_ocr() -> None:
    source = PdfSource(title=TITLE, paragraphs=article_paragraphs(3, seed=11), footer="{page}")
    article = read_pdf(scan_pdf(build_pdf(source)), name="scan.pdf", ocr=True)
    assert recall(article.text, TITLE + " " + " ".join(source.paragraphs)) >= 0.9
    assert article.title and recall(article.title, TITLE) >= 0.8


def test_ocr_without_tesseract_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    scan = scan_pdf(build_pdf(PdfSource(title=TITLE, paragraphs=article_paragraphs(1))))
    with pytest.raises(DocumentError, match="tesseract-ocr-ind"):
        read_pdf(scan, name="scan.pdf", ocr=True)
    with pytest.raises(DocumentError, match=r"no text layer.*tesseract-ocr-ind"):
        read_pdf(scan, name="scan.pdf")


def _encrypted(user_password: str = "rahasia") -> bytes:
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    encryption = StandardEncryption(user_password, ownerPassword="pemilik", canCopy=0)
    canvas = Canvas(buffer, encrypt=encryption)
    canvas.drawString(72, 720, "Dokumen rahasia negara.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_a_pdf_with_only_an_owner_password_is_read() -> None:
    article = read_pdf(_encrypted(user_password=""), name="terkunci.pdf")
    assert article.paragraphs == ("Dokumen rahasia negara.",)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"Bukan PDF, hanya teks biasa.\n", "not a PDF"),
        (lambda: build_pdf(press_release())[:900], "damaged or truncated"),
        (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 8, "damaged or truncated"),
        (_encrypted, "encrypted"),
    ],
    ids=["not-a-pdf", "truncated", "garbage", "encrypted"],
)
def test_bad_pdf_is_one_line_exit_4(make: object, message: str) -> None:
    assert callable(make)
    with pytest.raises(DocumentError) as caught:
        read_pdf(make(), name="rusak.pdf")
    assert message in caught.value.message and "\n" not in caught.value.message
    assert caught.value.exit_status == ExitStatus.BAD_INPUT


def test_page_limit_checked_before_any_page_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    data = build_pdf(press_release())
    monkeypatch.setattr(pdf, "MAX_PDF_PAGES", 1)

    def never(*args: object) -> None:
        raise AssertionError("a page was read")

    monkeypatch.setattr(pdf, "_page_words", never)
    with pytest.raises(DocumentError, match=r"pages, more than the 1-page limit"):
        read_pdf(data, name="tebal.pdf")


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "MAX_DOCUMENT_BYTES", 1000)
    with pytest.raises(DocumentError, match="limit for documents"):
        read_pdf(build_pdf(press_release()), name="besar.pdf")


def test_a_paragraph_opening_with_kontak_is_not_a_contact_block() -> None:
    closing = "Kontak senjata terjadi di perbatasan pada malam hari, kata juru bicara."
    source = PdfSource(title=TITLE, paragraphs=[*article_paragraphs(4), closing])
    article = read_pdf(build_pdf(source), name="a.pdf")
    assert article.paragraphs[-1] == closing
    assert "contact" not in article.meta


def test_a_title_on_two_lines_is_one_title() -> None:
    title = "Pemerintah Percepat Pembangunan Infrastruktur Daerah Tertinggal di Kawasan Timur"
    source = PdfSource(title=title, paragraphs=article_paragraphs(3), letterhead=LETTERHEAD)
    article = read_pdf(build_pdf(source), name="a.pdf")
    assert article.title == title
    assert list(article.paragraphs) == source.paragraphs


def test_headers_alternating_between_odd_and_even_pages_are_dropped() -> None:
    # Odd pages carry the report's name, even pages the chapter's: each on half the pages.
    source = PdfSource(
        title=TITLE,
        paragraphs=article_paragraphs(40, seed=8),
        header=("Laporan Tahunan Kementerian", "Bab Satu: Pembangunan Daerah"),
        footer="{page}",
    )
    article = read_pdf(build_pdf(source), name="a.pdf")
    assert source.pages_hint >= 5
    body = "\n".join(article.paragraphs)
    assert "Laporan Tahunan" not in body and "Bab Satu" not in body
    assert list(article.paragraphs) == source.paragraphs


def _mixed(text_pages: bytes, scanned: bytes) -> bytes:
    """The pages of ``text_pages`` followed by those of ``scanned``, as one PDF."""
    import pypdfium2

    document = pypdfium2.PdfDocument(text_pages)
    document.import_pages(pypdfium2.PdfDocument(scanned))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_pages_without_text_layer_are_named_in_a_notice(caplog: pytest.LogCaptureFixture) -> None:
    text = PdfSource(title=TITLE, paragraphs=article_paragraphs(2))
    scanned = PdfSource(title="Lampiran Satu", paragraphs=article_paragraphs(2, seed=9))
    data = _mixed(build_pdf(text), scan_pdf(build_pdf(scanned)))
    with caplog.at_level(logging.WARNING, logger="translate_cli"):
        article = read_pdf(data, name="campur.pdf")
    assert list(article.paragraphs) == text.paragraphs
    assert "page 2 without a text layer" in caplog.text and "--ocr" in caplog.text


@needs_tesseract
def test_ocr_reads_only_the_pages_without_text(monkeypatch: pytest.MonkeyPatch) -> None:
    text = PdfSource(title=TITLE, paragraphs=article_paragraphs(2))
    scanned = PdfSource(title="Lampiran Satu", paragraphs=article_paragraphs(2, seed=9))
    data = _mixed(build_pdf(text), scan_pdf(build_pdf(scanned)))
    read: list[list[int]] = []
    real = pdf._ocr_pages
    monkeypatch.setattr(
        pdf,
        "_ocr_pages",
        lambda doc, name, indexes: read.append(indexes) or real(doc, name, indexes),
    )
    article = read_pdf(data, name="campur.pdf", ocr=True)
    assert read == [[1]]
    assert recall(article.text, " ".join(text.paragraphs + scanned.paragraphs)) >= 0.9


def test_extract_reads_a_pdf_and_refuses_a_scan(tmp_path: Path) -> None:
    source = press_release(columns=2)
    (tmp_path / "siaran.pdf").write_bytes(build_pdf(source))
    done = invoke("extract", str(tmp_path / "siaran.pdf"))
    assert done.exit_code == 0, done.stderr
    assert done.stdout == "\n\n".join([TITLE, *source.paragraphs]) + "\n"
    (tmp_path / "scan.pdf").write_bytes(scan_pdf(build_pdf(source)))
    done = invoke("extract", str(tmp_path / "scan.pdf"))
    assert done.exit_code == ExitStatus.BAD_INPUT
    assert "no text layer" in done.stderr and "--ocr" in done.stderr
