"""What extraction hands on: an ``Article`` (title, body paragraphs, metadata).

Its ``text`` is the document the pipeline reads: the title as paragraph 0, then the body
paragraphs, blank lines between them, so segmentation, translation and the summary treat a
web page exactly like a text file with a headline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

META_KEYS = ("url", "title", "date", "author", "site")


@dataclass(frozen=True)
class Article:
    """One extracted article; every meta value is None where the page did not say."""

    title: str | None
    paragraphs: tuple[str, ...]
    url: str | None = None
    date: str | None = None
    author: str | None = None
    site: str | None = None

    @property
    def text(self) -> str:
        """The document: the title (when known) as paragraph 0, then the body."""
        parts = ([self.title] if self.title else []) + list(self.paragraphs)
        return "\n\n".join(parts) + ("\n" if parts else "")

    @property
    def meta(self) -> dict[str, str | None]:
        """``{"url", "title", "date", "author", "site"}``: what ``Report.meta`` carries."""
        return {key: getattr(self, key) for key in META_KEYS}

    def to_dict(self) -> dict[str, Any]:
        """What ``translate-cli extract --format json`` prints."""
        return {"meta": self.meta, "paragraphs": list(self.paragraphs)}
