"""TEMPORARY stand-in (replaced by the h3-io branch): reading inputs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from translate_cli.errors import TranslateCliError, UsageError
from translate_cli.io import decode_text, read_input_bytes
from translate_cli.io import read_records as _old_records


@dataclass(frozen=True)
class Record:
    id: Any
    text: str
    source: str
    error: TranslateCliError | None = None


def check_inputs(sources: Sequence[str]) -> None:
    pass


def read_records(
    sources: Sequence[str], input_format: str, stdin: BinaryIO | None = None
) -> Iterator[Record]:
    if not sources:
        sources = ["-"]
    for source in sources:
        if source == "-" and stdin is not None and stdin.isatty() and len(sources) == 1:
            raise UsageError("no input: give a file path, or '-' to read standard input")
        if input_format == "text":
            name, data = read_input_bytes(source, stdin)
            yield Record(None if len(sources) == 1 else source, decode_text(data, name), name)
        else:
            for r in _old_records(source, input_format, stdin):
                yield Record(r.id, r.text, source)
