"""PDF files read into an ``Article``: pypdfium2 gives the characters with their boxes, the
layout (``documents.layout``) rebuilds lines, columns and paragraphs from them.

pypdfium2 (PDFium, Chromium's PDF engine) was chosen over pdfplumber/pdfminer.six for speed:
on a generated 20-page PDF it reads the characters with their boxes and font sizes about ten
times faster (docs/documents.md has the figures), and the same library renders pages for OCR.

A page count over ``MAX_PDF_PAGES`` is refused before any page is read. A PDF without a text
layer (a scan) is refused with the way out: ``--ocr``, which renders each page and reads it
with the ``tesseract`` program (Indonesian and English), at most ``OCR_SECONDS`` a page.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
import subprocess
from typing import TYPE_CHECKING, Any

from translate_cli.documents import (
    MAX_DOCUMENT_BYTES,
    MAX_PDF_PAGES,
    DocumentArticle,
    DocumentError,
)
from translate_cli.documents.layout import Layout, Word, build
from translate_cli.humanize import format_size

if TYPE_CHECKING:
    from translate_cli.web.article import Article

logger = logging.getLogger("translate_cli")

OCR_LANGUAGES = "ind+eng"
OCR_SCALE = 300 / 72  # render at 300 dpi, what Tesseract reads best
OCR_SECONDS = 120  # one page's limit
MIN_FONT_SIZE = 3.0  # a reported size below this is nominal (the text matrix scales it)
MIN_PAGE_WORDS = 3  # fewer on a page: no text layer (a scan may carry a stamped page number)
MAX_PAGE_CHARS = 200_000  # characters read from one page; a page of text has a few thousand
INSTALL_HINT = (
    "install Tesseract with Indonesian (Debian: apt install tesseract-ocr tesseract-ocr-ind)"
)


def read_pdf(data: bytes, *, name: str, ocr: bool = False) -> Article:
    """The article of a PDF: title as paragraph 0, body paragraphs, meta from its properties.

    Raises ``DocumentError`` for a damaged, encrypted or too large PDF, and for a scan without
    ``ocr``. Letterhead, contact block and running headers/footers are set apart in ``meta``
    (``letterhead``, ``contact``, ``header``, ``footer``) with a notice on the log.
    """
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            f"{name}: {format_size(len(data))}, larger than the "
            f"{format_size(MAX_DOCUMENT_BYTES)} limit for documents"
        )
    if b"%PDF-" not in data[:1024]:
        raise DocumentError(f"{name}: not a PDF (no %PDF- header)")
    document = _open(data, name)
    try:
        count = len(document)
        if count > MAX_PDF_PAGES:
            raise DocumentError(
                f"{name}: {count} pages, more than the {MAX_PDF_PAGES}-page limit for PDFs"
            )
        if count == 0:
            raise DocumentError(f"{name}: the PDF has no pages")
        info = _info(document)
        pages = [_page_words(document, index) for index in range(count)]
        scanned = [index for index, words in enumerate(pages) if len(words) < MIN_PAGE_WORDS]
        if len(scanned) == count and not ocr:
            raise DocumentError(f"{name}: no text layer (a scanned PDF?); {_ocr_way_out()}")
        if scanned and ocr:
            for index, words in zip(scanned, _ocr_pages(document, name, scanned), strict=True):
                pages[index] = words
        elif scanned:
            logger.warning(
                "%s: %s without a text layer (scanned?) left out; %s",
                name,
                _page_list(scanned),
                _ocr_way_out(),
            )
    finally:
        document.close()
    layout = build(pages)
    return _article(layout, info, name)


def _open(data: bytes, name: str) -> Any:
    import pypdfium2

    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        text = str(error).lower()
        if "password" in text or "security" in text:
            raise DocumentError(f"{name}: the PDF is encrypted (password protected)") from error
        raise DocumentError(f"{name}: a damaged or truncated PDF ({error})") from error


def _info(document: Any) -> dict[str, str | None]:
    """Title, author and date from the document properties, None where empty."""
    try:
        raw = document.get_metadata_dict(skip_empty=True)
    except Exception:  # damaged metadata: the text still counts
        raw = {}
    date = raw.get("CreationDate") or raw.get("ModDate") or ""
    found = re.match(r"D:(\d{4})(\d{2})?(\d{2})?", date)
    day = None
    if found:
        day = "-".join(part for part in found.groups() if part)
    return {
        "title": (raw.get("Title") or "").strip() or None,
        "author": _author((raw.get("Author") or "").strip()),
        "date": day,
    }


# Author properties that name an account or a tool's default, not a person or an office.
PLACEHOLDER_AUTHORS = {
    "anonymous",
    "unknown",
    "user",
    "admin",
    "administrator",
    "owner",
    "windows user",
    "microsoft office user",
    "pc",
    "asus",
    "lenovo",
    "hp",
    "dell",
    "acer",
}


def _author(author: str) -> str | None:
    return None if not author or author.lower() in PLACEHOLDER_AUTHORS else author


def _page_words(document: Any, index: int) -> list[Word]:
    """One page's words from its characters' boxes; whitespace and big gaps end a word."""
    import pypdfium2.raw as pdfium_c

    page = document[index]
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        words: list[Word] = []
        chars: list[tuple[str, float, float, float, float]] = []

        def flush() -> None:
            if chars:
                text = "".join(c[0] for c in chars)
                size = max(c[4] for c in chars)
                words.append(Word(text, chars[0][1], chars[-1][2], chars[0][3], size))
                chars.clear()

        for i in range(min(textpage.count_chars(), MAX_PAGE_CHARS)):
            code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
            char = chr(code) if code else ""
            if not char or char.isspace() or (code < 0x20 and code != 0x02):
                flush()
                continue
            left, _bottom, right, _top = textpage.get_charbox(i)
            size = _size(pdfium_c, textpage, i)
            baseline = height - _origin_y(pdfium_c, textpage, i)
            if chars and (
                abs(baseline - chars[-1][3]) > 0.3 * size or left - chars[-1][2] > 0.6 * size
            ):
                flush()
            chars.append((char, left, right, baseline, size))
        flush()
        return words
    finally:
        textpage.close()
        page.close()


def _size(pdfium_c: Any, textpage: Any, index: int) -> float:
    """A character's font size in points. PDFs that scale text with the text matrix report a
    nominal size (often 1); then the height of the font's box, which is about 1.17 em, says it."""
    size = float(pdfium_c.FPDFText_GetFontSize(textpage.raw, index))
    if size >= MIN_FONT_SIZE:
        return size
    _left, bottom, _right, top = textpage.get_charbox(index, loose=True)
    return max(float(top - bottom) / 1.17, 1.0)


