"""Bytes of a page to text: the HTTP header's charset, else the page's ``<meta>``, else detection.

Non-ASCII bytes that are valid UTF-8 are read as UTF-8 whatever is declared. A declared
charset that does not fit the bytes is not trusted (a page saved from a
windows-1252 site and served as UTF-8 is common); the next source is tried, so the text is never
decoded into replacement characters while a charset that fits exists. Labels follow the WHATWG
Encoding standard: ``iso-8859-1``, ``latin1`` and ``us-ascii`` mean windows-1252, which browsers
use for them.
"""

from __future__ import annotations

import codecs
import re

_META = re.compile(
    rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE | re.DOTALL
)
_WINDOWS_1252_LABELS = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii"}
# Single-byte Western code pages a detector may name for a short Latin-script page; for
# Indonesian text windows-1252 decodes every one of their letters the same way.
_LATIN = ("cp125", "windows-125", "latin", "iso8859", "mac_", "cp437", "cp850", "ascii")


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if key in _WINDOWS_1252_LABELS:
        key = "cp1252"
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def meta_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` near its start, if any."""
    match = _META.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _strict(data: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def decode_page(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """``(text, codec)`` for a page's bytes; ``declared`` is the HTTP header's charset."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8"
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            return data[2:].decode(codec, errors="replace"), codec
    if not data.isascii() and _strict(data, "utf-8") is not None:
        # Non-ASCII bytes that are valid UTF-8 are UTF-8, whatever a header says: by chance
        # windows-1252 text almost never is, while pages mislabelled as latin1 are common.
        return data.decode("utf-8"), "utf-8"
    for label in (_codec(declared), _codec(meta_charset(data)), "utf-8"):
        text = _strict(data, label)
        if text is not None and label is not None:
            return text, label
    codec = detect(data)
    return data.decode(codec, errors="replace"), codec


def detect(data: bytes) -> str:
    """The most likely codec of undeclared, non-UTF-8 bytes (charset-normalizer)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    name = _codec(best.encoding) if best is not None else None
    if name is None or name.startswith(_LATIN):
        return "cp1252"
    return name
