"""HTML to an ``Article``: trafilatura for the body and metadata, then our Indonesian pass.

trafilatura finds the article body and its metadata (title, date, author, site; JSON-LD and
``<meta>`` included). Alone it keeps lines Indonesian news pages put inside the body: ``Baca
juga: …`` links, ``Foto: ANTARA/…`` credits, ``Penulis:``/``Editor:`` bylines, ``Laporan
Wartawan …``, ``ADVERTISEMENT / SCROLL TO CONTINUE`` and copyright lines. Our pass drops each
line that the news boilerplate patterns (``web/data/news_boilerplate.txt``, shared with
the summariser) or the web-page patterns (``web/data/boilerplate.txt``) match, and the headline when
it is repeated in the body; every pattern is tested not to match prose. Before trafilatura
reads the page, old table layouts (the whole page in ``<td>`` cells) become ``<div>``s, which
trafilatura reads as blocks instead of one table row, and a block (one with no block inside)
whose every line is boilerplate is removed. The page is parsed so that nothing nested deeply
is lost (``web/tree.py``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from translate_cli.errors import InputError
from translate_cli.resources import sections
from translate_cli.web.article import Article
from translate_cli.web.fetch import safe_url
from translate_cli.web.tree import block_lines, flatten, parse, text_of

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
# A layout table: a cell holding this much text, or a table inside, is page structure, not
# data; so is a table with paragraphs or line breaks in its cells that holds most of the page.
_LAYOUT_CELL_CHARS = 400
_LAYOUT_SHARE = 0.5
# A page whose body has no line this long holds menus and labels, not an article.
_MIN_PROSE_WORDS = 5
# Blocks longer than this are never dropped whole: boilerplate blocks are short.
_BLOCK_CHARS = 400


class NoArticleError(InputError):
    """A page from which no article text could be extracted (exit 4)."""


def _patterns(name: str, section: str) -> tuple[re.Pattern[str], ...]:
    """The patterns of one ``[section]`` of ``web/data/<name>``."""
    return tuple(re.compile(line) for line in sections("translate_cli.web", name)[section])


@cache
def boilerplate_patterns() -> tuple[re.Pattern[str], ...]:
    """News boilerplate sentences (shared with the summariser), then web-page lines."""
    shared = _patterns("news_boilerplate.txt", "sentence")
    return shared + _patterns("boilerplate.txt", "line")


@cache
def _inline_patterns() -> tuple[re.Pattern[str], ...]:
    return _patterns("boilerplate.txt", "inline")


def is_boilerplate_line(line: str) -> bool:
    stripped = _SPACES.sub(" ", line).strip()
    return not stripped or any(p.match(stripped) for p in boilerplate_patterns())


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


# Table parts are no such block: a data table's cells ("5040", "-5.44%") are article text,
# and a layout table's cells are <div>s by then.
_BLOCKS = (
    "p", "div", "li", "ul", "ol", "aside", "figure", "figcaption",
    "section", "center", "h2", "h3", "h4", "h5", "h6", "dl", "dd", "dt", "header", "footer",
)  # fmt: skip
_INLINE = ("strong", "b", "em", "i", "span", "a", "font", "small", "u")


@dataclass
class _Prepared:
    html: str
    headings: list[str]  # the texts of the page's <h1> elements


def _prepare(html: str) -> _Prepared:
    """Parse once: turn layout tables into ``<div>``s, remove boilerplate blocks and inline
    "Baca juga" links, and note the ``<h1>`` headings."""
    import lxml.html

    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    tree = parse(html)
    if tree is None:
        return _Prepared(html, [])
    flatten(tree)
    _unwrap_layout_tables(tree)
    _drop_boilerplate(tree)
    headings = [unicodedata.normalize("NFC", text_of(h)) for h in tree.iter("h1")]
    # trafilatura is given text, not the tree: it reads <br> runs as paragraph breaks only
    # when it parses the page itself.
    return _Prepared(lxml.html.tostring(tree, encoding="unicode"), [h for h in headings if h])


_TABLE_PARTS = ("table", "tbody", "thead", "tfoot", "tr", "td", "th")


def _unwrap_layout_tables(tree: Any) -> None:
    """Layout tables become ``<div>``s: trafilatura would read a whole page laid out in
    ``<td>`` cells as one table row. Data tables (prices, scores, a recipe's ingredients)
    stay tables, line breaks and paragraphs in their cells included."""
    body = max(1, len(text_of(tree)))
    for table in list(tree.iter("table")):
        cells = table.findall(".//td")
        layout = any(
            len(text_of(cell)) > _LAYOUT_CELL_CHARS or cell.find(".//table") is not None
            for cell in cells
        ) or (
            any(cell.find(".//p") is not None or cell.find(".//br") is not None for cell in cells)
            and len(text_of(table)) >= _LAYOUT_SHARE * body
        )
        if layout:
            parts = [
                element
                for element in table.iter(*_TABLE_PARTS)
                if element is table
                or (element.tag != "table" and next(element.iterancestors("table"), None) is table)
            ]  # a table inside a cell is judged on its own: a pull quote stays a table
            for element in parts:
                element.tag = "div"
                for attribute in ("width", "valign", "colspan", "bgcolor"):
                    element.attrib.pop(attribute, None)


def _drop_boilerplate(tree: Any) -> None:
    """Remove short blocks whose every line is boilerplate, and inline link labels. Only a
    block with no block inside is judged whole: a container's text runs its children's
    together ("© Foto Legende…Nach der Legende soll …"), so its children are judged one by
    one."""
    doomed = []
    for element in tree.iter(*_BLOCKS):
        if next(element.iterdescendants(*_BLOCKS), None) is not None:
            continue
        lines = block_lines(element)
        if (
            lines
            and sum(map(len, lines)) <= _BLOCK_CHARS
            and all(is_boilerplate_line(line) for line in lines)
        ):
            doomed.append(element)
    for element in tree.iter(*_INLINE):
        text = text_of(element)
        if text and len(text) <= _BLOCK_CHARS and any(p.match(text) for p in _inline_patterns()):
            doomed.append(element)
            # "<b>Baca juga:</b> <a>Judul berita lain</a>": the link is part of the label.
            if text.endswith(":"):
                following = element.getnext()
                while following is not None and following.tag == "a":
                    doomed.append(following)
                    if (following.tail or "").strip():
                        break
                    following = following.getnext()
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()  # keeps the text after the element (its tail)


def _clean_title(title: str | None, site: str | None, headings: list[str]) -> str | None:
    """The headline: the page's one ``<h1>`` when the metadata title contains it (titles
    carry the site name, ``og:title`` a shortened form), else the metadata title without the
    `` - Site`` / `` | Site`` suffix a ``<title>`` carries."""
    heading = _norm(headings[0]) if len(headings) == 1 else ""
    if len(heading.split()) >= 3 and (
        not title or (heading in _norm(title) and 2 * len(heading) >= len(_norm(title)))
    ):
        return headings[0]
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
    prepared = _prepare(html)
    page = prepared.html
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
    title = _clean_title(_field(document, "title"), site, prepared.headings)
    # Composed characters (NFC), as trafilatura's own text output has them: "ü", not "u" and a
    # combining diaeresis.
    body = unicodedata.normalize("NFC", getattr(document, "text", None) or "")
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
        return unicodedata.normalize("NFC", _SPACES.sub(" ", value).strip())
    return None
