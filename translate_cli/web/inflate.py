"""A body's ``Content-Encoding`` undone in bounded steps.

httpx inflates each network chunk through every encoding at once: ``gzip, gzip`` around a few
kilobytes can come out as gigabytes in one piece, before any size cap sees a byte. Here each
layer hands the next at most ``STEP`` bytes at a time, so a cap counted on the output holds
whatever the number of layers, and memory stays near the cap.

Only what we ask for (``ACCEPT``: gzip and deflate, zlib in the standard library) is decoded;
any other encoding, or more than ``MAX_LAYERS`` of them, is refused rather than read as text.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

ACCEPT = "gzip, deflate"
STEP = 64 * 1024  # the most bytes one layer hands on at a time
MAX_LAYERS = 2  # servers send one; two is already unusual
_GZIP = ("gzip", "x-gzip")
_DEFLATE = ("deflate",)
_IDENTITY = ("identity", "")


class EncodingError(ValueError):
    """A body that cannot be decoded: an encoding we do not read, or bad compressed data."""


def encodings(header: str) -> list[str]:
    """The layers of a ``Content-Encoding`` header that change the bytes, in the order they
    were applied; ``EncodingError`` for one we cannot undo, or too many."""
    names = [name.strip().lower() for name in header.split(",")]
    layers = [name for name in names if name not in _IDENTITY]
    for name in layers:
        if name not in _GZIP + _DEFLATE:
            raise EncodingError(f"a body in an encoding not asked for ({name[:40]})")
    if len(layers) > MAX_LAYERS:
        raise EncodingError(f"a body compressed {len(layers)} times over")
    return layers


def decoded(chunks: Iterable[bytes], layers: list[str]) -> Iterator[bytes]:
    """``chunks`` (the body as sent) with ``layers`` undone, last applied first, in pieces of
    at most ``STEP`` bytes (any size when there are no layers)."""
    stream: Iterable[bytes] = chunks
    for name in reversed(layers):
        stream = _inflate(stream, name in _GZIP)
    return iter(stream)


def _inflate(chunks: Iterable[bytes], gzip: bool) -> Iterator[bytes]:
    inflater: zlib._Decompress | None = None
    start = b""  # "deflate" waits for two bytes: is it zlib-wrapped, as meant, or raw?
    for chunk in chunks:
        data = chunk
        if inflater is None:
            data = start = start + chunk
            if not gzip and len(start) < 2:
                continue
            if gzip:
                wbits = zlib.MAX_WBITS | 16
            else:
                wbits = zlib.MAX_WBITS if _zlib_header(start) else -zlib.MAX_WBITS
            inflater = zlib.decompressobj(wbits)
        while data and not inflater.eof:
            try:
                piece = inflater.decompress(data, STEP)
            except zlib.error as error:
                raise EncodingError(f"bad compressed data ({error})") from None
            data = inflater.unconsumed_tail
            if piece:
                yield piece
            # A full step may leave output inside zlib with no input left: ask again.
            while len(piece) == STEP and not data and not inflater.eof:
                piece = inflater.decompress(b"", STEP)
                if piece:
                    yield piece


def _zlib_header(data: bytes) -> bool:
    """Whether ``data`` starts with a zlib header (RFC 1950), not raw deflate."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
