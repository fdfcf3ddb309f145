"""Batch inputs: JSONL files, folders of them, and Parquet files, as records with unique ids.

Every input is read before work starts, so that duplicate ids are reported (all of them, with
where they come from) before a single record is translated, and so that a resumed batch knows
which ids are left.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate_cli.errors import ExitStatus, InputError, TranslateCliError, UsageError
from translate_cli.inputs import Record, read_records
from translate_cli.output import json_line

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.txt")
PARQUET_SUFFIXES = (".parquet", ".pq")
_SHOWN = 5  # duplicate ids named in the message


def id_key(value: Any) -> str:
    """An id as one canonical string: 1 and "1" are different ids, 1 and 1.0 are not JSON-equal
    either way, so the JSON text is the key."""
    return json_line(value).rstrip("\n")


def input_files(sources: Sequence[str]) -> list[Path]:
    """The files named, with folders expanded to the JSONL and Parquet files inside them
    (recursively, sorted), each file once."""
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
            files.append(path)
        else:
            raise InputError(f"{source}: no such file or folder")
    unique = {os.path.realpath(f): f for f in reversed(files)}
    return [f for f in files if unique[os.path.realpath(f)] is f]


def is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(PARQUET_SUFFIXES)


def read_file(path: Path) -> Iterator[Record]:
    if is_parquet(path):
        yield from _parquet_records(path)
    else:
        yield from read_records([str(path)], "jsonl")


def _parquet_records(path: Path) -> Iterator[Record]:
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
    ids = table.column("id").to_pylist() if "id" in table.column_names else None
    for row, text in enumerate(texts, start=1):
        record_id = ids[row - 1] if ids is not None else row
        if not isinstance(text, str):
            failure = InputError(f'{path}: row {row}: "text" is not a string')
            yield Record(record_id, "", str(path), failure)
        else:
            yield Record(record_id, text, str(path))


@dataclass(frozen=True)
class Inputs:
    files: list[Path]
    records: list[Record]


def read_inputs(sources: Sequence[str]) -> Inputs:
    """Every record of every input, in order; ``InputError`` (exit 4) naming the ids that are
    not unique. Records that could not be read carry their ``error`` and still take part."""
    files = input_files(sources)
    records: list[Record] = []
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
