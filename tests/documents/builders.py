"""Test documents built at run time, each knowing the text it was built from.

PDFs are drawn with reportlab word by word, so the tests control what a reader must undo:
justified lines, words hyphenated at a line end, two columns, running headers and footers with
page numbers, a letterhead above the title and a contact block at the end. ``PdfSource`` is the
truth (title and body paragraphs) the tests score against; ``scan_pdf`` gives the same pages as
images only, with no text layer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0  # A4 in points
MARGIN = 60.0
GUTTER = 24.0
BODY_FONT, BODY_SIZE, LEADING = "Helvetica", 10.5, 14.0
TITLE_FONT, TITLE_SIZE = "Helvetica-Bold", 17.0
PARAGRAPH_GAP = 9.0


@dataclass
class PdfSource:
    """What a built PDF says: its truth and how it is laid out."""

    title: str
    paragraphs: list[str]
    letterhead: list[str] = field(default_factory=list)
    contact: list[str] = field(default_factory=list)
    # Drawn at the top of every page, "{page}" and "{pages}" filled in; a pair alternates
    # between odd and even pages.
    header: str | tuple[str, str] | None = None
    footer: str | None = None
    columns: int = 1
    justify: bool = True
    hyphenate: bool = True
    info_title: str | None = None
    author: str | None = None
    pages_hint: int = 0  # filled in by build_pdf: how many pages it drew
    broken: list[str] = field(default_factory=list)  # filled in: words hyphenated at a line end
    scaled_text: bool = False  # a 1-point font scaled by the text matrix, as some tools write


def _hyphen_split(word: str, room: float, font: str, size: float) -> tuple[str, str] | None:
    """The longest head of ``word`` that fits ``room`` with a hyphen; plain lowercase words only."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if len(word) < 7 or not word.isalpha() or not word.islower():
        return None
    for cut in range(len(word) - 3, 2, -1):
        if stringWidth(word[:cut] + "-", font, size) <= room:
            return word[:cut] + "-", word[cut:]
    return None


