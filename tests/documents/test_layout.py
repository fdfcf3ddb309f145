"""The layout rules on hand-placed words: rows, gutters, page numbers, paragraphs, titles."""

from __future__ import annotations

import pytest

from translate_cli.documents.layout import (
    CONTACT,
    PAGE_NUMBER,
    Line,
    Word,
    build,
    gutter,
    paragraphs,
    rows,
)

SIZE = 10.0
CHAR = 5.0  # width of a character in these hand-placed words


def line(text: str, baseline: float, x: float = 50.0, size: float = SIZE) -> list[Word]:
    """The words of ``text`` set from ``x`` on ``baseline``, a space of one character between."""
    words = []
    for token in text.split():
        words.append(Word(token, x, x + CHAR * len(token), baseline, size))
        x += CHAR * (len(token) + 1)
    return words


def test_a_superscript_footnote_mark_stays_on_its_line() -> None:
    words = [*line("Anggaran daerah naik", 100), Word("1", 151, 154, 96.5, 6.0)]
    assert len(rows(words)) == 1


@pytest.mark.parametrize(
    "text", ["3", "- 3 -", "— 12 —", "Halaman 2 dari 5", "Hal. 4", "Page 3 of 5", "3/5", "p. 7"]
)
def test_page_numbers(text: str) -> None:
    assert PAGE_NUMBER.match(text)


@pytest.mark.parametrize("text", ["Tahun 2024 anggaran", "Pasal 3 ayat 2", "3 orang tewas"])
def test_not_page_numbers(text: str) -> None:
    assert not PAGE_NUMBER.match(text)


@pytest.mark.parametrize(
    ("text", "contact"),
    [
        ("Narahubung: Budi", True),
        ("Untuk informasi lebih lanjut, hubungi:", True),
        ("Kontak Media:", True),
        ("Contact: press@example.org", True),
        ("Kontak senjata terjadi di Nduga pada Senin.", False),
        ("Kontaknya tidak dapat dihubungi.", False),
    ],
)
def test_contact_labels(text: str, contact: bool) -> None:
    assert bool(CONTACT.match(text)) is contact


def test_a_table_of_short_cells_is_not_two_columns() -> None:
    page = [
        [*line("Provinsi", 100 + 14 * i), *line(f"{i}00 desa", 100 + 14 * i, x=320)]
        for i in range(12)
    ]
    assert gutter(page) is None


def test_two_columns_of_prose_have_a_gutter() -> None:
    text = "kata kata kata kata kata kata kata kata kata kata kata kata kata kata kata kata"
    left = [line(text[:44], 100 + 14 * i) for i in range(12)]  # 44 characters: x 50 to 270
    right = [line(text[:44], 100 + 14 * i, x=300) for i in range(12)]
    page = [a + b for a, b in zip(left, right, strict=True)]
    split = gutter(page)
    assert split is not None and 270 < split < 300


def test_a_list_item_starts_a_paragraph_even_after_a_full_line() -> None:
    full = "pembangunan jalan desa dan jembatan penghubung antar"  # 52 characters: to x 310
    lines = [
        Line(line(full, 100), 0, 0),
        Line(line("• pembangunan jalan desa dan jembatan penghubung", 114), 0, 0),
        Line(line("• pelayanan kesehatan", 128), 0, 0),
    ]
    assert [len(group) for group in paragraphs(lines)] == [1, 1, 1]


def test_a_drop_cap_is_not_the_title() -> None:
    page = [
        Word("D", 50, 80, 130, 40.0),
        *line("alam rapat itu pemerintah menyampaikan rencana", 100, x=85),
        *line("pembangunan daerah yang dipercepat", 114, x=85),
    ]
    assert build([page]).title is None
