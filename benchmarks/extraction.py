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

Real pages, scored beside trafilatura alone in the same run (the data is public, not part of
this repository: docs/benchmarks.md says where to get it)::

    .venv/bin/python benchmarks/extraction.py --scrapinghub DIR
    .venv/bin/python benchmarks/extraction.py --trafilatura-eval DIR

``--scrapinghub``: a checkout of github.com/scrapinghub/article-extraction-benchmark (181 news
pages, mostly English; ``html/*.html.gz`` and ``ground-truth.json``), scored as its
``evaluate.py`` does: 4-gram shingles of word tokens against the gold article body, precision
and recall averaged over pages. ``--trafilatura-eval``: the ``tests/`` folder of
github.com/adbar/trafilatura (``evaldata.json``, ``eval/``, ``cache/``: 990 pages), scored as
its ``evaluate.py`` does: text snippets that must ("with") and must not ("without") appear in
the output, counted over all pages. Rows: ``ours`` is the body ``extract`` prints (paragraphs),
``ours+title`` the whole ``extract`` output (headline first), ``trafilatura`` the library with
the settings each benchmark's own runner uses.

``--prose DIR`` counts, for every boilerplate rule, the lines of clean prose it matches in the
parallel test sets of ``DIR`` (``*.id``, ``*.en``: FLORES, NTREX, TICO-19, …): each is a line
the extractor would drop from an article.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
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


# --- real pages with gold text ---------------------------------------------------------------
RealPage = tuple[str, bytes, object]  # name, bytes, the benchmark's truth for the page


def _ours_body(data: bytes) -> str:
    return "\n".join(article_from_bytes(data).paragraphs)


def _ours_text(data: bytes) -> str:
    return article_from_bytes(data).text


def scrapinghub_pages(folder: Path) -> Iterator[RealPage]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for key, item in sorted(truth.items()):
        yield key, gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()), item


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _WORD.findall(text)  # as its evaluate.py: \w+, case kept, 4-grams
    return Counter(tuple(tokens[i : i + 4]) for i in range(max(1, len(tokens) - 3)))


def scrapinghub_counts(truth: object, result: str | None) -> tuple[float, float, float]:
    """(tp, fp, fn) over shingles, normalised so that every page weighs the same."""
    gold = _shingles(truth["articleBody"] if isinstance(truth, dict) else "")
    got = _shingles(result or "")
    tp = sum((gold & got).values())
    fp, fn = sum((got - gold).values()), sum((gold - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def scrapinghub_scores(counts: Sequence[tuple[float, ...]]) -> tuple[float, float, float]:
    def mean_of(values: list[float]) -> float:
        return sum(values) / max(1, len(values))

    def score(tp: float, fp: float, fn: float, other: float) -> float:
        if fp == fn == 0:
            return 1.0
        return 0.0 if tp == other == 0 else tp / (tp + other)

    precision = mean_of([score(tp, fp, fn, fp) for tp, fp, fn in counts if tp + fp > 0])
    recall = mean_of([score(tp, fp, fn, fn) for tp, fp, fn in counts if tp + fn > 0])
    return precision, recall, 2 * precision * recall / (precision + recall)


def trafilatura_eval_pages(folder: Path) -> Iterator[RealPage]:
    evaldata = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    for url, item in sorted(evaldata.items()):
        for sub in ("cache", "eval"):
            path = folder / sub / item["file"]
            if path.is_file():
                yield url, path.read_bytes(), item
                break


def _norm(text: str) -> str:
    return " ".join(text.split())


def snippet_counts(item: object, result: str | None) -> tuple[float, float, float]:
    """(tp, fp, fn) of the "with" and "without" snippets, as trafilatura's eval_common."""
    assert isinstance(item, dict)
    text = _norm(result or "")
    tp = sum(1 for snippet in item["with"] if _norm(snippet) in text)
    fp = sum(1 for snippet in item["without"] if _norm(snippet) in text)
    return tp, fp, len(item["with"]) - tp


def snippet_scores(counts: Sequence[tuple[float, ...]]) -> tuple[float, float, float]:
    tp, fp, fn = (sum(column) for column in zip(*counts, strict=True))
    return tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)


def _trafilatura_scrapinghub(data: bytes) -> str | None:
    import trafilatura

    return trafilatura.extract(data.decode("utf-8"), include_comments=False)


def _trafilatura_eval(data: bytes) -> str | None:
    import trafilatura

    return trafilatura.extract(
        data, fast=False, include_comments=False, include_tables=True, include_formatting=False
    )


REAL_SETS = {
    "scrapinghub": (scrapinghub_pages, scrapinghub_counts, scrapinghub_scores,
                    _trafilatura_scrapinghub),
    "trafilatura_eval": (trafilatura_eval_pages, snippet_counts, snippet_scores,
                         _trafilatura_eval),
}  # fmt: skip


def run_real(name: str, folder: Path) -> None:
    pages_of, count, scores, trafilatura_run = REAL_SETS[name]
    pages = list(pages_of(folder))
    runners: dict[str, Callable[[bytes], str | None]] = {
        "ours": _ours_body,
        "ours+title": _ours_text,
        "trafilatura": trafilatura_run,
    }
    print(f"{name}: {len(pages)} pages from {folder}")
    print("| extractor | precision | recall | F1 | failed | seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, run in runners.items():
        counts, failed, seconds = [], 0, 0.0
        for _, data, truth in pages:
            start = time.perf_counter()
            try:
                result = run(data)
            except Exception:  # a page an extractor cannot read counts as a full miss
                result, failed = None, failed + 1
            seconds += time.perf_counter() - start
            counts.append(count(truth, result))
        precision, recall, f1 = scores(counts)
        print(f"| {label} | {precision:.4f} | {recall:.4f} | {f1:.4f} | {failed} | {seconds:.1f} |")


def run_prose(folder: Path) -> None:
    """Lines of clean prose each boilerplate rule matches (each a line dropped from a page)."""
    from translate_cli.resources import sections

    lines = [
        " ".join(line.split())
        for path in sorted([*folder.glob("*.id"), *folder.glob("*.en")])
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    from translate_cli.web.extract import is_boilerplate_line

    dropped = sum(1 for line in lines if is_boilerplate_line(line))
    print(f"{len(lines)} lines of prose from {folder}; the extractor's line test drops {dropped}")
    print("| file [section] | rule | lines matched |")
    print("|---|---|---:|")
    for name in ("news_boilerplate.txt", "boilerplate.txt"):
        for section, patterns in sections("translate_cli.web", name).items():
            for pattern in patterns:
                rule = re.compile(pattern)
                hits = [line for line in lines if rule.match(line)]
                if hits:
                    print(f"| {name} [{section}] | `{pattern[:60]}…` | {len(hits)} |")
                    for hit in hits[:3]:
                        print(f"|  |  e.g. {hit[:90]} | |")


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
    parser.add_argument(
        "--scrapinghub",
        type=Path,
        metavar="DIR",
        help="score real pages: a checkout of article-extraction-benchmark",
    )
    parser.add_argument(
        "--trafilatura-eval",
        type=Path,
        metavar="DIR",
        help="score real pages: trafilatura's tests/ folder (evaldata.json)",
    )
    parser.add_argument(
        "--prose",
        type=Path,
        metavar="DIR",
        help="count the prose lines of DIR/*.id, *.en each rule matches",
    )
    args = parser.parse_args()
    real = {"scrapinghub": args.scrapinghub, "trafilatura_eval": args.trafilatura_eval}
    if any(real.values()) or args.prose:
        for name, folder in real.items():
            if folder:
                run_real(name, folder)
        if args.prose:
            run_prose(args.prose)
        return
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