def _lines(
    text: str, width: float, font: str, size: float, broken: list[str] | None
) -> list[list[str]]:
    """Greedy line breaking; a plain word that does not fit is hyphenated when ``broken`` is a
    list (the words so broken are added to it)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    space = stringWidth(" ", font, size)
    lines: list[list[str]] = []
    line: list[str] = []
    used = 0.0
    words = text.split()
    index = 0
    while index < len(words):
        word = words[index]
        need = stringWidth(word, font, size) + (space if line else 0.0)
        if used + need <= width or not line:
            line.append(word)
            used += need
            index += 1
            continue
        split = (
            _hyphen_split(word, width - used - space, font, size) if broken is not None else None
        )
        if split and broken is not None:
            broken.append(word)
            line.append(split[0])
            words[index] = split[1]
        lines.append(line)
        line, used = [], 0.0
    if line:
        lines.append(line)
    return lines


class _Writer:
    """Places lines top to bottom, column by column, page by page."""

    def __init__(self, source: PdfSource) -> None:
        from reportlab.pdfgen.canvas import Canvas

        self.source = source
        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
        if source.info_title is not None:
            self.canvas.setTitle(source.info_title)
        if source.author:
            self.canvas.setAuthor(source.author)
        self.page = 1
        self.column = 0
        self.top = PAGE_HEIGHT - MARGIN - 20  # below the running header
        self.bottom = MARGIN + 20  # above the running footer
        self.y = self.top
        self.column_top = self.top  # below the title on the first page
        self.pages: list[list[tuple[str, float, float, str, float]]] = [[]]

    @property
    def column_width(self) -> float:
        columns = self.source.columns
        return (PAGE_WIDTH - 2 * MARGIN - GUTTER * (columns - 1)) / columns

    @property
    def x(self) -> float:
        return MARGIN + self.column * (self.column_width + GUTTER)

    def _advance(self, height: float) -> None:
        if self.y - height >= self.bottom:
            return
        if self.column + 1 < self.source.columns:
            self.column += 1
        else:
            self.page += 1
            self.column = 0
            self.column_top = self.top
            self.pages.append([])
        self.y = self.column_top

    def full_width(self, text: str, font: str, size: float, gap: float) -> None:
        """A line across the page (letterhead, title): drawn on the first page, above the body."""
        self.y -= size * 1.3
        self.pages[-1].append((text, MARGIN, self.y, font, size))
        self.y -= gap
        self.column_top = self.y

    def paragraph(self, text: str) -> None:
        source = self.source
        broken = source.broken if source.hyphenate else None
        lines = _lines(text, self.column_width, BODY_FONT, BODY_SIZE, broken)
        for number, words in enumerate(lines):
            self._advance(LEADING)
            self.y -= LEADING
            last = number == len(lines) - 1
            self._words(words, justify=source.justify and not last)
        self.y -= PARAGRAPH_GAP

    def _words(self, words: list[str], *, justify: bool) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        widths = [stringWidth(word, BODY_FONT, BODY_SIZE) for word in words]
        space = stringWidth(" ", BODY_FONT, BODY_SIZE)
        if justify and len(words) > 1:
            space = (self.column_width - sum(widths)) / (len(words) - 1)
        x = self.x
        for word, width in zip(words, widths, strict=True):
            self.pages[-1].append((word, x, self.y, BODY_FONT, BODY_SIZE))
            x += width + space

    def finish(self) -> bytes:
        source = self.source
        total = len(self.pages)
        source.pages_hint = total
        for number, items in enumerate(self.pages, start=1):
            for text, x, y, font, size in items:
                if source.scaled_text:
                    self.canvas.saveState()
                    self.canvas.transform(size, 0, 0, size, x, y)
                    self.canvas.setFont(font, 1)
                    self.canvas.drawString(0, 0, text)
                    self.canvas.restoreState()
                else:
                    self.canvas.setFont(font, size)
                    self.canvas.drawString(x, y, text)
            self.canvas.setFont(BODY_FONT, 8.5)
            if source.header:
                template = source.header
                if isinstance(template, tuple):
                    template = template[(number - 1) % 2]
                header = template.format(page=number, pages=total)
                self.canvas.drawString(MARGIN, PAGE_HEIGHT - MARGIN + 4, header)
            if source.footer:
                footer = source.footer.format(page=number, pages=total)
                self.canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN - 12, footer)
            self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def build_pdf(source: PdfSource) -> bytes:
    """The PDF of ``source``: letterhead, title, body paragraphs, then the contact block."""
    writer = _Writer(source)
    for line in source.letterhead:
        writer.full_width(line, "Helvetica-Bold", 11.0, 1.0)
    if source.letterhead:
        writer.y -= 10
    title_lines = _lines(source.title, PAGE_WIDTH - 2 * MARGIN, TITLE_FONT, TITLE_SIZE, None)
    for number, words in enumerate(title_lines, start=1):
        last = number == len(title_lines)
        writer.full_width(" ".join(words), TITLE_FONT, TITLE_SIZE, 12.0 if last else 0.0)
    for text in source.paragraphs:
        writer.paragraph(text)
    for line in source.contact:
        writer.paragraph(line)
    return writer.finish()


def scan_pdf(data: bytes, scale: float = 2.5) -> bytes:
    """The pages of ``data`` as images only: what a scanner gives, with no text layer."""
    import pypdfium2
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    document = pypdfium2.PdfDocument(data)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1)
    try:
        for page in document:
            image = page.render(scale=scale, grayscale=True).to_pil()
            canvas.drawImage(ImageReader(image), 0, 0, PAGE_WIDTH, PAGE_HEIGHT)
            canvas.showPage()
    finally:
        document.close()
    canvas.save()
    return buffer.getvalue()


# The words of the generated paragraphs, real compounds (kerja-sama, Covid-19) among them.
VOCABULARY = (
    "pemerintah daerah menyampaikan bahwa pembangunan infrastruktur transportasi dan "
    "pelayanan kesehatan masyarakat akan dipercepat melalui kerja-sama dengan berbagai "
    "lembaga internasional serta perusahaan swasta nasional yang berpengalaman dalam "
    "pengelolaan anggaran berkelanjutan sesuai ketentuan peraturan perundang-undangan "
    "berlaku sehingga pertumbuhan ekonomi regional meningkat secara signifikan setelah "
    "pandemi Covid-19 berakhir dan kesejahteraan penduduk pedesaan terus diperhatikan"
)
WORDS = VOCABULARY.split()


def article_paragraphs(count: int, seed: int = 7, sentences: int = 4) -> list[str]:
    """``count`` Indonesian-looking paragraphs of a few sentences each, deterministic."""
    import random

    rng = random.Random(seed)
    paragraphs = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(2, sentences)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(9, 18))]
            sentence = " ".join(words)
            parts.append(sentence[0].upper() + sentence[1:] + ".")
        paragraphs.append(" ".join(parts))
    return paragraphs


# --- Word files (python-docx) -----------------------------------------------------------------
DOCX_TITLE = "Pemerintah Umumkan Program Baru"
DOCX_INTRO = "Pemerintah mengumumkan program baru. Program itu dimulai bulan depan."
DOCX_SECTION = "Rincian Program"
DOCX_RICH = ("Menteri Keuangan hadir.", " Dia berbicara ", "sangat", " lama di Jakarta.")
DOCX_LIST = ("Bantuan untuk petani.", "Bantuan untuk nelayan.")
DOCX_TABLE = (("Provinsi", "Dana"), ("Jawa Barat", "Rp 5 miliar"))
DOCX_CLOSING = "Program ini diawasi oleh DPR."
DOCX_HEADER = "Kementerian Keuangan Republik Indonesia"
DOCX_FOOTER = "Siaran Pers Nomor 12/2024"
DOCX_AUTHOR = "Biro Komunikasi"


def build_docx(*, title_property: str | None = "Judul Dokumen") -> bytes:
    """A Word file with a Title paragraph, a heading, bold/italic runs (the first holding a
    whole sentence, the next splitting one), a numbered list, a 2x2 table between paragraphs,
    a header and a footer, and core properties (title, author, created)."""
    import datetime

    import docx

    document = docx.Document()
    properties = document.core_properties
    properties.title = title_property or ""
    properties.author = DOCX_AUTHOR
    properties.created = datetime.datetime(2024, 5, 17, 9, 30)
    section = document.sections[0]
    section.header.paragraphs[0].text = DOCX_HEADER
    section.footer.paragraphs[0].text = DOCX_FOOTER
    document.add_paragraph(DOCX_TITLE, style="Title")
    document.add_paragraph(DOCX_INTRO)
    document.add_heading(DOCX_SECTION, level=1)
    rich = document.add_paragraph()
    rich.add_run(DOCX_RICH[0]).bold = True
    rich.add_run(DOCX_RICH[1])
    rich.add_run(DOCX_RICH[2]).italic = True
    rich.add_run(DOCX_RICH[3])
    for item in DOCX_LIST:
        document.add_paragraph(item, style="List Number")
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate(DOCX_TABLE):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.add_paragraph(DOCX_CLOSING)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_body(*, with_title: bool = True) -> list[str]:
    """The article paragraphs ``build_docx`` gives, title first, in document order."""
    body = [
        DOCX_INTRO,
        DOCX_SECTION,
        "".join(DOCX_RICH),
        *DOCX_LIST,
        *(text for row in DOCX_TABLE for text in row),
        DOCX_CLOSING,
    ]
    return [DOCX_TITLE, *body] if with_title else body


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip archive of ``files`` (deflated)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def lying_docx(actual: int, declared: int = 100) -> bytes:
    """A zip whose word/document.xml holds ``actual`` bytes (zeros, packed small) while its
    headers declare ``declared``: a zip bomb that passes a check of declared sizes."""
    import struct
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(build_docx())) as real,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for member in real.infolist():  # a real Word file's other parts
            if member.filename != "word/document.xml":
                archive.writestr(member.filename, real.read(member))
        with archive.open("word/document.xml", "w") as part:
            for _ in range(actual >> 20):
                part.write(bytes(1 << 20))
    data = bytearray(out.getvalue())
    name = b"word/document.xml"
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = data.find(signature)
        while data[at + name_at : at + name_at + len(name)] != name:
            at = data.find(signature, at + 1)
        struct.pack_into("<I", data, at + size_at, declared)
    return bytes(data)
