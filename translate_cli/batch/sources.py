"""Batch inputs: JSONL files, folders of them, and Parquet files, as records with unique ids.

Every input is read before work starts, so that duplicate ids are reported (all of them, with
where they come from) before a single record is translated, and so that a resumed batch knows
which ids are left. A ``"url"`` record is read as its id only (a ``Pending`` record): its page
is fetched when its shard is cut, so a finished record, or a rerun that is refused, fetches
nothing. A file is JSONL or Parquet by its name, else by its first bytes; anything else is
refused before any work.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate_cli.batch.feeds import LinkPending
from translate_cli.config import Settings
from translate_cli.errors import ExitStatus, InputError, TranslateCliError, UsageError
from translate_cli.inputs import Record, decode_text, parse_record, read_input_bytes
from translate_cli.output import json_line
from translate_cli.registry import Registry
from translate_cli.web.network import safe_url, url_scheme

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
_SHOWN = 5  # duplicate ids named in the message
_SNIFF = 4096  # bytes read to tell JSONL and Parquet by their content


def id_key(value: Any) -> str:
    """An id as one canonical string: 1 and "1" are different ids, 1 and 1.0 are not JSON-equal
    either way, so the JSON text is the key."""
    return json_line(value).rstrip("\n")


def input_files(sources: Sequence[str]) -> list[Path]:
    """The files named, with folders expanded to the JSONL and Parquet files inside them
    (recursively, sorted), each file once; a named file that is neither is refused."""
    if not sources:
        raise UsageError("batch needs at least one INPUT file or folder")
    files: list[Path] = []
    for source in sources:
        if source == "-":
            raise UsageError("batch reads files and folders, not standard input ('-')")
        path = Path(source)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.name.lower().endswith(JSONL_SUFFIXES + PARQUET_SUFFIXES)
            )
            if not found:
                raise InputError(f"{source}: no .jsonl or .parquet files in this folder")
            files.extend(found)
        elif path.exists():
            file_kind(path)
            files.append(path)
        else:
            shown = safe_url(source, query=True) if url_scheme(source) else source
            raise InputError(f"{shown}: no such file or folder")  # a URL: not its password
    unique = {os.path.realpath(f): f for f in reversed(files)}
    return [f for f in files if unique[os.path.realpath(f)] is f]


def file_kind(path: Path) -> str:
    """``jsonl`` or ``parquet`` (a name in ``READERS``): by the file's name, else by its first
    bytes (Parquet's magic, or a JSON object); ``InputError`` for anything else."""
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    head = b""
    if path.is_file():
        try:
            with path.open("rb") as handle:
                head = handle.read(_SNIFF)
        except OSError as error:
            raise InputError(f"{path}: cannot read ({error.strerror or error})") from None
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
        return "jsonl"
    raise InputError(
        f'{path}: not JSONL or Parquet; batch reads {{"id", "text"}} records, one JSON object '
        "a line (.jsonl), or Parquet files with a text column",
        hint="for one article use translate-cli translate FILE (or summarize, run)",
    )


@dataclass(frozen=True)
class Pending:
    """A JSONL record whose text is not read yet: a ``"url"`` record (or an empty text), with
    the id its line gives. ``read`` parses the line again, fetching the page as the settings
    say (``timeout``, ``allow_private_redirects``)."""

    id: Any
    source: str
    line: str
    number: int

    def read(self, settings: Settings) -> Record:
        return parse_record(
            self.line,
            self.source,
            self.number,
            timeout=settings.timeout,
            allow_private_redirects=settings.allow_private_redirects,
            ocr=settings.ocr,
            base=os.path.dirname(self.source) or ".",  # a "path" is relative to its JSONL file
        )


Item = Record | Pending | LinkPending


def _jsonl_records(path: Path) -> Iterator[Item]:
    name, data = read_input_bytes(str(path))
    for number, line in enumerate(decode_text(data, name).split("\n"), start=1):
        if not line.strip():
            continue
        record = parse_record(line, name, number, fetch=False)
        if record.error is None and record.meta is None and not record.text:
            yield Pending(record.id, name, line, number)  # a URL: fetched if still to do
        else:
            yield record


def _parquet_records(path: Path) -> Iterator[Item]:
    try:
        import pyarrow.parquet as pq
    except ImportError as error:  # pragma: no cover - pyarrow is a dependency
        raise UsageError("reading Parquet needs pyarrow: pip install pyarrow") from error
    try:
        table = pq.read_table(path)
    except Exception as error:  # pyarrow raises its own ArrowInvalid, OSError, ...
        raise InputError(f"{path}: not a readable Parquet file ({error})") from None
    if "text" not in table.column_names:
        raise InputError(f'{path}: no "text" column (columns: {", ".join(table.column_names)})')
    texts = table.column("text").to_pylist()
    ids = _parquet_ids(path, table) if "id" in table.column_names else None
    for row, text in enumerate(texts, start=1):
        record_id = ids[row - 1] if ids is not None else row
        if not isinstance(text, str):
            failure = InputError(f'{path}: row {row}: "text" is not a string')
            yield Record(record_id, "", str(path), failure)
        else:
            yield Record(record_id, text, str(path))


def _parquet_ids(path: Path, table: Any) -> list[Any]:
    """The ``id`` column's values, each a JSON string, integer or finite number (or null);
    any other (a timestamp, bytes, a decimal, NaN, a list) refuses the file, naming the row:
    an id is written back as it was read, and these have no exact JSON form."""
    ids: list[Any] = table.column("id").to_pylist()
    for row, value in enumerate(ids, start=1):
        if value is None or isinstance(value, str | int):
            continue
        if isinstance(value, float) and math.isfinite(value):
            continue
        what = (
            "NaN or infinity"
            if isinstance(value, float)
            else f"a {table.schema.field('id').type} value"
        )
        raise InputError(
            f'{path}: column "id", row {row}: {what} is not an id; ids are strings or numbers',
            hint="cast the id column to string (or integer) first; nothing was processed",
        )
    return ids


READERS: Registry[Callable[[Path], Iterator[Item]]] = Registry("input kind")
READERS.register("jsonl", _jsonl_records, help="one JSON object a line")
READERS.register("parquet", _parquet_records, help="a text column, an id column optional")


def read_file(path: Path) -> Iterator[Item]:
    return READERS.get(file_kind(path))(path)


@dataclass(frozen=True)
class Inputs:
    files: list[Path]
    records: list[Item]


def read_inputs(sources: Sequence[str]) -> Inputs:
    """Every record of every input, in order; ``InputError`` (exit 4) naming the ids that are
    not unique. Records that could not be read carry their ``error`` and still take part;
    ``"url"`` records are ``Pending``, not fetched yet."""
    files = input_files(sources)
    records: list[Item] = []
    seen: dict[str, str] = {}
    duplicates: dict[str, list[str]] = {}
    for path in files:
        for record in read_file(path):
            records.append(record)
            key = id_key(record.id)
            where = f"{record.source}"
            if key in seen:
                duplicates.setdefault(key, [seen[key]]).append(where)
            else:
                seen[key] = where
    if duplicates:
        shown = [
            f"{key} ({', '.join(dict.fromkeys(places))})"
            for key, places in list(duplicates.items())[:_SHOWN]
        ]
        more = len(duplicates) - len(shown)
        raise InputError(
            f"{len(duplicates)} id(s) are not unique: {'; '.join(shown)}"
            + (f"; and {more} more" if more else ""),
            hint="give every record its own id; nothing was processed",
        )
    return Inputs(files, records)


def to_item(record: Record) -> dict[str, Any]:
    """A record as plain JSON data (what travels to a worker)."""
    if record.error is not None:
        status = int(record.error.exit_status)
        return {"id": record.id, "error": {"status": status, "message": record.error.message}}
    item: dict[str, Any] = {"id": record.id, "text": record.text}
    if record.meta is not None:  # a web page's (an "html" or "url" record): its JSON has it
        item["meta"] = record.meta
    return item


def from_item(item: dict[str, Any]) -> Record:
    error: TranslateCliError | None = None
    if "error" in item:  # read by the driver; its status travels with it
        error = InputError(str(item["error"]["message"]))
        error.exit_status = ExitStatus(int(item["error"]["status"]))
    return Record(item["id"], item.get("text", ""), "", error, meta=item.get("meta"))
