"""``html``: a self-contained bilingual reading page (one file; inline CSS and JS).

The page holds the title and ``meta`` when present, the summary in both languages, then the
article paragraph by paragraph, each Indonesian sentence beside its English. Every sentence
element carries ``data-index`` (its sentence index) and ``lang="id"``/``lang="en"``; hovering
or focusing one highlights its pair (CSS alone does the row, a few lines of inline script the
summary lines that quote it). A flagged sentence gets a mark in its row (never inside its
translation) with the reason on hover and in a legend; the title and summary lines show the mark
of the sentence they quote. Every text wraps, however long its words, and a page without English
gives its one column the whole width.

Safe by construction: every piece of article text goes through ``html.escape`` (quotes too),
the script is a constant that never reads article text as markup, a Content-Security-Policy
forbids every network fetch (``default-src 'none'``), and nothing links out: a ``meta`` URL is
shown as text. The page works from ``file://`` and prints (a print stylesheet) and stacks the
two columns on a narrow screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from translate_cli.engines.quality import FLAG_HELP
from translate_cli.render import View, WholeDocument, Writer
from translate_cli.render.marks import legend_flags, letters
from translate_cli.render.readable import one_line, readable
from translate_cli.report import Report, SummaryItem, TranslatedSentence, paragraphs

# No network: default-src 'none' blocks fetches, images, fonts, frames and connections; only the
# page's own inline style and script run.
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)

_CSS = """
:root { --ink: #1d232a; --muted: #5b6570; --rule: #d9dee3; --hl: #fff1a8; --flag: #b3261e;
  --bg: #ffffff; --pane: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; color: var(--ink); background: var(--bg);
  font: 1.05rem/1.6 Georgia, "Noto Serif", serif; overflow-wrap: anywhere; }
header h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .3rem; }
header .source-title { color: var(--muted); font-style: italic; margin: 0 0 1rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0 0 1rem;
  font: .9rem/1.5 system-ui, sans-serif; color: var(--muted); }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; overflow-wrap: anywhere; }
h2 { font: 600 1rem/1.3 system-ui, sans-serif; text-transform: uppercase; letter-spacing: .06em;
  color: var(--muted); border-bottom: 1px solid var(--rule); padding-bottom: .3rem;
  margin-top: 2rem; }
