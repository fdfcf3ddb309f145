"""format=html: the text is translated, the markup kept."""

from __future__ import annotations

from collections.abc import Sequence

from translate_cli.serve.markup import translate_html


def upper(texts: Sequence[str]) -> list[str]:
    return [text.upper() for text in texts]


def test_tags_attributes_and_entities_are_kept() -> None:
    markup = '<p class="lead">Halo <b>dunia</b> &amp; <a href="/x?a=1&amp;b=2">kawan</a>.</p>'
    assert translate_html(markup, upper) == (
        '<p class="lead">HALO <b>DUNIA</b> &amp; <a href="/x?a=1&amp;b=2">KAWAN</a>.</p>'
    )


def test_code_scripts_comments_and_translate_no_are_not_translated() -> None:
    markup = (
        "<div>satu<script>var x = 'dua';</script> tiga <!-- empat -->"
        '<span translate="no">lima <i>enam</i></span> tujuh<pre>delapan</pre></div>'
    )
    assert translate_html(markup, upper) == (
        "<div>SATU<script>var x = 'dua';</script> TIGA <!-- empat -->"
        '<span translate="no">lima <i>enam</i></span> TUJUH<pre>delapan</pre></div>'
    )


def test_white_space_around_a_text_node_stays() -> None:
    seen: list[str] = []

    def record(texts: Sequence[str]) -> list[str]:
        seen.extend(texts)
        return upper(texts)

    assert translate_html("  awal <br>\n  akhir  ", record) == "  AWAL <br>\n  AKHIR  "
    assert seen == ["awal", "akhir"]


def test_a_whole_page_keeps_its_doctype_and_head() -> None:
    page = "<!DOCTYPE html><html><head><title>judul</title></head><body><p>isi</p></body></html>"
    assert translate_html(page, upper) == (
        "<!DOCTYPE html>\n<html><head><title>JUDUL</title></head><body><p>ISI</p></body></html>"
    )


def test_plain_text_is_one_text_node() -> None:
    assert translate_html("tanpa markup", upper) == "TANPA MARKUP"
