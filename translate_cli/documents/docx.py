"""Word (.docx) files as articles, through python-docx.

The body is read in document order: paragraphs and tables interleaved, a table cell by cell
(row by row; a merged cell once), nested tables inside their cell. A paragraph styled
``Title`` or ``Heading …`` at the top of the document is the title, else the title property.
Running headers and footers are kept apart from the body, in ``meta["header"]`` and
``meta["footer"]``. ``open_docx`` checks the zip before python-docx reads it, so a damaged,
encrypted or oversized file is one line, exit 4.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from translate_cli.documents import (
    DOCX_MAIN_PART,
    MAX_DOCX_PART_BYTES,
    MAX_DOCX_UNPACKED_BYTES,
    OLE_MAGIC,
    DocumentArticle,
    DocumentError,
)
from translate_cli.humanize import format_size

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph


def check_docx(data: bytes, name: str) -> bytes:
    """``data`` repacked after checks, for python-docx to read: refused are an OLE container
    (encrypted, or a legacy .doc), a damaged zip, a zip without a Word document, and parts
    that expand beyond the limits (a zip bomb). Each part is unpacked here a chunk at a time,
    never beyond the size the zip declares for it (a part whose data says otherwise fails its
    checksum), so python-docx only ever reads parts whose size is known and bounded."""
    if data.startswith(OLE_MAGIC):
        raise DocumentError(
            f"{name}: an encrypted or legacy (.doc) Office file, not a .docx",
            hint="open it in Word or LibreOffice and save it as .docx without a password",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [member for member in archive.infolist() if not member.is_dir()]
            _check_sizes(members, name)
            return _repack(archive, members)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise DocumentError(
            f"{name}: not a readable .docx (damaged or truncated: {error})"
        ) from None
    except (NotImplementedError, RuntimeError) as error:  # compression methods, encryption
        raise DocumentError(f"{name}: not a readable .docx ({error})") from None


def _check_sizes(members: list[zipfile.ZipInfo], name: str) -> None:
    if DOCX_MAIN_PART not in {member.filename for member in members}:
        raise DocumentError(f"{name}: a zip archive, not a Word document (no {DOCX_MAIN_PART})")
    for member in members:
        if member.filename.endswith((".xml", ".rels")) and member.file_size > MAX_DOCX_PART_BYTES:
            raise DocumentError(
                f"{name}: {member.filename} expands to {format_size(member.file_size)}, more "
                f"than the {format_size(MAX_DOCX_PART_BYTES)} limit"
            )
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        raise DocumentError(
            f"{name}: expands to {format_size(unpacked)}, more than the "
            f"{format_size(MAX_DOCX_UNPACKED_BYTES)} limit"
        )


def _repack(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> bytes:
    """The parts of ``archive`` in a new, uncompressed zip, each read a megabyte at a time."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for member in members:
            with archive.open(member) as source, copy.open(member.filename, "w") as target:
                while chunk := source.read(1 << 20):
                    target.write(chunk)
    return out.getvalue()


def open_docx(data: bytes, name: str) -> Document:
    """python-docx's document of ``data``, checked and repacked first (``check_docx``)."""
    import docx

    checked = check_docx(data, name)
    try:
        return docx.Document(io.BytesIO(checked))
    except Exception as error:  # a malformed part can make python-docx or lxml fail any way
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DocumentError(f"{name}: not a readable .docx ({detail})") from error


def heading_styles(document: Document) -> set[str]:
    """The ids of the paragraph styles that make a heading: ``Title`` and ``Heading …``.
    (Looked up once: python-docx's ``paragraph.style`` searches the styles part each time.)"""
    return {
        style.style_id
        for style in document.styles
        if style.name and (style.name == "Title" or style.name.startswith("Heading"))
    }


def body_paragraphs(container: Any) -> Iterator[Paragraph]:
    """Every paragraph of ``container`` (the document body, a cell, a header) in document
    order, tables included cell by cell."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block
        elif isinstance(block, Table):
            yield from _table_paragraphs(block)


def _table_paragraphs(table: Table) -> Iterator[Paragraph]:
    seen: list[Any] = []  # a merged cell appears once per grid column it spans
    for row in table.rows:
        for cell in row.cells:
            if any(cell._tc is element for element in seen):
                continue
            seen.append(cell._tc)  # kept alive, so that ``is`` compares the same XML element
            yield from body_paragraphs(cell)


def running_parts(document: Document) -> Iterator[tuple[str, Any]]:
    """``("header" | "footer", part)`` of every section's own headers and footers (default,
    first page, even pages); one linked to the previous section is that section's."""
    for section in document.sections:
        for kind in ("header", "footer"):
            for attribute in (kind, f"first_page_{kind}", f"even_page_{kind}"):
                part = getattr(section, attribute)
                if not part.is_linked_to_previous:
                    yield kind, part


def _clean(text: str) -> str:
    return " ".join(text.split())


def read_docx(data: bytes, *, name: str, ocr: bool = False) -> DocumentArticle:
    """The article of a Word file (``ocr`` does not apply: a Word file has its text)."""
    document = open_docx(data, name)
    headings = heading_styles(document)
    body = [(_clean(p.text), p._p.style in headings) for p in body_paragraphs(document)]
    body = [(text, heading) for text, heading in body if text]
    properties = document.core_properties
    title = _clean(properties.title or "") or None
    if body and body[0][1]:  # a heading at the top is the title, shown as paragraph 0
        title = body.pop(0)[0]
    apart: dict[str, list[str]] = {"header": [], "footer": []}
    for kind, part in running_parts(document):
        for paragraph in body_paragraphs(part):
            text = _clean(paragraph.text)
            if text and text not in apart[kind]:
                apart[kind].append(text)
    date = properties.created or properties.modified
    return DocumentArticle(
        title=title,
        paragraphs=tuple(text for text, _ in body),
        date=date.date().isoformat() if date is not None else None,
        author=_clean(properties.author or "") or None,
        apart=tuple((kind, "\n".join(texts)) for kind, texts in apart.items() if texts),
    )
