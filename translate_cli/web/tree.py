"""A page's HTML as an lxml tree that holds all of its text, and the text of its blocks.

libxml2 (lxml's parser) drops whatever is nested deeper than 256 elements, and trafilatura
parses the page again with that limit. So a page is parsed with libxml2's larger limit
(``huge_tree``: 2048 levels) and flattened to ``MAX_DEPTH`` levels before it is handed on;
markup deeper than even 2048 levels loses its wrapper tags as text before it is parsed. Only
wrapper tags go (their text and children stay), so nothing of the article vanishes.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MAX_DEPTH", "block_lines", "flatten", "parse", "text_of"]

_SPACES = re.compile(r"\s+")
# Elements deeper than this lose their wrapper tags (trafilatura's parser keeps 256 levels).
MAX_DEPTH = 128
# libxml2's limit with huge_tree; a page this deep is flattened as text before it is parsed.
_HUGE_DEPTH = 2048
_INLINE_WRAPPERS = frozenset(
    ["span", "font", "b", "i", "u", "em", "strong", "small", "big", "a", "abbr", "cite",
     "code", "mark", "q", "s", "sub", "sup", "tt", "var", "ins", "del", "label"]
)  # fmt: skip
# Tags that only wrap their content: dropped (content kept) where the tree is too deep.
_WRAPPERS = _INLINE_WRAPPERS | frozenset(
    ["div", "section", "article", "main", "aside", "header", "footer", "nav", "center",
     "figure", "figcaption", "blockquote", "dl", "dd", "dt", "ul", "ol", "table", "tbody",
     "thead", "tfoot", "tr", "td", "th", "form", "fieldset", "details", "summary"]
)  # fmt: skip
_WRAPPER_TAG = re.compile(r"</?(" + "|".join(sorted(_WRAPPERS)) + r")\b[^>]*>", re.I)
# Elements whose text is no text of the page.
_HIDDEN = frozenset(["script", "style", "noscript", "template"])


def parse(html: str) -> Any:
    """The page's tree with every element of ``html`` in it, or None for a page lxml refuses
    (empty, or no markup at all)."""
    tree = _parse(html)
    if tree is not None and _depth(tree) >= _HUGE_DEPTH - 1:
        # Deeper than even the large limit, which drops what lies below it: the wrapper tags
        # go (a block one leaves a line break), and the rest is parsed again.
        tree = _parse(_WRAPPER_TAG.sub(_flat_tag, html))
    return tree


def _parse(html: str) -> Any:
    import lxml.html

    try:
        parser = lxml.html.HTMLParser(huge_tree=True)
        return lxml.html.document_fromstring(html, parser=parser)
    except Exception:  # lxml raises ParserError / ValueError for empty or odd documents
        return None


def _flat_tag(match: re.Match[str]) -> str:
    return "" if match.group(1).lower() in _INLINE_WRAPPERS else "<br>"


def _depths(tree: Any) -> list[tuple[Any, int]]:
    """Every element with its depth (the root 0), in document order, without recursion."""
    from lxml import etree

    found = []
    depth = -1
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        if event == "start":
            depth += 1
            found.append((element, depth))
        else:
            depth -= 1
    return found


def _depth(tree: Any) -> int:
    return max((depth for _, depth in _depths(tree)), default=0)


def flatten(tree: Any) -> None:
    """Drop the wrapper tags (keeping their text and children) of elements deeper than
    ``MAX_DEPTH``; then any tag still deeper than trafilatura's parser keeps."""
    for limit, tags in ((MAX_DEPTH, _WRAPPERS), (2 * MAX_DEPTH - 32, None)):
        deep = [e for e, depth in _depths(tree) if depth > limit and isinstance(e.tag, str)]
        for element in reversed(deep):  # innermost first
            if (tags is None or element.tag in tags) and element.getparent() is not None:
                element.drop_tag()


def block_lines(element: Any) -> list[str]:
    """The lines of text an element shows: split at ``<br>``, spaces collapsed, without the
    content of scripts and styles (an element's ``text_content()`` holds theirs too)."""
    from lxml import etree

    lines: list[str] = []
    parts: list[str] = []
    hidden = 0
    for event, node in etree.iterwalk(element, events=("start", "end", "comment", "pi")):
        skipped = node.tag in _HIDDEN
        if event in ("comment", "pi"):  # no text of the page, but the text after it is
            if not hidden:
                parts.append(node.tail or "")
        elif event == "start":
            if skipped:
                hidden += 1
            elif not hidden and node.tag == "br":
                lines.append("".join(parts))
                parts = []
            elif not hidden:
                parts.append(node.text or "")
        else:
            hidden -= skipped
            if node is not element and not hidden:
                parts.append(node.tail or "")
    lines.append("".join(parts))
    return [line for line in (_SPACES.sub(" ", raw).strip() for raw in lines) if line]


def text_of(element: Any) -> str:
    """The text an element shows, on one line."""
    return " ".join(block_lines(element))
