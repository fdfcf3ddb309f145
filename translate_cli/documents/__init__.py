"""Documents as input: PDF and Word (DOCX) files read into the ``Article`` a web page gives.

A document is recognised by its content (``sniff``), never by its name, and read by the reader
registered for its kind in ``DOCUMENTS`` (imported only when a document of that kind is read)::

    kind = sniff(data)                      # "pdf", "docx" or None
    article = read_document(data, kind, name="surat.docx")

Every bad document (damaged, encrypted, too large, a zip that is not a Word file) raises
``DocumentError``: one line, exit 4. The limits that keep resources bounded are the constants
below (docs/documents.md).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Protocol

from translate_cli.errors import InputError, TranslateCliError
from translate_cli.humanize import format_size
from translate_cli.registry import Registry
from translate_cli.web.article import Article

MAX_DOCUMENT_BYTES = 100 * 1024 * 1024  # a document file larger than this is refused
MAX_PDF_PAGES = 500  # a PDF with more pages is refused
MAX_DOCX_PART_BYTES = 64 * 1024 * 1024  # one XML part of a DOCX, uncompressed (zip bombs)
MAX_DOCX_UNPACKED_BYTES = 256 * 1024 * 1024  # all parts of a DOCX together, uncompressed

PDF_MAGIC = re.compile(rb"%PDF-\d\.\d")  # the header, which may follow up to 1 KB of junk
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # encrypted Office files and legacy .doc
DOCX_MAIN_PART = "word/document.xml"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MEDIA_TYPE = "application/pdf"
# A URL answered with one of these is read as that kind of document.
MEDIA_TYPES = {PDF_MEDIA_TYPE: "pdf", DOCX_MEDIA_TYPE: "docx"}


class DocumentError(InputError):
    """A document that cannot be read: damaged, encrypted, too large (exit 4)."""


class Reader(Protocol):
    def __call__(self, data: bytes, *, name: str, ocr: bool = False) -> Article: ...


DOCUMENTS: Registry[Reader] = Registry("document kind", "--input-format")
DOCUMENTS.register("pdf", "translate_cli.documents.pdf:read_pdf", help="a PDF file")
DOCUMENTS.register("docx", "translate_cli.documents.docx:read_docx", help="a Word (.docx) file")


@dataclass(frozen=True)
class DocumentArticle(Article):
    """An ``Article`` with what was set apart from the body (running headers and footers, a
    letterhead, a contact block), each a named text that ``meta`` carries too."""

    apart: tuple[tuple[str, str], ...] = ()

    @property
    def meta(self) -> dict[str, str | None]:
        return {**super().meta, **dict(self.apart)}


def sniff(data: bytes) -> str | None:
    """The kind of document ``data`` is (a name in ``DOCUMENTS``), by its bytes; None when it is
    not one. An Office file in an OLE container (encrypted, or a legacy .doc) counts as "docx"
    so that its reader can say why it cannot be read."""
    if PDF_MAGIC.search(data[:1024]):
        return "pdf"
    if data.startswith(OLE_MAGIC):
        return "docx"
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "docx" if DOCX_MAIN_PART in archive.namelist() else None
        except (zipfile.BadZipFile, OSError, ValueError):
            # Damaged or truncated: a Word file still names its parts near the start.
            head = data[: 64 * 1024]
            return "docx" if b"word/" in head or b"[Content_Types].xml" in head else None
    return None


def read_document(data: bytes, kind: str, *, name: str, ocr: bool = False) -> Article:
    """The article of a document of ``kind`` (``ocr``: read scanned pages with Tesseract).

    Raises ``DocumentError`` (exit 4) for a document that cannot be read; any failure of the
    reader's library on a malformed file becomes one too, naming the file.
    """
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            f"{name}: {format_size(len(data))}, larger than the "
            f"{format_size(MAX_DOCUMENT_BYTES)} limit for documents"
        )
    try:
        reader = DOCUMENTS.get(kind)  # imported now: a missing library is this file's error too
        return reader(data, name=name, ocr=ocr)
    except TranslateCliError:
        raise
    except (RecursionError, MemoryError) as error:
        raise DocumentError(f"{name}: cannot read this {kind.upper()} ({error!r})") from error
    except Exception as error:  # a malformed file can make a parser fail in any way
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DocumentError(f"{name}: cannot read this {kind.upper()} ({detail})") from error


__all__ = [
    "DOCUMENTS",
    "DOCX_MEDIA_TYPE",
    "MAX_DOCUMENT_BYTES",
    "MAX_DOCX_PART_BYTES",
    "MAX_DOCX_UNPACKED_BYTES",
    "MAX_PDF_PAGES",
    "MEDIA_TYPES",
    "PDF_MEDIA_TYPE",
    "DocumentArticle",
    "DocumentError",
    "Reader",
    "read_document",
    "sniff",
]
