"""Bytes of a page to text, in the encodings a browser reads and in a browser's order.

Only the WHATWG Encoding Standard's labels name an encoding (``web/data/encodings.txt``):
``base64``, ``zlib`` or ``rot13`` are Python codecs, not a page's charset, and are ignored like
any unknown label. The order: a byte order mark, then the HTTP header's charset, then the
page's ``<meta>``, then detection (charset-normalizer), then windows-1252. Two deliberate
departures from a browser, both for mislabelled pages: non-ASCII bytes that are valid UTF-8
are read as UTF-8 whatever is declared, and a declared charset the bytes contradict (they do
not decode in it) is passed over for the next source, so the text is not decoded into
replacement characters while a charset that fits exists. UTF-8 with a few stray bytes (a page
cut mid-character) still fits UTF-8: its odd bytes become U+FFFD, as in a browser.

As in a browser, a ``<meta>`` that declares UTF-16 means UTF-8 (a page whose bytes were read
to find the ``<meta>`` is not UTF-16), ``iso-8859-1``, ``latin1`` and ``us-ascii`` mean
windows-1252, and the labels of the "replacement" encoding (``iso-2022-kr``, ``hz-gb-2312``,
…) make the page undecodable: ``CharsetError``, exit 4 for that page alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from translate_cli.errors import InputError
from translate_cli.resources import entries

__all__ = ["CharsetError", "Encoding", "decode_page", "detect", "encoding", "meta_charset"]

_META = re.compile(
    rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE | re.DOTALL
)
# Single-byte Western code pages a detector may name for a short Latin-script page; for
# Indonesian text windows-1252 decodes every one of their letters the same way.
_LATIN = ("cp125", "windows-125", "latin", "iso8859", "mac_", "cp437", "cp850", "ascii")
_UTF16 = ("utf-16-le", "utf-16-be")
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_USER_DEFINED = "x-user-defined"
# A UTF-8 page cut mid-character, or with a stray byte, is still UTF-8: it needs at least this
# many valid non-ASCII characters for each invalid byte.
_UTF8_GOOD_PER_BAD = 10


class CharsetError(InputError):
    """A page that cannot be decoded (exit 4, for that page alone)."""


@dataclass(frozen=True)
class Encoding:
    """A browser encoding: its WHATWG name and the Python codec that decodes it (None for the
    "replacement" encoding, which decodes nothing)."""

    name: str
    codec: str | None


@cache
def _labels() -> dict[str, Encoding]:
    found: dict[str, Encoding] = {}
    for line in entries("translate_cli.web", "encodings.txt"):
        name, codec, *labels = line.split()
        known = Encoding(name, None if codec == "-" else codec)
        found.update((label.lower(), known) for label in labels)
    return found


def _python(codec: str) -> str:
    """Python's own name for a codec ("mac_cyrillic" → "mac-cyrillic"); "" when unknown."""
    import codecs

    try:
        return codecs.lookup(codec).name
    except LookupError:
        return ""


@cache
def _by_codec() -> dict[str, Encoding]:
    found: dict[str, Encoding] = {}
    for known in _labels().values():
        if known.codec and known.codec != _USER_DEFINED:
            found.setdefault(_python(known.codec), known)
    return found


def encoding(label: str | None) -> Encoding | None:
    """The browser encoding ``label`` names (case and surrounding spaces ignored), or None."""
    if not label:
        return None
    return _labels().get(label.strip(" \t\n\r\f\"'").lower())


def meta_charset(data: bytes) -> str | None:
    """The charset a page declares in a ``<meta>`` near its start, if any."""
    match = _META.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


def _decode(data: bytes, codec: str, errors: str = "strict") -> str:
    if codec == _USER_DEFINED:  # bytes 0x80-0xFF to U+F780-U+F7FF, as the standard says
        return "".join(chr(b) if b < 0x80 else chr(0xF700 + b) for b in data)
    return data.decode(codec, errors)


def _fits(data: bytes, codec: str) -> str | None:
    """The text, when ``data`` decodes in ``codec`` without an error, else None."""
    if codec in _UTF16 and b"\x00" not in data[:4096]:
        return None  # markup in UTF-16 has a zero byte in every ASCII character
    try:
        return _decode(data, codec)
    except UnicodeError:
        return _mostly_utf8(data) if codec == "utf-8" else None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 text with a stray invalid byte or a character cut short (shown as U+FFFD, as a
    browser does), or None when the bytes are no UTF-8 at all."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    ascii_bytes = len(data) - len(data.translate(None, delete=bytes(range(128))))
    good = len(text) - ascii_bytes - bad
    return text if good >= _UTF8_GOOD_PER_BAD * bad else None


def _declared(label: str | None, where: str, shown: str, *, meta: bool = False) -> str | None:
    """The codec a declared label stands for; raises for the "replacement" encoding."""
    known = encoding(label)
    if known is None:
        return None
    if known.codec is None:
        raise CharsetError(
            f"{shown}: cannot be decoded: its {where} declares the charset {label!r}, "
            "which browsers refuse to decode"
        )
    if meta and known.codec in _UTF16:
        return "utf-8"  # bytes searched for an ASCII <meta> are not UTF-16
    if meta and known.codec == _USER_DEFINED:
        return "cp1252"
    return known.codec


def decode_page(
    data: bytes, declared: str | None = None, *, name: str | None = None
) -> tuple[str, str]:
    """``(text, codec)`` for a page's bytes; ``declared`` is the HTTP header's charset and
    ``name`` what a message calls the page.

    Raises ``CharsetError`` (exit 4) for a page declared in the "replacement" encoding.
    """
    shown = name or "the page"
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(bom_codec, errors="replace"), bom_codec
    utf8 = None if data.isascii() else _fits(data, "utf-8")
    if utf8 is not None:
        # Non-ASCII bytes that are valid UTF-8 are UTF-8, whatever a header says: by chance
        # windows-1252 text almost never is, while pages mislabelled as latin1 are common.
        return utf8, "utf-8"
    sources: tuple[Callable[[], str | None], ...] = (
        lambda: _declared(declared, "HTTP header", shown),
        lambda: _declared(meta_charset(data), "<meta>", shown, meta=True),
        lambda: "utf-8",
    )
    for source in sources:  # in order, each asked only when the one before did not fit
        codec = source()
        text = _fits(data, codec) if codec else None
        if text is not None and codec is not None:
            return text, codec
    guess = detect(data)
    return _decode(data, guess, errors="replace"), guess


def detect(data: bytes) -> str:
    """The codec of undeclared, non-UTF-8 bytes: charset-normalizer's guess when it is a
    browser encoding, else windows-1252."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    guess = best.encoding if best is not None else None
    if guess is None or guess.startswith(_LATIN):
        return "cp1252"
    known = encoding(guess) or encoding(guess.replace("_", "-")) or _by_codec().get(_python(guess))
    if known is None or known.codec is None or known.codec == _USER_DEFINED:
        return "cp1252"
    return known.codec
