"""The output folder of a batch: shards, their errors, the manifest, and what is done.

A shard is written to a hidden temporary file, flushed to disk and renamed into place: the
rename is the commit. A shard file that exists is complete; a killed run leaves at most a
temporary file, which the next run deletes. The ids done are the ids in committed shards, so
a rerun skips exactly those and nothing is written twice. Records that failed are listed in
``part-NNNNN.errors.jsonl`` next to their shard; a rerun tries them again.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translate_cli.batch.choices import OUTPUT_FORMATS
from translate_cli.batch.sources import id_key
from translate_cli.errors import OutputError, UsageError
from translate_cli.output import json_document

MANIFEST = "manifest.json"
LOCK = ".lock"
_PART = re.compile(rf"^part-(\d{{5,}})\.({'|'.join(OUTPUT_FORMATS.names())})$")
_ERRORS = re.compile(r"^part-(\d{5,})\.errors\.jsonl$")
_TEMP = re.compile(r"^\.part-.*\.tmp-\d+$")


@dataclass
class ShardResult:
    """One shard's output: the JSONL lines of its records and of its failures."""

    number: int
    lines: list[str]  # each what `--input-format jsonl` prints for a record, "\n" included
    errors: list[str]  # {"id", "error"} lines
    sentences: int = 0
    fingerprint: str | None = None  # the model content fingerprint of the engine that ran it

    def failure_statuses(self) -> list[int]:
        """Each failed record's exit status, as its error line says."""
        return [int(json.loads(line)["error"]["status"]) for line in self.errors]


@dataclass
class OutputFolder:
    """An open batch output folder, locked against a second writer."""

    path: Path
    output_format: str
    shards: dict[int, Path] = field(default_factory=dict)
    _lock_fd: int = -1

    @classmethod
    def open(cls, path: Path, output_format: str) -> OutputFolder:
        output_format = OUTPUT_FORMATS.check(output_format)
        try:
            path.mkdir(parents=True, exist_ok=True)
            fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            raise UsageError(f"--output: cannot use {path} ({error.strerror or error})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise UsageError(f"--output: another batch is writing to {path}") from None
        folder = cls(path, output_format, _lock_fd=fd)
        folder._scan()
        return folder

    def close(self) -> None:
        if self._lock_fd >= 0:
            os.close(self._lock_fd)
            self._lock_fd = -1

    def _scan(self) -> None:
        for entry in sorted(self.path.iterdir()):
            if _TEMP.match(entry.name):
                entry.unlink(missing_ok=True)  # left by a killed run: never counted
                continue
            match = _PART.match(entry.name)
            if match:
                if match.group(2) != self.output_format:
                    raise UsageError(
                        f"--output: {self.path} holds {match.group(2)} shards; "
                        f"use --output-format {match.group(2)} or another folder"
                    )
                self.shards[int(match.group(1))] = entry

    # --- what is done -----------------------------------------------------------------------
    def done_ids(self) -> set[str]:
        """The ids (as ``id_key``) of every record in a committed shard."""
        done: set[str] = set()
        for path in self.shards.values():
            done.update(id_key(value) for value in _shard_ids(path))
        return done

    def clear_old_errors(self) -> int:
        """Remove the errors files of earlier runs (their records are tried again); returns
        how many failures they listed."""
        count = 0
        for entry in self.path.iterdir():
            if _ERRORS.match(entry.name):
                count += sum(1 for line in entry.read_text("utf-8").splitlines() if line)
                entry.unlink()
        return count

    def next_number(self) -> int:
        numbers = list(self.shards) + [
            int(m.group(1)) for e in self.path.iterdir() if (m := _ERRORS.match(e.name))
        ]
        return max(numbers, default=-1) + 1

    # --- writing ----------------------------------------------------------------------------
    def write(self, result: ShardResult) -> None:
        """Commit one shard: its errors file first, then the shard itself (the commit)."""
        stem = f"part-{result.number:05d}"
        try:
            if result.errors:
                self._publish(f"{stem}.errors.jsonl", "".join(result.errors).encode())
            data = OUTPUT_FORMATS.get(self.output_format)(result.lines)
            final = self._publish(f"{stem}.{self.output_format}", data)
        except OSError as error:
            raise OutputError(
                f"cannot write {self.path / stem}: {error.strerror or error}"
            ) from None
        self.shards[result.number] = final

    def publish(self, name: str, data: bytes) -> Path:
        """Write ``name`` in the folder atomically (a temporary file, flushed, renamed)."""
        return self._publish(name, data)

    def _publish(self, name: str, data: bytes) -> Path:
        temp = self.path / f".{name}.tmp-{os.getpid()}"
        final = self.path / name
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, final)
        return final

    # --- the manifest -----------------------------------------------------------------------
    def read_manifest(self) -> dict[str, Any] | None:
        try:
            value = json.loads((self.path / MANIFEST).read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            raise UsageError(f"--output: {self.path / MANIFEST} is unreadable ({error})") from None
        return value if isinstance(value, dict) else None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        manifest = {**manifest, "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        manifest["shards"] = [p.name for _, p in sorted(self.shards.items())]
        manifest["errors_files"] = sorted(
            e.name for e in self.path.iterdir() if _ERRORS.match(e.name)
        )
        try:
            self._publish(MANIFEST, json_document(manifest).encode())
        except OSError as error:
            raise OutputError(f"cannot write {self.path / MANIFEST}: {error}") from None


def _shard_ids(path: Path) -> Iterable[Any]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return [
            json.loads(text)
            for text in pq.read_table(path, columns=["id"]).column("id").to_pylist()
        ]
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line)["id"] for line in handle if line.strip()]


def jsonl_bytes(lines: list[str]) -> bytes:
    return "".join(lines).encode()


def parquet_bytes(lines: list[str]) -> bytes:
    """A Parquet shard: ``id`` (the id as JSON text, since ids may be numbers or strings) and
    ``record`` (the JSONL line, without its newline)."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    records = [line.rstrip("\n") for line in lines]
    ids = [id_key(json.loads(line)["id"]) for line in records]
    table = pa.table({"id": pa.array(ids, pa.string()), "record": pa.array(records, pa.string())})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def committed_records(folder: Path) -> Iterator[dict[str, Any]]:
    """Every record a batch folder's committed shards hold (JSONL or Parquet), shard by shard;
    read only, no lock: a briefing may read a folder that a batch is still writing."""
    for entry in sorted(folder.iterdir()):
        match = _PART.match(entry.name)
        if not match:
            continue
        if match.group(2) == "parquet":
            import pyarrow.parquet as pq

            lines = pq.read_table(entry, columns=["record"]).column("record").to_pylist()
        else:
            lines = entry.read_text("utf-8").splitlines()
        for line in lines:
            if line.strip():
                value = json.loads(line)
                if isinstance(value, dict):
                    yield value
