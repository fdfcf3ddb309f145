"""``format=html``: translate the text of an HTML fragment or page and keep its markup.

The markup is parsed by lxml (already here through trafilatura), each text node is translated
on its own, and the tree is written back: tags, attributes, comments and entities stay as they
were, only the text between them changes (as LibreTranslate's ``translatehtml`` does). Text in
``script``, ``style``, ``code`` and ``pre`` and in elements marked ``translate="no"`` is kept,
and so is text without a letter or digit (the full stop after ``</b>``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

KEPT_TAGS = frozenset({"script", "style", "code", "pre", "noscript", "template"})
_WHOLE_PAGE = re.compile(r"\s*(<!doctype\b|<html\b)", re.IGNORECASE)
_EDGES = re.compile(r"^(\s*)(.*?)(\s*)$", re.DOTALL)

Translate = Callable[[Sequence[str]], list[str]]


def translate_html(markup: str, translate: Translate) -> str:
    """``markup`` with every translatable text node replaced by its translation (its leading
    and trailing white space kept); ``translate`` maps the texts, in order, one to one."""
    import lxml.html

    page = bool(_WHOLE_PAGE.match(markup))
    if page:
        root = lxml.html.document_fromstring(markup)
    else:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    slots = list(_text_slots(root))
    parts = [_EDGES.match(getattr(node, where)) for node, where in slots]
    cores = [match.group(2) if match else "" for match in parts]
    outputs = translate(cores)
    for (node, where), match, output in zip(slots, parts, outputs, strict=True):
        assert match is not None
        setattr(node, where, match.group(1) + output + match.group(3))
    if page:
        doctype = root.getroottree().docinfo.doctype
        text: str = lxml.html.tostring(root, encoding="unicode", doctype=doctype or None)
        return text
    inner = [root.text or ""]
    inner += [lxml.html.tostring(child, encoding="unicode") for child in root]
    return "".join(inner)


def _text_slots(root: Any) -> list[tuple[Any, str]]:
    """``(element, "text" | "tail")`` for every text node worth translating, in document
    order."""
    slots: list[tuple[Any, str]] = []

    def visit(node: Any, kept: bool) -> None:
        if isinstance(node.tag, str):  # an element (not a comment or processing instruction)
            kept = kept or node.tag.lower() in KEPT_TAGS or node.get("translate") == "no"
            if not kept and _worth(node.text):
                slots.append((node, "text"))
            for child in node:
                visit(child, kept)
        if node is not root and not _parent_kept(node) and _worth(node.tail):
            slots.append((node, "tail"))

    def _parent_kept(node: Any) -> bool:
        parent = node.getparent()
        while parent is not None:
            if parent.tag.lower() in KEPT_TAGS or parent.get("translate") == "no":
                return True
            parent = parent.getparent()
        return False

    visit(root, False)
    return slots


def _worth(text: str | None) -> bool:
    """Text with a letter or digit: punctuation between tags (``</b>.``) stays as it is."""
    return bool(text) and any(ch.isalnum() for ch in text or "")