.columns, .pair { display: grid; grid-template-columns: 1fr 1fr 1.6rem; gap: 0 1.5rem; }
.one-column .pair { grid-template-columns: 1fr; }
.columns { font: 600 .8rem/1.2 system-ui, sans-serif; color: var(--muted); margin-bottom: .4rem; }
.para { margin: 0 0 1.1rem; padding-bottom: .6rem; border-bottom: 1px dashed var(--rule); }
.s { padding: .1rem .3rem; border-radius: .25rem; outline: none; overflow-wrap: anywhere; }
.s[lang="id"] { color: var(--muted); }
.pair:hover .s, .s:focus, .s.hl, .summary li.hl { background: var(--hl); }
.s:focus-visible { box-shadow: 0 0 0 2px #1a73e8; }
.mark { font: 700 .75rem/1.6 system-ui, sans-serif; color: var(--flag); cursor: help;
  text-align: center; }
.pair.flagged .s[lang="en"] { text-decoration: underline dotted var(--flag); }
.summary ul { padding-left: 1.2rem; } .summary li { margin-bottom: .6rem; border-radius: .25rem; }
.summary .id { color: var(--muted); font-style: italic; display: block; }
.legend { font: .9rem/1.5 system-ui, sans-serif; background: var(--pane); padding: .6rem 1rem;
  border-radius: .4rem; margin-top: 1.5rem; }
.legend dt { font-weight: 700; color: var(--flag); float: left; width: 1.6rem; }
.legend dd { margin: 0 0 .2rem 1.6rem; }
footer { margin-top: 2rem; color: var(--muted); font: .85rem system-ui, sans-serif; }
@media (max-width: 40rem) {
  body { padding: .8rem; font-size: 1rem; }
  .columns { display: none; }
  .pair { grid-template-columns: 1fr; gap: 0; margin-bottom: .5rem; }
  .s[lang="id"] { font-size: .92rem; }
  .mark { text-align: left; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .pair:hover .s, .s.hl, .summary li.hl, .s:focus { background: none; box-shadow: none; }
  .para, .pair, .summary li { break-inside: avoid; }
  .legend { background: none; border: 1px solid #999; }
}
"""

# Hover or focus on a sentence highlights every element of the same sentence: its pair and the
# summary lines that quote it. Reads only attributes (numbers), never inserts markup.
_JS = """
(function () {
  function key(el) {
    var hit = el && el.closest ? el.closest('[data-index],[data-sentence]') : null;
    if (!hit) { return null; }
    return hit.getAttribute('data-index') || hit.getAttribute('data-sentence');
  }
  function mark(index, on) {
    if (index === null) { return; }
    var sel = '[data-index="' + index + '"],[data-sentence="' + index + '"]';
    document.querySelectorAll(sel).forEach(function (el) { el.classList.toggle('hl', on); });
  }
  ['mouseover', 'focusin'].forEach(function (type) {
    document.addEventListener(type, function (e) { mark(key(e.target), true); });
  });
  ['mouseout', 'focusout'].forEach(function (type) {
    document.addEventListener(type, function (e) { mark(key(e.target), false); });
  });
})();
"""

_META_ORDER = ("title", "site", "author", "date", "url")


def _e(text: Any) -> str:
    return escape(str(text), quote=True)


class HtmlRenderer(WholeDocument):
    def write(self, out: Writer, report: Report, view: View) -> None:
        out.write(page(report, header=view.header))
        out.flush()


def page(report: Report, *, header: str | None = None) -> str:
    """The whole HTML document for ``report``."""
    report = readable(report)
    header = None if header is None else one_line(header)
    english = report.translated and any(s.translation is not None for s in report.sentences)
    flagged = {s.sentence.index: s for s in report.sentences if s.flags}
    title_text = _page_title(report, header)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(title_text)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        _header(report, header, flagged),
    ]
    if report.summary is not None:
        parts.append(_summary(report.summary, flagged))
    shown = report.summary is None or report.every_sentence_translated or not english
    if shown and report.sentences:
        parts.append(_article(report.sentences, english=english, heading=report.summary))
    flags = legend_flags(report, sentences=shown and english)
    if flags:
        parts.append(_legend(flags))
    if report.model and report.translated:
        parts.append(f"<footer>Translated with {_e(report.model)}.</footer>")
    parts += [f"<script>{_JS}</script>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _page_title(report: Report, header: str | None) -> str:
    if report.title is not None:
        return report.title.translation or report.title.source
    if report.meta and report.meta.get("title"):
        return str(report.meta["title"])
    return header or "translate-cli"


def _header(report: Report, header: str | None, flagged: dict[int, TranslatedSentence]) -> str:
    lines = ["<header>"]
    if report.title is not None:
        main = report.title.translation or report.title.source
        lang = "en" if report.title.translation else "id"
        mark = _quoted_mark(report.title, flagged)
        lines.append(f'<h1 lang="{lang}">{_e(main)}{mark}</h1>')
        if report.title.translation:
            lines.append(f'<p class="source-title" lang="id">{_e(report.title.source)}</p>')
    elif header is not None:
        lines.append(f"<h1>{_e(header)}</h1>")
    if report.meta:
        lines.append(_meta(report.meta))
    lines.append("</header>")
    return "\n".join(lines)


def _meta(meta: dict[str, Any]) -> str:
    keys = [k for k in _META_ORDER if meta.get(k)] + sorted(
        k for k in meta if k not in _META_ORDER and meta.get(k) is not None
    )
    # Shown as text, never as a link: the page makes no request and sends no one anywhere.
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(meta[k])}</dd>" for k in keys)
    return f'<dl class="meta">{rows}</dl>'


def _summary(summary: Sequence[SummaryItem], flagged: dict[int, TranslatedSentence]) -> str:
    """The summary; a line quoting a flagged sentence carries that sentence's mark."""
    lines = ['<section class="summary">', "<h2>Summary</h2>", "<ul>"]
    for item in summary:
        link = f' data-sentence="{item.index}"' if item.index is not None else ""
        english = f'<span class="en" lang="en">{_e(item.translation)}</span>'
        source = f'<span class="id" lang="id">{_e(item.source)}</span>'
        mark = _quoted_mark(item, flagged)
        lines.append(f"<li{link}>{english + mark if item.translation else ''}{source}</li>")
    lines += ["</ul>", "</section>"]
    return "\n".join(lines)


def _quoted_mark(item: SummaryItem, flagged: dict[int, TranslatedSentence]) -> str:
    """The mark of the flagged sentence a summary line (or the title) quotes, beside its
    translation (``marks.summary_flags``)."""
    quoted = flagged.get(item.index) if item.index is not None else None
    if quoted is None or not item.translation:
        return ""
    return f' <span class="mark"{_reason(quoted)}>{_e(letters(quoted.flags))}</span>'


def _article(sentences: Iterable[TranslatedSentence], *, english: bool, heading: object) -> str:
    layout = "article" if english else "article one-column"
    lines = [f'<main class="{layout}">']
    if heading is not None:
        lines.append("<h2>Article</h2>")
    if english:
        lines.append(
            '<div class="columns" aria-hidden="true"><span>Indonesian</span>'
            "<span>English</span><span></span></div>"
        )
    for paragraph in paragraphs(sentences):
        lines.append(f'<div class="para" data-paragraph="{paragraph[0].sentence.paragraph}">')
        lines += [_pair(item, english) for item in paragraph]
        lines.append("</div>")
    lines.append("</main>")
    return "\n".join(lines)


def _pair(item: TranslatedSentence, english: bool) -> str:
    index = item.sentence.index
    cells = [
        f'<span class="s" lang="id" data-index="{index}" tabindex="0">'
        f"{_e(item.sentence.text)}</span>"
    ]
    if english:
        cells.append(
            f'<span class="s" lang="en" data-index="{index}" tabindex="0"{_reason(item)}>'
            f"{_e(item.translation or '')}</span>"
        )
        if item.flags:
            cells.append(f'<span class="mark"{_reason(item)}>{_e(letters(item.flags))}</span>')
        else:
            cells.append('<span class="mark"></span>')
    flagged = " flagged" if item.flags else ""
    flags = f' data-flags="{_e(" ".join(item.flags))}"' if item.flags else ""
    return f'<div class="pair{flagged}"{flags}>{"".join(cells)}</div>'


def _reason(item: TranslatedSentence) -> str:
    """A ``title`` (shown on hover) naming the flags and the score."""
    if not item.flags:
        return ""
    reasons = "; ".join(f"{flag}: {FLAG_HELP.get(flag, '')}" for flag in item.flags)
    if item.score is not None:
        reasons += f" (score {item.score:.2f})"
    return f' title="{_e(reasons)}"'


def _legend(flags: Sequence[str]) -> str:
    rows = "".join(
        f"<dt>{_e(letters([flag]))}</dt>"
        f"<dd><strong>{_e(flag)}</strong>: {_e(FLAG_HELP.get(flag, ''))}</dd>"
        for flag in flags
    )
    return f'<section class="legend"><h2>Marks</h2><dl>{rows}</dl></section>'


HTML = HtmlRenderer()

# The reading page's look, for other one-page documents (the briefing: translate_cli.brief).
STYLE = _CSS
CSP = _CSP
