"""HTML to an ``Article``: trafilatura for the body and metadata, then our Indonesian pass.

trafilatura finds the article body and its metadata (title, date, author, site; JSON-LD and
``<meta>`` included). Alone it keeps lines Indonesian news pages put inside the body: ``Baca
juga: …`` links, ``Foto: ANTARA/…`` credits, ``Penulis:``/``Editor:`` bylines, ``Laporan
Wartawan …``, ``ADVERTISEMENT / SCROLL TO CONTINUE`` and copyright lines. Our pass drops each
line that the summariser's boilerplate patterns (``summarize/data/boilerplate.txt``, one list
for both) or the web-page patterns (``web/data/boilerplate.txt``) match, and the headline when
it is repeated in the body. Old table layouts (the whole page in ``<td>`` cells) are first
turned into ``<div>``s, which trafilatura reads as blocks instead of one table row.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

from translate_cli.errors import InputError
from translate_cli.web.article import Article
from translate_cli.web.fetch import safe_url

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
# A layout table: a cell holding this much text, or paragraphs, is page structure, not data.
_LAYOUT_CELL_CHARS = 400
# A page whose body has no line this long holds menus and labels, not an article.
_MIN_PROSE_WORDS = 5


class NoArticleError(InputError):
    """A page from which no article text could be extracted (exit 4)."""


def _read_patterns(package: str, name: str, section: str | None) -> list[re.Pattern[str]]:
    """The patterns of one data file (of one ``[section]``, when the file has sections)."""
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    current = section is None
    patterns = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if re.fullmatch(r"\[\w+\]", line):
            current = line[1:-1] == section
            continue
        if current:
            patterns.append(re.compile(line))
    return patterns


@lru_cache(maxsize=1)
def boilerplate_patterns() -> tuple[re.Pattern[str], ...]:
    """The summariser's sentence patterns followed by the web-page ones."""
    shared = _read_patterns("translate_cli.summarize", "data/boilerplate.txt", "sentence")
    return tuple(shared + _read_patterns("translate_cli.web", "data/boilerplate.txt", None))


def is_boilerplate_line(line: str) -> bool:
    stripped = line.strip()
    return not stripped or any(p.match(stripped) for p in boilerplate_patterns())


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _unwrap_layout_tables(html: str) -> str:
    """The page with layout tables turned into ``<div>``s (data tables are kept)."""
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises ParserError / ValueError for empty or odd documents
        return html
    changed = False
    for table in tree.iter("table"):
        cells = table.findall(".//td")
        if any(
            len(cell.text_content()) > _LAYOUT_CELL_CHARS
            or cell.find(".//p") is not None
            or cell.find(".//br") is not None
            or cell.find(".//table") is not None
            for cell in cells
        ):
            for element in table.iter("table", "tbody", "thead", "tfoot", "tr", "td", "th"):
                element.tag = "div"
                for attribute in ("width", "valign", "colspan", "bgcolor"):
                    element.attrib.pop(attribute, None)
            changed = True
    # trafilatura is given text, not the tree: it reads <br> runs as paragraph breaks only
    # when it parses the page itself.
    return lxml.html.tostring(tree, encoding="unicode") if changed else html


def _clean_title(title: str | None, site: str | None) -> str | None:
    """The headline without the `` - Site`` / `` | Site`` suffix a ``<title>`` carries."""
    if not title:
        return None
    title = _SPACES.sub(" ", title).strip()
    for separator in (" - ", " | ", " – ", " — ", " :: "):
        head, found, tail = title.rpartition(separator)
        if (
            found
            and head
            and (
                (site and _norm(tail) in (_norm(site), _norm(site).replace(" ", "")))
                or re.search(r"\.(?:com|id|net|co)\b", tail.lower())
            )
        ):
            title = head.strip()
            break
    return title or None


def clean_paragraphs(lines: list[str], title: str | None) -> list[str]:
    """Body lines without boilerplate and without the headline repeated at the top."""
    kept = []
    title_key = _norm(title) if title else None
    for raw in lines:
        line = _SPACES.sub(" ", raw).strip()
        if len(line) > 1 and line[0] == "|" and line[-1] == "|":
            # A table row; a one-cell row (a "Baca juga" box, a layout cell) is its text.
            cells = [cell.strip() for cell in line[1:-1].split("|") if cell.strip()]
            line = cells[0] if len(cells) == 1 else line
        if not line or is_boilerplate_line(line):
            continue
        if title_key and _norm(line) == title_key:
            continue
        kept.append(line)
    return kept


def extract_article(html: str, url: str | None = None, *, name: str | None = None) -> Article:
    """The article in ``html`` (decoded text); ``url`` is where it came from, when known, and
    ``name`` what messages call the input (default: the URL).

    Raises ``NoArticleError`` (exit 4) when the page holds no article text.
    """
    import trafilatura

    shown = name or (safe_url(url) if url else "the page")
    page = _unwrap_layout_tables(html)
    options: dict[str, Any] = {
        "url": url,
        "with_metadata": True,
        "include_comments": False,
        "include_tables": True,
        "include_images": False,
        "include_links": False,
        "deduplicate": False,
    }
    document = trafilatura.bare_extraction(page, **options)
    if document is None or not (getattr(document, "text", None) or "").strip():
        # A short page falls under trafilatura's precision thresholds: ask for recall.
        document = trafilatura.bare_extraction(page, favor_recall=True, **options)
    if document is None:
        raise NoArticleError(f"{shown}: no article text found in the page")
    site = _field(document, "sitename")
    title = _clean_title(_field(document, "title"), site)
    body = getattr(document, "text", None) or ""
    paragraphs = clean_paragraphs(body.split("\n"), title)
    if not any(len(_WORD.findall(p)) >= _MIN_PROSE_WORDS for p in paragraphs):
        raise NoArticleError(f"{shown}: no article text found in the page")
    return Article(
        title=title,
        paragraphs=tuple(paragraphs),
        url=url or _field(document, "url"),
        date=_field(document, "date"),
        author=_field(document, "author"),
        site=site,
    )


def _field(document: Any, name: str) -> str | None:
    value = getattr(document, name, None)
    if isinstance(value, str) and value.strip():
        return _SPACES.sub(" ", value).strip()
    return None
