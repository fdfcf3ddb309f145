"""Extraction loses nothing of the article silently: boilerplate rules never match prose
(a table of prose lines in Indonesian and English, tests/data/prose_lines.txt) and still match
real boilerplate (tests/data/boilerplate_lines.txt); prose about code stays; markup nested
deeper than the parser's limit is flattened, not dropped; data tables keep their numbers."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers import invoke
from translate_cli.resources import parse_sections, sections
from translate_cli.web.extract import extract_article, is_boilerplate_line

DATA = Path(__file__).parents[1] / "data"


def _table(name: str) -> Mapping[str, tuple[str, ...]]:
    """The lines of each ``[section]`` of a table in tests/data (the package's own rule)."""
    return parse_sections((DATA / name).read_text(encoding="utf-8"), name)


PROSE = [
    (language, line) for language, lines in _table("prose_lines.txt").items() for line in lines
]
BOILERPLATE = _table("boilerplate_lines.txt")
RULES = [
    (f"{name} [{section}]", pattern)
    for name in ("news_boilerplate.txt", "boilerplate.txt")
    for section, patterns in sections("translate_cli.web", name).items()
    for pattern in patterns
]


def test_the_tables_cover_both_languages_and_every_section() -> None:
    assert {language for language, _ in PROSE} == {"id", "en"}
    assert len(PROSE) >= 100
    found = {where.split(" ")[1] for where, _ in RULES}
    assert found == {"[sentence]", "[dateline]", "[line]", "[inline]"}


@pytest.mark.parametrize(("language", "line"), PROSE, ids=[line[:40] for _, line in PROSE])
def test_no_boilerplate_rule_matches_prose(language: str, line: str) -> None:
    text = " ".join(line.split())
    matched = [f"{where}: {pattern}" for where, pattern in RULES if re.match(pattern, text)]
    assert matched == [], f"{language}: {line}"
    assert not is_boilerplate_line(text)


@pytest.mark.parametrize("line", BOILERPLATE["line"])
def test_boilerplate_lines_are_still_removed(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize("line", BOILERPLATE["dateline"])
def test_datelines_are_still_found(line: str) -> None:
    datelines = [p for where, p in RULES if where.endswith("[dateline]")]
    assert any(re.match(pattern, line) for pattern in datelines)


# --- pages ----------------------------------------------------------------------------------
TITLE = "Peretas Menyusupkan Skrip ke Situs Berita Daerah Selama Sepekan"


def _page(paragraphs: list[str], *, nest: int = 0, extra: str = "") -> str:
    """A plain article page; the middle paragraph sits inside ``nest`` ``<div>``s."""
    body = [f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs]
    if nest:
        middle = len(body) // 2
        body[middle] = "<div>" * nest + body[middle] + "</div>" * nest
    return (
        f"<!DOCTYPE html><html><head><title>{TITLE}</title></head><body><article>"
        f"<h1>{TITLE}</h1>{''.join(body)}{extra}</article></body></html>"
    )


ABOUT_CODE = {
    "id": [
        "Peretas menyusupkan skrip berbahaya ke situs berita daerah itu selama sepekan tanpa "
        "diketahui pengelolanya.",
        "Menurut peneliti keamanan, pelaku memakai perintah document.write() untuk menyisipkan "
        "tautan palsu, lalu menyembunyikan tag <script> itu di kolom komentar.",
        "Pengelola situs mengatakan variabel window.x yang dipakai pelaku kini sudah dihapus "
        "dari seluruh halaman.",
        "Polisi masih menyelidiki asal serangan tersebut dan meminta pengelola situs lain "
        "memeriksa kode halaman mereka.",
    ],
    "en": [
        "Hackers slipped a malicious script into the regional news site for a week without "
        "its editors noticing.",
        "According to security researchers, the attackers used document.write() to insert fake "
        "links, then hid the <script> tag in the comment section.",
        "The site's operator said the window.x variable the attackers relied on has now been "
        "removed from every page.",
        "Police are still investigating where the attack came from and asked other sites to "
        "check their own code.",
    ],
}


@pytest.mark.parametrize("language", sorted(ABOUT_CODE))
def test_a_paragraph_about_code_is_kept(language: str) -> None:
    paragraphs = ABOUT_CODE[language]
    article = extract_article(_page(paragraphs))
    assert list(article.paragraphs) == paragraphs


@pytest.mark.parametrize("depth", [300, 3000])
def test_text_nested_deeper_than_the_parser_limit_is_kept(tmp_path: Path, depth: int) -> None:
    paragraphs = ABOUT_CODE["id"]
    path = tmp_path / "dalam.html"
    path.write_text(_page(paragraphs, nest=depth), encoding="utf-8")
    result = invoke("extract", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "\n\n".join([TITLE, *paragraphs]) + "\n"


def test_a_data_table_keeps_its_numbers() -> None:
    rows = [("1", "Kyle Busch", "5040"), ("2", "Martin Truex Jr.", "5035")]
    table = "<table><tr><th>No.</th><th>Pembalap</th><th>Poin</th></tr>" + "".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows
    )
    article = extract_article(_page(ABOUT_CODE["id"][:2], extra=table + "</table>"))
    text = "\n".join(article.paragraphs)
    assert all(cell in text for row in rows for cell in row), text


def test_a_phone_number_line_is_kept() -> None:
    paragraphs = [*ABOUT_CODE["id"][:2], "Layanan pengaduan:", "0274-751-1500"]
    assert list(extract_article(_page(paragraphs)).paragraphs) == paragraphs


def test_a_credit_beside_a_paragraph_takes_only_itself() -> None:
    # A photo credit and a paragraph in one container, a script beside another paragraph:
    # the container's whole text reads as a credit or as code, its parts do not.
    first, second, *rest = ABOUT_CODE["id"]
    extra = (
        f"<div><div class='credit'>© Dinas Kominfo/Rina</div><div>{html.escape(second)}</div></div>"
        f"<div><script>window.ads = window.ads || []; ads.push({{id: 1}});</script>"
        f"<p>{rest[0]}</p></div>"
    )
    article = extract_article(_page([first], extra=extra))
    assert list(article.paragraphs) == [first, second, rest[0]]


def test_text_comes_out_composed() -> None:
    paragraphs = ["Die Gurtlänge wurde geprüft, bevor die Schale montiert wurde, sagte er."]
    decomposed = [unicodedata.normalize("NFD", p) for p in [*paragraphs, *ABOUT_CODE["en"]]]
    article = extract_article(_page(decomposed))
    assert list(article.paragraphs) == [*paragraphs, *ABOUT_CODE["en"]]
