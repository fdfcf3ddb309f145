"""The reading formats show input text on one line and without control characters; JSON keeps
it exact."""

from __future__ import annotations

import io
import json
import re
import textwrap

import pytest

from tests.helpers import ARTICLE
from translate_cli.render import FORMATS, View
from translate_cli.render.readable import one_line, readable
from translate_cli.report import Report, SummaryItem, TranslatedSentence
from translate_cli.segment import segment

# A page's text with terminal escapes: OSC 52 writes the clipboard, CSI 2J clears the screen,
# U+009B is CSI in one character, U+202E reverses what follows, CR overwrites the line.
HOSTILE = (
    "Judul \x1b]52;c;cm0gLXJmIH4=\x07 berita\n\n"
    "Warga \x1b[2J melihat \x9b2J banjir. Kalimat \u202edua\u202c dan\rtiga.\x7f\x00"
)
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _hostile_report(*, summary: bool) -> Report:
    document = segment(HOSTILE)
    items = tuple(
        TranslatedSentence(s, f"EN \x1b[31m{s.text}", -2.0, ("low-confidence",))
        for s in document.sentences
    )
    meta = {"url": "https://example.org/\x1b[2J", "site": "Situs \x9b1m", "author": "A\x1bB"}
    return Report(
        sentences=items,
        translated=True,
        model="m\x1b[5m",
        title=SummaryItem(0, document.sentences[0].text, "EN \x1b]0;title\x07")
        if summary
        else None,
        summary=(SummaryItem(1, document.sentences[1].text, "EN \x9bpick"),) if summary else None,
        target_lang="en",
        meta=meta,
    )


def _rendered(fmt: str, report: Report, **view: object) -> str:
    out = io.StringIO()
    FORMATS.get(fmt).write(out, report, View(**view))  # type: ignore[arg-type]
    return out.getvalue()


def test_one_line_turns_line_breaks_into_spaces_and_drops_controls() -> None:
    assert one_line("pesisir\nutara  \n  Kota") == "pesisir utara Kota"
    assert one_line("a\r\nb\u2028c\x85d\x0ce") == "a b c d e"
    assert one_line("tab\tkept, é ü 日本 ✓") == "tab\tkept, é ü 日本 ✓"
    assert one_line("x\x1b[2Jy\x9b\u202ez\x07") == "x[2Jyz"


@pytest.mark.parametrize("summary", [False, True])
@pytest.mark.parametrize(
    ("fmt", "view"),
    [
        ("text", {}),
        ("text", {"terminal": True, "width": 80}),
        ("text", {"terminal": True, "width": 80, "color": True}),
        ("markdown", {}),
        ("html", {}),
    ],
)
def test_reading_formats_carry_no_control_characters(
    fmt: str, view: dict[str, object], summary: bool
) -> None:
    shown = _rendered(fmt, _hostile_report(summary=summary), header="a\x1b[2J.txt", **view)
    if view.get("color"):  # rich's own colour codes are the only escapes: ESC [ digits ; m
        shown = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert not CONTROLS.search(shown), repr(CONTROLS.search(shown))
    assert "[2J" in shown and "dua" in shown  # the text around the escapes is kept


def test_streamed_text_carries_no_control_characters() -> None:
    out = io.StringIO()
    items = _hostile_report(summary=False).sentences
    FORMATS.get("text").stream(out, items, translated=True, view=View(header="\x1b[2J"))
    assert not CONTROLS.search(out.getvalue()) and "EN [31mWarga" in out.getvalue()
    segmented = io.StringIO()
    FORMATS.get("text").stream(segmented, items, translated=False, view=View())
    assert not CONTROLS.search(segmented.getvalue()) and "melihat 2J banjir" in segmented.getvalue()


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_keeps_the_text_exact_and_escaped(fmt: str) -> None:
    report = _hostile_report(summary=True)
    shown = _rendered(fmt, report)
    assert not CONTROLS.search(shown)
    data = json.loads(shown)
    assert [s["source"] for s in data["sentences"]] == [s.sentence.text for s in report.sentences]
    assert data["summary"][0]["translation"] == "EN \x9bpick" and data["meta"] == report.meta


WRAPPED = "\n\n".join(textwrap.fill(p, 70) for p in ARTICLE.split("\n\n") if p.strip()) + "\n"


def _wrapped_report() -> Report:
    document = segment(WRAPPED)
    items = tuple(TranslatedSentence(s, f"EN {s.text}", -0.1) for s in document.sentences)
    return Report(
        sentences=items,
        translated=True,
        model="m",
        title=SummaryItem(0, items[0].sentence.text, items[0].translation),
        summary=tuple(SummaryItem(i, items[i].sentence.text, items[i].translation) for i in (1, 2)),
        target_lang="en",
    )


@pytest.mark.parametrize("view", [{}, {"terminal": True, "width": 2000}])
def test_a_hard_wrapped_sentence_is_shown_on_one_line(view: dict[str, object]) -> None:
    report = _wrapped_report()
    assert any("\n" in s.sentence.text for s in report.sentences)  # the source is wrapped
    lines = _rendered("text", report, **view).splitlines()
    for item in readable(report).sentences:
        assert any(item.sentence.text in line for line in lines), item.sentence.text
        assert any(str(item.translation) in line for line in lines), item.translation
    segmented = Report(tuple(TranslatedSentence(s.sentence, None) for s in report.sentences))
    shown = _rendered("text", segmented, **view)
    sentences = [line for line in shown.splitlines() if line]
    assert sentences == [one_line(s.sentence.text) for s in report.sentences]
