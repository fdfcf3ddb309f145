"""Article extraction from Indonesian news pages: ours vs trafilatura alone vs readability-lxml.

Pages are built at run time from IndoSum dev articles (``summarization/indosum-dev.jsonl``,
never copied into the repository) in the six layouts of ``tests/web_pages.py`` (kompas, detik,
tribun, CNN Indonesia, antara in windows-1252 — every other one without a ``<meta>`` charset —
and an old table layout), each with its navigation, ticker, bylines, captions, "Baca juga"
links, advertisement blocks, related news, comments, footer and JSON-LD. The headline is made
from the article's URL slug. Articles whose own text already holds web leftovers ("Baca juga"
lines, editor initials, source credits, a site's self-description) are skipped, so the
truth is the article alone.

Scores, for the body (the article's paragraphs) of each page, averaged over pages:
recall and precision of article words (multisets of lowercased word tokens), boilerplate leaks
(boilerplate texts of two words or more that come out whole, and are not article text), pages
with mis-decoded text (U+FFFD or UTF-8-as-cp1252 mojibake), and "title": the extractor's
headline equals the page's (for ours: the document's first paragraph).

Usage (from the repository root)::

    .venv/bin/python benchmarks/extraction.py [--data PATH/indosum-dev.jsonl] [--pages 120]
        [--skip 200] [--only ours,trafilatura,readability] [--by-layout] [--held-out]

``--skip`` leaves out the first articles of the file (the ones looked at while writing the
boilerplate patterns), so the default run is on held-out articles. readability-lxml is in the
``bench`` extra; a peer that is not installed is skipped.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.web.pages import HELD_OUT, LAYOUTS, Page, build_page, title_from_url  # noqa: E402
from translate_cli.web import article_from_bytes, decode_page  # noqa: E402

DEFAULT_DATA = REPO / ".." / "shared" / "data" / "summarization" / "indosum-dev.jsonl"
_WORD = re.compile(r"\w+")
# Leftovers of the original scrape inside some IndoSum texts: such articles are skipped.
_SCRAPED = re.compile(
    r"(?i)\b(?:baca|simak|lihat)\s+juga\b|^\s*[\[(]\s*[a-z]{2,4}\s*(?:/\s*[a-z]{2,4}\s*)?[\])]"
    r"|\bcopyright\b|©|\bfoto\s*:|^\s*(?:sumber|reporter|editor|penulis)\s*:|\badalah\s+portal\b"
    r"|\(\s*[\w.]+\s*/\s*[\w.]+\s*\)\s*$"
)
_MOJIBAKE = re.compile("\ufffd|â€|Ã[\x80-\xbf]|Â")


@dataclass(frozen=True)
class Extracted:
    title: str | None
    body: str


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def ours(page: Page) -> Extracted:
    article = article_from_bytes(page.data)
    first = article.text.split("\n\n", 1)[0] if article.title else None
    return Extracted(first, "\n".join(article.paragraphs))


def trafilatura_alone(page: Page) -> Extracted:
    import trafilatura

    html, _ = decode_page(page.data)
    document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if document is None:
        return Extracted(None, "")
    return Extracted(getattr(document, "title", None), getattr(document, "text", None) or "")


def readability(page: Page) -> Extracted:
    import lxml.html
    from readability import Document

    html, _ = decode_page(page.data)
    document = Document(html)
    summary = lxml.html.fromstring(document.summary(html_partial=True))
    for br in summary.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return Extracted(document.short_title(), summary.text_content())


EXTRACTORS: dict[str, Callable[[Page], Extracted]] = {
    "ours": ours,
    "trafilatura": trafilatura_alone,
    "readability": readability,
}


def load_pages(path: Path, count: int, skip: int, layouts: list[str]) -> list[Page]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number < skip:
                continue
            record = json.loads(line)
            paragraphs = [" ".join(p).strip() for p in record["paragraphs"] if p]
            title = title_from_url(record.get("source_url") or "")
            if len(paragraphs) < 3 or len(title.split()) < 4:
                continue
            if any(_SCRAPED.search(p) for p in paragraphs):
                continue
            records.append((title, paragraphs))
            if len(records) == count:
                break
    titles = [title for title, _ in records]
    pages = []
    names = layouts
    for index, (title, paragraphs) in enumerate(records):
        layout = names[index % len(names)]
        related = [t for t in titles[index + 1 : index + 9] if t != title] or titles[:8]
        pages.append(
            build_page(
                layout,
                title,
                paragraphs,
                related=related,
                seed=index,
                meta_charset=not (layout == "antara" and (index // len(names)) % 2),
            )
        )
    return pages


@dataclass
class Score:
    pages: int = 0
    recall: float = 0.0
    precision: float = 0.0
    leaks: int = 0
    titles: int = 0
    misdecoded: int = 0
    failures: int = 0
    seconds: float = 0.0

    def add(self, page: Page, result: Extracted | None) -> None:
        self.pages += 1
        if result is None:
            self.failures += 1
            return
        truth = Counter(words("\n".join(page.paragraphs)))
        got = Counter(words(result.body))
        common = sum((truth & got).values())
        self.recall += common / max(1, sum(truth.values()))
        self.precision += common / max(1, sum(got.values()))
        body = " ".join(words(result.body))
        article = " ".join(words(page.title + " " + " ".join(page.paragraphs)))
        for text in set(page.boilerplate):
            key = " ".join(words(text))
            if len(key.split()) >= 2 and key in body and key not in article:
                self.leaks += 1
        if result.title and " ".join(words(result.title)) == " ".join(words(page.title)):
            self.titles += 1
        if _MOJIBAKE.search(result.body + (result.title or "")):
            self.misdecoded += 1

    def row(self, name: str) -> str:
        n = max(1, self.pages)
        recall, precision = self.recall / n, self.precision / n
        f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
        return (
            f"| {name} | {self.pages} | {recall:.3f} | {precision:.3f} | {f1:.3f} | "
            f"{self.leaks} | {self.titles / n:.0%} | {self.misdecoded} | {self.failures} | "
            f"{self.seconds:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--pages", type=int, default=120)
    parser.add_argument("--skip", type=int, default=200)
    parser.add_argument("--only", default=",".join(EXTRACTORS))
    parser.add_argument("--by-layout", action="store_true")
    parser.add_argument(
        "--held-out",
        action="store_true",
        help=f"the layouts written after the patterns ({', '.join(HELD_OUT)}) instead",
    )
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"no data at {args.data} (pass --data)")
    names = list(HELD_OUT if args.held_out else LAYOUTS)
    pages = load_pages(args.data, args.pages, args.skip, names)
    print(f"{len(pages)} pages, {len(pages) // len(names)}+ per layout ({', '.join(names)})")
    print(
        "| extractor | pages | recall | precision | F1 | leaks | title | mis-decoded "
        "| failed | seconds |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.only.split(","):
        extractor = EXTRACTORS[name]
        total = Score()
        layouts: dict[str, Score] = {}
        try:
            extractor(pages[0])
        except ImportError as error:
            print(f"| {name} | skipped: {error} |")
            continue
        for page in pages:
            start = time.perf_counter()
            try:
                result: Extracted | None = extractor(page)
            except Exception:  # a page an extractor cannot read counts as a failure
                result = None
            elapsed = time.perf_counter() - start
            for score in (total, layouts.setdefault(page.layout, Score())):
                score.add(page, result)
                score.seconds += elapsed
        print(total.row(name))
        if args.by_layout:
            for layout, score in layouts.items():
                print(score.row(f"{name} / {layout}"))


if __name__ == "__main__":
    main()
