"""Flags in the text formats: a compact mark beside the sentence and a legend, never inside
the translation; JSON carries score and flags on every translated sentence."""

from __future__ import annotations

import io
import json

import pytest

from translate_cli.engines.quality import FLAGS
from translate_cli.render import FORMATS, View
from translate_cli.render.marks import LETTERS, legend_lines, mark
from translate_cli.report import Report, SummaryItem, TranslatedSentence
from translate_cli.segment import segment

DOCUMENT = segment("Judul Berita\n\nSatu kalimat. Dua kalimat.\n\nTiga kalimat.")


def _report(*, summary: bool = False, flagged: bool = True) -> Report:
    flags = {2: ("low-confidence", "repetition")} if flagged else {}
    items = tuple(
        TranslatedSentence(s, f"EN {s.text}", -0.5, flags.get(s.index, ()))
        for s in DOCUMENT.sentences
    )
    return Report(
        sentences=items,
        translated=True,
        model="m",
        title=SummaryItem(0, DOCUMENT.sentences[0].text, "EN title") if summary else None,
        summary=(SummaryItem(1, DOCUMENT.sentences[1].text, "EN pick"),) if summary else None,
        target_lang="en",
    )


def _rendered(fmt: str, report: Report, **view: object) -> str:
    out = io.StringIO()
    FORMATS.get(fmt).write(out, report, View(**view))  # type: ignore[arg-type]
    return out.getvalue()


def test_every_documented_flag_has_a_mark_and_a_legend_line() -> None:
    assert set(LETTERS) == set(FLAGS)
    assert mark(("low-confidence", "repetition")) == "[!LR]" and mark(()) == ""
    assert legend_lines(["split"])[0].startswith("[!S] split: ")


def test_plain_text_marks_the_sentence_and_ends_with_a_legend() -> None:
    text = _rendered("text", _report())
    assert "EN Dua kalimat. [!LR]" in text
    assert text.rstrip().splitlines()[-2:] == legend_lines(["low-confidence", "repetition"])
    assert "[!" not in _rendered("text", _report(flagged=False))
    streamed = io.StringIO()
    FORMATS.get("text").stream(streamed, _report().sentences, translated=True, view=View())
    assert streamed.getvalue() == text


@pytest.mark.parametrize("summary", [False, True])
def test_markdown_and_tables_show_a_mark_column_and_a_legend(summary: bool) -> None:
    markdown = _rendered("markdown", _report(summary=summary))
    assert "| 3 | Dua kalimat. | EN Dua kalimat. | LR |" in markdown
    assert "low-confidence" in markdown and "| ! |" in markdown
    assert "| ! |" not in _rendered("markdown", _report(summary=summary, flagged=False))
    table = _rendered("text", _report(summary=summary), terminal=True, width=90)
    assert "LR" in table and "[!L] low-confidence" in table
    row = next(line for line in table.splitlines() if "EN Dua kalimat." in line)
    assert "LR" in row  # in its own column, on the sentence's row


def test_json_carries_score_and_flags_on_every_translated_sentence() -> None:
    data = json.loads(_rendered("json", _report()))
    assert [s["flags"] for s in data["sentences"]] == [[], [], ["low-confidence", "repetition"], []]
    assert all(s["score"] == -0.5 for s in data["sentences"])
    assert all(s["translation"].startswith("EN ") for s in data["sentences"])  # text untouched
    segmented = Report(tuple(TranslatedSentence(s, None) for s in DOCUMENT.sentences))
    assert "score" not in json.loads(_rendered("json", segmented))["sentences"][0]
    with_meta = Report(segmented.sentences, meta={"url": "https://example.org/x"})
    assert json.loads(_rendered("json", with_meta))["meta"] == {"url": "https://example.org/x"}


def _summary_report(*, every: bool) -> Report:
    """A summary quoting flagged sentences: the title (0) is truncated, the pick (2) unsure;
    ``every=False`` is ``summarize``, which translates only the title and the picks."""
    flags = {0: ("truncated-by-cap",), 2: ("low-confidence", "repetition")}
    items = tuple(
        TranslatedSentence(
            s,
            f"EN {s.text}" if every or s.index in (0, 2) else None,
            -1.5 if s.index in flags else (-0.5 if every else None),
            flags.get(s.index, ()),
        )
        for s in DOCUMENT.sentences
    )
    return Report(
        sentences=items,
        translated=True,
        model="m",
        title=SummaryItem(0, DOCUMENT.sentences[0].text, "EN Judul Berita"),
        summary=(
            SummaryItem(2, DOCUMENT.sentences[2].text, "EN Dua kalimat."),
            SummaryItem(3, DOCUMENT.sentences[3].text, "EN Tiga kalimat."),
        ),
        target_lang="en",
    )


