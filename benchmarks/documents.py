"""PDF reading speed and accuracy on generated PDFs: pypdfium2 vs pdfplumber, and ours end to end.

A 20-page PDF (letterhead, title, justified hyphenated paragraphs, running header and footer
with page numbers, a contact block) is built with reportlab from deterministic text, in one
column and in two. For each, the time per page of:

- ``pypdfium2 chars``: every character with its box and font size, what ``read_pdf`` reads;
- ``pdfplumber words``: ``extract_words`` with font sizes (pdfminer.six), the alternative;
- ``read_pdf``: ours end to end (characters, layout, paragraphs, title, boilerplate apart);

then how well ``read_pdf`` did: word recall against the source paragraphs, whether the
paragraphs equal the source's, and whether any header/footer text leaked into the body.
Best of ``--repeat`` runs. Not a timed test: figures for docs/documents.md.

Usage (from the repository root)::

    .venv/bin/python benchmarks/documents.py [--pages 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import logging
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.documents.builders import PdfSource, article_paragraphs, build_pdf  # noqa: E402
from translate_cli.documents.pdf import read_pdf  # noqa: E402


def pdfium_chars(data: bytes) -> int:
    import pypdfium2
    import pypdfium2.raw as pdfium_c

    document = pypdfium2.PdfDocument(data)
    count = 0
    for page in document:
        textpage = page.get_textpage()
        for index in range(textpage.count_chars()):
            pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
            textpage.get_charbox(index)
            pdfium_c.FPDFText_GetFontSize(textpage.raw, index)
            count += 1
    document.close()
    return count


def pdfplumber_words(data: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return sum(len(page.extract_words(extra_attrs=["size"])) for page in pdf.pages)


def best_seconds(function: Callable[[bytes], object], data: bytes, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(data)
        times.append(time.perf_counter() - start)
    return min(times)


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[\w-]+", text.lower()))


def source_of(pages: int, columns: int) -> PdfSource:
    """A press release long enough to fill ``pages`` pages."""
    per_page = 10  # more than fits; main() trims to the page count
    source = PdfSource(
        title="Pemerintah Percepat Pembangunan Infrastruktur Daerah Tertinggal",
        paragraphs=article_paragraphs(per_page * pages, seed=2024),
        letterhead=["KEMENTERIAN KOMUNIKASI DAN INFORMATIKA", "Jalan Medan Merdeka Barat 9"],
        contact=["Narahubung: Budi Santoso, Kepala Biro Humas", "Telepon 021-3452841"],
        header="Laporan Kinerja Pembangunan Daerah",
        footer="Halaman {page} dari {pages}",
        columns=columns,
    )
    return source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # read_pdf's notices about what it set apart
    print(
        f"{'layout':<12} {'pages':>5} {'pypdfium2 chars':>16} {'pdfplumber words':>17} "
        f"{'read_pdf':>9} {'recall':>7} {'paragraphs':>11} {'leaks':>6}"
    )
    for columns in (1, 2):
        source = source_of(args.pages, columns)
        data = build_pdf(source)
        while source.pages_hint > args.pages:  # trim to the asked page count
            source.paragraphs = source.paragraphs[:-1]
            data = build_pdf(source)
        pages = source.pages_hint
        pdfium = best_seconds(pdfium_chars, data, args.repeat) / pages
        plumber = best_seconds(pdfplumber_words, data, args.repeat) / pages
        ours = best_seconds(lambda d: read_pdf(d, name="bench.pdf"), data, args.repeat) / pages
        article = read_pdf(data, name="bench.pdf")
        got, want = words(" ".join(article.paragraphs)), words(" ".join(source.paragraphs))
        recall = sum((got & want).values()) / sum(want.values())
        same = sum(a == b for a, b in zip(article.paragraphs, source.paragraphs, strict=False))
        body = "\n".join(article.paragraphs)
        leaks = sum(
            running.format(page=page, pages=pages) in body
            for page in range(1, pages + 1)
            for running in (source.header or "", source.footer or "")
            if running
        )
        layout = "one column" if columns == 1 else "two columns"
        print(
            f"{layout:<12} {pages:>5} {pdfium * 1000:>13.1f} ms {plumber * 1000:>14.1f} ms "
            f"{ours * 1000:>6.1f} ms {recall:>7.3f} {same:>5}/{len(source.paragraphs):<5} "
            f"{leaks:>6}"
        )
    print("times are per page, best of", args.repeat)


if __name__ == "__main__":
    main()
