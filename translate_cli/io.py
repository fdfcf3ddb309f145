"""Reading inputs (a path, ``-`` for stdin, JSONL batches) and writing outputs safely.

Everything a user can get wrong here raises ``InputError`` (exit 4) or ``UsageError`` (exit 2)
with the file name and, for bad bytes, the byte offset.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from translate_cli.errors import InputError, UsageError

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Record:
    """One input document: ``id`` is None for a plain text input."""

    id: Any
    text: str


def read_input_bytes(source: str | None, stdin: BinaryIO | None = None) -> tuple[str, bytes]:
    """Return ``(display name, bytes)`` of a path, or of stdin for ``-``/None."""
    if source is None or source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        if source is None and stream.isatty():
            raise UsageError("no input: give a file path, or '-' to read standard input")
        return "<stdin>", stream.read()
    path = Path(source)
    try:
        return source, path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{source}: is a directory, not a text file") from None
    except OSError as error:
        raise InputError(f"{source}: cannot read ({error.strerror or error})") from None


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (BOM optional) to text with LF line ends; binary or bad bytes are exit 4."""
    offset = 3 if data.startswith(_BOM) else 0
    nul = data.find(b"\x00", offset)
    if nul != -1:
        raise InputError(f"{name}: looks binary (NUL byte at byte offset {nul}); expected text")
    try:
        text = data[offset:].decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: not valid UTF-8 at byte offset {offset + error.start}",
            hint="convert it first, e.g. iconv -f latin1 -t utf-8",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_records(
    source: str | None, input_format: str, stdin: BinaryIO | None = None
) -> Iterator[Record]:
    """Yield the documents of an input: one for text, one per line for JSONL."""
    name, data = read_input_bytes(source, stdin)
    text = decode_text(data, name)
    if input_format == "text":
        yield Record(None, text)
        return
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        yield _parse_record(line, name, number)


def _parse_record(line: str, name: str, number: int) -> Record:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        raise InputError(f"{name}: line {number} is not valid JSON ({error.msg})") from None
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        raise InputError(f'{name}: line {number} needs an object with a "text" string')
    return Record(value.get("id", number), value["text"])


@contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """stdout, or ``path`` written atomically: a failed run never leaves half a file."""
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed
            "w", encoding="utf-8", dir=target.parent or ".", prefix=f".{target.name}.", delete=False
        )
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    try:
        with handle:
            yield handle
        os.replace(handle.name, target)
    finally:
        if os.path.exists(handle.name):
            os.unlink(handle.name)