@pytest.mark.parametrize("every", [False, True])
def test_plain_text_marks_the_title_and_summary_lines(every: bool) -> None:
    text = _rendered("text", _summary_report(every=every))
    lines = text.splitlines()
    assert "       EN Judul Berita [!C]" in lines
    english = lines[lines.index("Summary (English):") + 1 :]
    assert english[:2] == ["EN Dua kalimat. [!LR]", "EN Tiga kalimat."]
    assert lines[-3:] == legend_lines(["low-confidence", "repetition", "truncated-by-cap"])
    assert lines[-4] == ""


@pytest.mark.parametrize("every", [False, True])
def test_tables_mark_the_title_and_summary_lines(every: bool) -> None:
    table = _rendered("text", _summary_report(every=every), terminal=True, width=90)
    assert table.splitlines()[0].strip() == "EN Judul Berita [!C]"
    summary = table[: table.index("Translation")] if every else table
    row = next(line for line in summary.splitlines() if "EN Dua kalimat." in line)
    assert row.rstrip(" │").endswith("│ LR")  # the summary table's own ! column
    header = next(line for line in summary.splitlines() if "Indonesian" in line)
    assert header.rstrip(" ┃").endswith("┃ !")
    for line in legend_lines(["low-confidence", "repetition", "truncated-by-cap"]):
        assert line in table


@pytest.mark.parametrize("every", [False, True])
def test_markdown_marks_the_title_and_summary_lines(every: bool) -> None:
    markdown = _rendered("markdown", _summary_report(every=every))
    assert markdown.startswith("# EN Judul Berita `[!C]`\n")
    assert "- EN Dua kalimat. `[!LR]`  \n" in markdown and "- EN Tiga kalimat.  \n" in markdown
    for line in legend_lines(["low-confidence", "repetition", "truncated-by-cap"]):
        assert f"- `{line}`" in markdown


@pytest.mark.parametrize("every", [False, True])
def test_html_marks_the_title_and_summary_lines_and_explains_them(every: bool) -> None:
    from translate_cli.render.html import page

    html = page(_summary_report(every=every))
    heading = html[html.index("<h1") : html.index("</h1>")]
    assert 'class="mark" title="truncated-by-cap' in heading and ">C</span>" in heading
    summary = html[html.index('<section class="summary">') : html.index("</section>")]
    assert ">LR</span>" in summary
    legend = html[html.index('<section class="legend">') :]
    assert all(flag in legend for flag in ("low-confidence", "repetition", "truncated-by-cap"))


def test_an_unflagged_summary_has_no_marks_and_no_legend() -> None:
    report = _summary_report(every=False)
    clean = Report(
        tuple(TranslatedSentence(i.sentence, i.translation, i.score) for i in report.sentences),
        translated=True,
        model="m",
        title=report.title,
        summary=report.summary,
        target_lang="en",
    )
    for fmt, view in (("text", {}), ("text", {"terminal": True}), ("markdown", {})):
        shown = _rendered(fmt, clean, **view)
        assert "[!" not in shown and "low-confidence" not in shown, fmt


CHECK_FLAGS = ("glossary-missed", "name-changed", "number-mismatch", "kept-english")


def _checked_report() -> Report:
    """Each check's flag on a sentence of its own (0-3), one naming its number in ``details``."""
    items = tuple(
        TranslatedSentence(
            s,
            f"EN {s.text}",
            -0.5,
            (CHECK_FLAGS[s.index],),
            details={"number-mismatch": ("2,5",)} if s.index == 2 else {},
        )
        for s in DOCUMENT.sentences
    )
    return Report(sentences=items, translated=True, model="m", target_lang="en")


def test_the_check_flags_have_marks_and_legend_lines_in_every_format() -> None:
    from translate_cli.render.html import page

    report = _checked_report()
    letters = {"glossary-missed": "G", "name-changed": "N", "number-mismatch": "M"}
    letters["kept-english"] = "E"
    text = _rendered("text", report)
    markdown = _rendered("markdown", report)
    table = _rendered("text", report, terminal=True, width=90)
    html = page(report)
    for flag, letter in letters.items():
        assert mark((flag,)) == f"[!{letter}]"
        assert f"[!{letter}]" in text and f"| {letter} |" in markdown
        assert legend_lines([flag])[0] in text.splitlines()
        assert f"- `{legend_lines([flag])[0]}`" in markdown
        assert legend_lines([flag])[0] in table
        assert f'title="{flag}' in html and f">{letter}</span>" in html


def test_json_names_what_a_flag_names_in_details_only_when_there_is_some() -> None:
    data = json.loads(_rendered("json", _checked_report()))
    assert [s["flags"] for s in data["sentences"]] == [[f] for f in CHECK_FLAGS]
    assert data["sentences"][2]["details"] == {"number-mismatch": ["2,5"]}
    assert ["details" in s for s in data["sentences"]] == [False, False, True, False]
