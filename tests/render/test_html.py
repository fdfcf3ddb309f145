"""The HTML reading page: its markup (always) and its behaviour in headless Chromium.

The browser tests drive Debian's /usr/bin/chromium (or $CHROMIUM) through Playwright without
downloading a browser. Where Chromium or Playwright is missing, or the browser cannot start,
they are skipped with a reason that says so; ``make test`` installs both where it can.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ARTICLE, invoke
from translate_cli.render import FORMATS, View
from translate_cli.render.html import page
from translate_cli.report import Report, SummaryItem, TranslatedSentence
from translate_cli.segment import segment

INJECTION = (
    "Warga menulis <script>window.pwned = 1; document.title = 'PWNED'</script> di spanduk. "
    'Foto <img src="http://127.0.0.1:9/x.png" onerror="window.pwned = 2"> beredar luas. '
    'Tautan <a href="javascript:window.pwned=3">klik</a> dan </span></div><b>tebal</b>.'
)
ARTICLE_WITH_INJECTION = ARTICLE.rstrip("\n") + "\n\n" + INJECTION + "\n"


def _report(text: str, *, flags: bool = True, meta: dict[str, Any] | None = None) -> Report:
    document = segment(text)
    items = tuple(
        TranslatedSentence(
            s,
            f"EN {s.text}",
            -0.25 - s.index,
            ("low-confidence", "split") if flags and s.index % 3 == 1 else (),
        )
        for s in document.sentences
    )
    return Report(
        sentences=items,
        translated=True,
        model="m",
        title=SummaryItem(0, document.sentences[0].text, "EN title"),
        summary=(SummaryItem(1, document.sentences[1].text, "EN pick"),),
        target_lang="en",
        meta=meta,
    )


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.tags


# --- the markup ---------------------------------------------------------------------------------
def test_every_sentence_is_an_aligned_pair_with_languages() -> None:
    report = _report(ARTICLE)
    html = page(report)
    tags = _elements(html)
    for sentence in report.sentences:
        langs = sorted(
            str(a.get("lang"))
            for _, a in tags
            if a.get("data-index") == str(sentence.sentence.index)
        )
        assert langs == ["en", "id"], sentence.sentence.index
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html


def test_article_text_is_escaped_and_nothing_refers_to_the_network() -> None:
    html = page(_report(ARTICLE_WITH_INJECTION, meta={"url": "https://example.org/a", "site": "X"}))
    tags = _elements(html)
    assert [t for t, _ in tags].count("script") == 1  # ours only
    assert not any(t in ("img", "a", "b", "iframe", "link") for t, _ in tags)
    assert not any(k.startswith("on") for _, attrs in tags for k in attrs)
    assert "&lt;script&gt;window.pwned" in html and "onerror=&quot;" in html
    # The page's own markup names no URL; the article's URL is text, not a link.
    outside_text = re.sub(r">[^<]*<", "><", html)
    assert not re.search(r"(https?:|//[a-z0-9]|src=|href=|url\()", outside_text, re.I)
    assert "default-src &#x27;none&#x27;" in html or "default-src 'none'" in html


def test_flags_get_a_mark_and_a_legend_but_stay_out_of_the_translation() -> None:
    html = page(_report(ARTICLE))
    assert '<section class="legend">' in html and "low-confidence" in html
    tags = _elements(html)
    marks = [a for t, a in tags if a.get("class") == "mark" and a.get("title")]
    assert marks and all("low-confidence" in str(a["title"]) for a in marks)
    summary = html[html.index('<section class="summary">') : html.index("</section>")]
    assert 'class="mark" title="low-confidence' in summary  # the pick quotes sentence 1
    clean = page(_report(ARTICLE, flags=False))
    assert '<section class="legend">' not in clean and 'class="mark" title' not in clean


def test_meta_title_summary_and_sentences_only() -> None:
    html = page(_report(ARTICLE, meta={"author": "Ana <b>", "date": "2024-03-04"}))
    assert "Ana &lt;b&gt;" in html and "2024-03-04" in html and "EN pick" in html
    assert '<h1 lang="en">EN title</h1>' in html
    sentences_only = Report(tuple(TranslatedSentence(s, None) for s in segment(ARTICLE).sentences))
    out = io.StringIO()
    FORMATS.get("html").write(out, sentences_only, View())  # type: ignore[arg-type]
    assert 'lang="en" data-index' not in out.getvalue()
    assert out.getvalue().count('lang="id" data-index') == len(sentences_only.sentences)


def test_cli_writes_a_page_for_run_translate_and_summarize(fake_engine: None) -> None:
    for command in ("run", "translate", "summarize"):
        result = invoke(command, "-", "-f", "html", input=ARTICLE_WITH_INJECTION)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("<!DOCTYPE html>")
        assert "<script>window" not in result.stdout
    segmented = invoke("segment", "-", "-f", "html", input=ARTICLE)
    assert segmented.exit_code == 0 and 'lang="id" data-index="0"' in segmented.stdout


LONG_TOKEN = "https://example.org/" + "x" * 300


def _long_token_page(folder: Path) -> Path:
    """A page whose summary, title and article hold a 300-character unbroken token."""
    report = _report(ARTICLE)
    long_title = replace(report.title, translation=f"EN {LONG_TOKEN}") if report.title else None
    pick = SummaryItem(1, f"Sumber {LONG_TOKEN}", f"EN pick {LONG_TOKEN}")
    path = folder / "long.html"
    meta = {"url": LONG_TOKEN, "site": "S"}
    path.write_text(
        page(replace(report, title=long_title, summary=(pick,), meta=meta)), encoding="utf-8"
    )
    return path


def _segment_only_page(folder: Path) -> Path:
    sentences = Report(tuple(TranslatedSentence(s, None) for s in segment(ARTICLE).sentences))
    path = folder / "segment.html"
    path.write_text(page(sentences), encoding="utf-8")
    return path


def test_every_text_wraps_and_a_page_without_english_has_one_column(tmp_path: Path) -> None:
    css = page(_report(ARTICLE))
    body_rule = re.search(r"\nbody \{([^}]*)\}", css)
    assert body_rule and "overflow-wrap: anywhere" in body_rule.group(1)  # inherited by all
    assert ".one-column .pair { grid-template-columns: 1fr; }" in css
    assert '<main class="article">' in css
    segmented = _segment_only_page(tmp_path).read_text(encoding="utf-8")
    assert '<main class="article one-column">' in segmented


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSLATE_CLI_ENGINE", "fake")


# --- in a real browser --------------------------------------------------------------------------
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "chromium"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        pytest.skip(
            "Chromium is not installed (apt-get install chromium; make test does it as root)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[dev]')")
    manager = sync_playwright().start()
    try:
        launched = manager.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
    except Exception as error:  # any launch failure: no usable browser on this machine
        manager.stop()
        pytest.skip(f"Chromium could not start here: {str(error).splitlines()[0]}")
    yield launched
    launched.close()
    manager.stop()


@pytest.fixture(scope="module")
def article_page(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path) -> Path:
    """`run --format html` of the sample article with injected markup, on the tiny model."""
    path = tmp_path_factory.mktemp("html") / "article.html"
    result = invoke(
        "run", "-", "-m", str(tiny_model), "--engine", "transformers", "--beam-size", "1",
        "-f", "html", "-o", str(path), input=ARTICLE_WITH_INJECTION,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return path


def _open(browser: Any, path: Path, **context: Any) -> tuple[Any, Any, list[str]]:
    page_context = browser.new_context(**context)
    tab = page_context.new_page()
    requests: list[str] = []
    tab.on("request", lambda request: requests.append(request.url))
    tab.goto(path.as_uri())
    return page_context, tab, requests


def test_browser_sees_one_aligned_pair_per_sentence(browser: Any, article_page: Path) -> None:
    context, tab, requests = _open(browser, article_page)
    count = len(segment(ARTICLE_WITH_INJECTION).sentences)
    pairs = tab.evaluate(
        """() => Array.from(document.querySelectorAll('[data-index][lang="id"]')).map(el => {
            const en = document.querySelectorAll(
                '[data-index="' + el.dataset.index + '"][lang="en"]');
            const a = el.getBoundingClientRect(), b = en[0].getBoundingClientRect();
            return [Number(el.dataset.index), en.length, b.left > a.right - 1,
                    Math.abs(a.top - b.top) < 2];
        })"""
    )
    assert [p[0] for p in pairs] == list(range(count))
    assert all(p[1] == 1 and p[2] and p[3] for p in pairs)  # beside it, on the same line
    # Nothing from the article ran, and nothing was fetched: the page is all there is.
    assert tab.evaluate("window.pwned") is None
    assert tab.title() != "PWNED"
    assert tab.evaluate("document.querySelectorAll('img, iframe, a, b').length") == 0
    assert tab.evaluate("document.scripts.length") == 1
    assert requests == [article_page.as_uri()]
    assert "<script>window.pwned" in tab.inner_text("main")  # shown as text
    context.close()


def test_hover_and_focus_highlight_the_pair(browser: Any, article_page: Path) -> None:
    context, tab, _ = _open(browser, article_page)
    english = tab.locator('[data-index="3"][lang="en"]')
    before = english.evaluate("el => getComputedStyle(el).backgroundColor")
    tab.hover('[data-index="3"][lang="id"]')
    assert "hl" in (english.get_attribute("class") or "").split()
    assert english.evaluate("el => getComputedStyle(el).backgroundColor") != before
    tab.mouse.move(0, 0)
    assert "hl" not in (english.get_attribute("class") or "").split()
    tab.focus('[data-index="5"][lang="en"]')
    source = tab.locator('[data-index="5"][lang="id"]')
    assert "hl" in (source.get_attribute("class") or "").split()
    # Summary lines that quote a sentence light up with it.
    quoted = tab.evaluate("document.querySelector('li[data-sentence]').dataset.sentence")
    tab.hover(f'[data-index="{quoted}"][lang="en"]')
    assert "hl" in (tab.get_attribute(f'li[data-sentence="{quoted}"]', "class") or "")
    context.close()


def test_flagged_sentences_show_their_reason(browser: Any, article_page: Path) -> None:
    context, tab, _ = _open(browser, article_page)
    marks = tab.evaluate(
        "Array.from(document.querySelectorAll('.pair.flagged .mark')).map(m => m.title)"
    )
    assert marks and all("low-confidence" in title for title in marks)  # random weights
    assert "low-confidence" in tab.inner_text(".legend")
    context.close()


def test_columns_stack_on_a_phone(browser: Any, article_page: Path) -> None:
    context, tab, _ = _open(browser, article_page, viewport={"width": 375, "height": 800})
    below, overflow = tab.evaluate(
        """() => {
            const a = document.querySelector('[data-index="2"][lang="id"]').getBoundingClientRect();
            const b = document.querySelector('[data-index="2"][lang="en"]').getBoundingClientRect();
            return [b.top >= a.bottom - 1,
                    document.documentElement.scrollWidth > window.innerWidth];
        }"""
    )
    assert below and not overflow
    context.close()


def _distinct_pixels(png: bytes) -> int:
    """Distinct RGB(A) pixel values in a PNG (8-bit, non-interlaced, as Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, header = 8, b"", b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        header = body if kind == b"IHDR" else header
        data += body if kind == b"IDAT" else b""
        pos += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and color in (2, 6)
    step = 3 if color == 2 else 4
    raw, stride = zlib.decompress(data), width * step
    rows: list[bytearray] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            left = line[x - step] if x >= step else 0
            up, corner = previous[x], (previous[x - step] if x >= step else 0)
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (
                    line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
                ) & 255
        rows.append(line)
        previous = line
    return len({bytes(row[x : x + 3]) for row in rows[::4] for x in range(0, stride, step * 4)})


def test_screenshot_shows_a_page_not_a_blank(
    browser: Any, article_page: Path, tmp_path: Path
) -> None:
    context, tab, _ = _open(browser, article_page, viewport={"width": 900, "height": 700})
    shot = tab.screenshot()
    (tmp_path / "page.png").write_bytes(shot)
    empty = tmp_path / "empty.html"
    empty.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    tab.goto(empty.as_uri())
    blank = tab.screenshot()
    context.close()
    assert _distinct_pixels(blank) <= 2  # the check below would fail on an empty page
    assert _distinct_pixels(shot) > 20


@pytest.mark.parametrize("width", [375, 1200])
def test_a_long_unbroken_token_wraps_instead_of_scrolling(
    browser: Any, tmp_path: Path, width: int
) -> None:
    context, tab, _ = _open(
        browser, _long_token_page(tmp_path), viewport={"width": width, "height": 800}
    )
    scroll, client = tab.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    summary_right = tab.evaluate(
        "document.querySelector('.summary li').getBoundingClientRect().right"
    )
    context.close()
    assert scroll <= client and summary_right <= client


def test_a_page_without_english_uses_the_whole_width(browser: Any, tmp_path: Path) -> None:
    context, tab, _ = _open(
        browser, _segment_only_page(tmp_path), viewport={"width": 1200, "height": 800}
    )
    sentence, article = tab.evaluate(
        """() => [document.querySelector('[data-index="1"]').getBoundingClientRect().width,
                  document.querySelector('main').getBoundingClientRect().width]"""
    )
    context.close()
    assert sentence >= 0.95 * article  # one column, not the left half of two