def _origin_y(pdfium_c: Any, textpage: Any, index: int) -> float:
    """A character's baseline (its origin's y, from the bottom of the page)."""
    import ctypes

    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDFText_GetCharOrigin(textpage.raw, index, ctypes.byref(x), ctypes.byref(y))
    return float(y.value)


def _tesseract_ready() -> bool:
    """Whether ``tesseract`` is installed with the Indonesian language."""
    if shutil.which("tesseract") is None:
        return False
    try:
        listed = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return "ind" in listed.stdout.split()


def _ocr_way_out() -> str:
    if _tesseract_ready():
        return "read it with --ocr"
    return f"to read it with --ocr, {INSTALL_HINT}"


def _page_list(indexes: list[int]) -> str:
    shown = ", ".join(str(index + 1) for index in indexes[:10])
    more = f" and {len(indexes) - 10} more" if len(indexes) > 10 else ""
    return f"page{'s' if len(indexes) > 1 else ''} {shown}{more}"


def _ocr_pages(document: Any, name: str, indexes: list[int]) -> list[list[Word]]:
    """The pages at ``indexes`` rendered and read by Tesseract, as words in points."""
    if not _tesseract_ready():
        raise DocumentError(f"{name}: --ocr needs the tesseract program; {INSTALL_HINT}")
    pages = []
    for index in indexes:
        page = document[index]
        try:
            image = page.render(scale=OCR_SCALE, grayscale=True).to_pil()
        finally:
            page.close()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        try:
            done = subprocess.run(
                ["tesseract", "stdin", "stdout", "-l", OCR_LANGUAGES, "tsv"],
                input=buffer.getvalue(),
                capture_output=True,
                timeout=OCR_SECONDS,
            )
        except subprocess.TimeoutExpired as error:
            raise DocumentError(
                f"{name}: OCR of page {index + 1} took over {OCR_SECONDS} s"
            ) from error
        if done.returncode != 0:
            detail = done.stderr.decode(errors="replace").strip().splitlines()
            raise DocumentError(
                f"{name}: tesseract failed on page {index + 1}"
                + (f" ({detail[-1]})" if detail else "")
            )
        pages.append(_tsv_words(done.stdout.decode("utf-8", errors="replace"), OCR_SCALE))
    logger.warning(
        "%s: %s read by OCR (Tesseract, %s); check the text",
        name,
        _page_list(indexes),
        OCR_LANGUAGES,
    )
    return pages


def _tsv_words(tsv: str, scale: float) -> list[Word]:
    """Tesseract's words; the words of one of its lines share a baseline and a size."""
    lines: dict[tuple[str, ...], list[tuple[str, float, float, float, float]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (float(cell) / scale for cell in cells[6:10])
        lines.setdefault(tuple(cells[1:5]), []).append(
            (cells[11].strip(), left, left + width, top, top + height)
        )
    words: list[Word] = []
    for found in lines.values():
        baseline = max(word[4] for word in found)
        size = 0.8 * (baseline - min(word[3] for word in found))
        words.extend(Word(text, x0, x1, baseline, max(size, 1.0)) for text, x0, x1, *_ in found)
    return words


def _meaningful(title: str | None) -> bool:
    """Whether a document property title names the document (not "untitled", a file name).
    One that only repeats the letterhead ("Siaran Pers") does not either: see ``_article``."""
    if not title or len(title.split()) < 2:
        return False
    return not re.search(r"^(untitled|microsoft word\b)|\.(docx?|pdf|odt|rtf)$", title, re.I)


def _article(layout: Layout, info: dict[str, str | None], name: str) -> Article:
    paragraphs = list(layout.paragraphs)
    title = layout.title
    letterhead = set(_words(" ".join(layout.letterhead)))
    if _meaningful(info["title"]) and not set(_words(info["title"] or "")) <= letterhead:
        found = title
        title = info["title"]
        if found and _words(found) != _words(title or ""):
            paragraphs.insert(0, found)  # the printed headline differs: it is text, keep it
    apart = [
        (key, " / ".join(texts))
        for key, texts in (
            ("letterhead", layout.letterhead),
            ("contact", layout.contact),
            ("header", layout.header),
            ("footer", layout.footer),
        )
        if texts
    ]
    if apart:
        logger.warning(
            "%s: set apart from the body (in meta): %s",
            name,
            ", ".join(f"{key} ({len(text.split())} words)" for key, text in apart),
        )
    return DocumentArticle(
        title=title,
        paragraphs=tuple(paragraphs),
        date=info["date"],
        author=info["author"],
        apart=tuple(apart),
    )


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())
