"""``-f markdown`` shows the input's text literally: rendered by a CommonMark renderer, hostile
text makes no markup, no link and no image, and reads exactly as it was written."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any

import pytest

from translate_cli.render import FORMATS, View
from translate_cli.render.markdown import literal
from translate_cli.report import Report, SummaryItem, TranslatedSentence
from translate_cli.segment import segment

HOSTILE = [
    "<script>alert(1)</script> di spanduk.",
    "Tautan [klik](javascript:alert(1)) dan ![foto](javascript:alert(2)) beredar.",
    'Gambar <img src=x onerror="alert(3)"> dan <javascript:alert(4)> juga.',
    "Entitas &lt;script&gt; dan &amp; tetap, `kode` dan *miring* dan _garis_ | pipa |.",
    "[ref]: javascript:alert(5)",
    "- bukan daftar",
    "2024. Tahun ini # bukan judul \\ garis miring ~~coret~~.",
    "> bukan kutipan",
]
SITE = '<svg onload="alert(6)">'
LLM_ANSWER = "Ringkasan [x](javascript:alert(7)) <b onmouseover=alert(8)>tebal</b>"


def _report(*, abstract: bool = False) -> Report:
    document = segment("\n\n".join(["<script>alert(0)</script> Judul", *HOSTILE]))
    items = tuple(
        TranslatedSentence(s, f"EN {s.text}", -1.5, ("low-confidence",) if s.index == 2 else ())
        for s in document.sentences
    )
    first = items[0].sentence
    picks = (
        (SummaryItem(None, LLM_ANSWER, LLM_ANSWER),)
        if abstract
        else tuple(SummaryItem(i.sentence.index, i.sentence.text, i.translation) for i in items[1:])
    )
    return Report(
        sentences=items,
        translated=True,
        model="m",
        title=SummaryItem(0, first.text, f"EN {first.text}"),
        summary=picks,
        target_lang="en",
        meta={"url": "https://example.org/a?b=<c>", "site": SITE, "author": "<i>Ana</i>"},
    )


def _markdown(report: Report, header: str | None = None) -> str:
    out = io.StringIO()
    FORMATS.get("markdown").write(out, report, View(header=header))  # type: ignore[arg-type]
    return out.getvalue()


def _permissive() -> Any:
    """A CommonMark renderer with raw HTML on and every link scheme allowed, as some are."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": True}).enable("table")
    renderer.validateLink = lambda url: True
    return renderer


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.parametrize("abstract", [False, True])
def test_hostile_text_makes_no_markup_and_reads_as_written(abstract: bool) -> None:
    report = _report(abstract=abstract)
    markdown = _markdown(report, header="<script>a.txt")
    renderer = _permissive()
    tokens = [t for block in renderer.parse(markdown) for t in [block, *(block.children or [])]]
    assert not [t.type for t in tokens if t.type in ("html_inline", "html_block", "image")]
    links = [t.attrs.get("href") for t in tokens if t.type == "link_open"]
    assert links == ["https://example.org/a?b=%3Cc%3E"]  # the page's own URL, nothing else
    html = renderer.render(markdown)
    for raw in ("<script", "<svg", "<img", "<b ", "<i>"):
        assert raw not in html, raw
    parser = _Visible()
    parser.feed(html)
    assert not [tag for tag, _ in parser.tags if tag in ("script", "svg", "img", "b", "i")]
    attributes = [(k, v or "") for _, attrs in parser.tags for k, v in attrs.items()]
    assert not [k for k, v in attributes if k.startswith("on") or "javascript:" in v]
    visible = " ".join("".join(parser.text).split())
    expected = [SITE, "<i>Ana</i>", "<script>a.txt", *(s.sentence.text for s in report.sentences)]
    expected += [LLM_ANSWER] if abstract else []
    for text in expected:
        assert " ".join(text.split()) in visible, text


def test_literal_escapes_only_what_markdown_would_read() -> None:
    assert (
        literal("Banjir rob (4/3) pagi, Rp 4,5 miliar.") == "Banjir rob (4/3) pagi, Rp 4,5 miliar."
    )
    assert literal("a|b") == "a\\|b" and literal("<x>") == "\\<x\\>"
    assert literal("1. satu") == "1\\. satu" and literal("- dua") == "\\- dua"
    assert literal("baris\nkedua") == "baris kedua"


def test_a_web_page_url_is_a_link_only_when_it_is_http() -> None:
    report = _report()
    hostile = Report(report.sentences, True, "m", meta={"url": "javascript:alert(9)", "site": "S"})
    markdown = _markdown(hostile)
    assert markdown.startswith("> S\n") and "alert(9)" not in markdown
    tokens = [t for b in _permissive().parse(markdown) for t in [b, *(b.children or [])]]
    assert not [t for t in tokens if t.type == "link_open"]


def test_the_summary_and_title_marks_survive_escaping() -> None:
    markdown = _markdown(_report())
    pick = next(line for line in markdown.splitlines() if line.startswith("- EN Tautan"))
    assert pick.endswith("`[!L]`  ")
