"""Renderers decide from what a Report holds, never from the command that made it."""

from __future__ import annotations

import io
import json

import pytest

from translate_cli.render import FORMATS, View
from translate_cli.report import Report, SummaryItem, TranslatedSentence
from translate_cli.segment import segment

DOCUMENT = segment("Judul Berita Hari Ini\n\nSatu kalimat. Dua kalimat.\n\nTiga kalimat.")


def report(*, english: bool, summary: bool, every: bool = True) -> Report:
    items = tuple(
        TranslatedSentence(s, f"EN {s.text}" if english and (every or s.index == 1) else None)
        for s in DOCUMENT.sentences
    )
    title = SummaryItem(0, DOCUMENT.sentences[0].text, "EN title" if english else None)
    picks = (SummaryItem(1, DOCUMENT.sentences[1].text, "EN pick" if english else None),)
    return Report(
        sentences=items,
        translated=english or summary,
        model="m" if english else None,
        title=title if summary else None,
        summary=picks if summary else None,
        target_lang="en" if english else None,
    )


def rendered(fmt: str, value: Report, **view: object) -> str:
    out = io.StringIO()
    FORMATS.get(fmt).write(out, value, View(**view))  # type: ignore[arg-type]
    return out.getvalue()


def test_registry_lists_the_formats_and_checks_names() -> None:
    assert FORMATS.names() == ("text", "markdown", "json", "jsonl", "html")
    assert FORMATS.check("JSON") == "json"


def test_text_follows_the_content() -> None:
    sentences_only = rendered("text", report(english=False, summary=False))
    assert (
        sentences_only == "Judul Berita Hari Ini\n\nSatu kalimat.\nDua kalimat.\n\nTiga kalimat.\n"
    )
    translation = rendered("text", report(english=True, summary=False))
    assert translation.splitlines()[2] == "EN Satu kalimat. EN Dua kalimat."
    whole = rendered("text", report(english=True, summary=True))
    assert "Summary (English):\nEN pick" in whole and "Translation:" in whole
    partial = rendered("text", report(english=True, summary=True, every=False))
    assert "Summary (English):" in partial and "Translation:" not in partial
    indonesian = rendered("text", report(english=False, summary=True))
    assert "Summary (Indonesian):" in indonesian and "English" not in indonesian


def test_json_keys_follow_the_content() -> None:
    assert set(json.loads(rendered("json", report(english=False, summary=False)))) == {"sentences"}
    assert set(json.loads(rendered("json", report(english=True, summary=False)))) == {
        "model",
        "sentences",
    }
    full = json.loads(rendered("json", report(english=True, summary=True)))
    assert set(full) == {"model", "title", "sentences", "summary"}
    lines = rendered("jsonl", report(english=True, summary=False)).splitlines()
    assert [json.loads(line)["index"] for line in lines] == [0, 1, 2, 3]


@pytest.mark.parametrize("english", [True, False])
def test_terminal_tables_show_only_columns_with_content(english: bool) -> None:
    table = rendered("text", report(english=english, summary=True), terminal=True, width=70)
    assert "Indonesian" in table
    assert ("English" in table) is english


def test_markdown_lists_sentences_or_tables_translations() -> None:
    assert rendered("markdown", report(english=False, summary=False)).startswith("1. Judul")
    table = rendered("markdown", report(english=True, summary=False))
    assert "| # | Indonesian | English |" in table
    summary = rendered("markdown", report(english=True, summary=True, every=False))
    assert "## Summary" in summary and "| # |" not in summary


def test_a_header_names_the_document_when_asked() -> None:
    shown = rendered("text", report(english=False, summary=False), header="a.txt")
    assert shown.startswith("==> a.txt <==\n")
