"""The translation memory's store: one SQLite database (WAL mode, so many processes read and
write it at once), entries keyed by a model key (what decides an output, see
``fingerprints.py``) and the cleaned source text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translate_cli.engines.base import Translation
from translate_cli.paths import memory_file

if TYPE_CHECKING:
    from translate_cli.config import Settings

logger = logging.getLogger("translate_cli")

SCHEMA_VERSION = 1
_LOCK_WAIT_S = 120.0  # how long a writer waits for another process's transaction
_VARIABLES = 500  # "?" placeholders per statement, well under SQLite's limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS models (
    key TEXT PRIMARY KEY,            -- sha256 of the descriptor below
    model TEXT NOT NULL,             -- the name or folder as given (for `memory clear --model`)
    model_dir TEXT,                  -- where it was loaded from
    descriptor TEXT NOT NULL,        -- JSON: fingerprint, engine, compute type, beam size, ...
    source_lang TEXT NOT NULL DEFAULT 'id',
    target_lang TEXT NOT NULL DEFAULT 'en',
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    model_key TEXT NOT NULL,
    source TEXT NOT NULL,            -- the cleaned source text, as the engine saw it
    translation TEXT NOT NULL,
    score REAL,                      -- filled once translators report a confidence score
    flags TEXT,                      -- JSON list, likewise
    hits INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    PRIMARY KEY (model_key, source)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class MemoryUnavailable(Exception):
    """The database cannot be used; callers run without the memory."""


def default_path() -> Path:
    """``<user cache dir>/translate-cli/memory.sqlite3`` (``$TRANSLATE_CLI_CACHE_DIR`` moves it)."""
    return memory_file()


def memory_path(settings: Settings) -> Path:
    return Path(settings.memory).expanduser() if settings.memory else default_path()


@dataclass(frozen=True)
class Entry:
    model: str
    descriptor: dict[str, Any]
    source: str
    translation: str
    score: float | None
    flags: list[str] | None
    hits: int
    created: float
    source_lang: str
    target_lang: str


@dataclass(frozen=True)
class Stats:
    path: Path
    entries: int
    size_bytes: int
    hits: int
    models: list[tuple[str, int, int]]  # (model as given, entries, hits)


class MemoryStore:
    """The SQLite database. Every write is one short ``BEGIN IMMEDIATE`` transaction, so
    concurrent writers queue (up to ``_LOCK_WAIT_S``) instead of failing or losing rows."""

    def __init__(self, path: Path, *, create: bool = True) -> None:
        self.path = path
        self.skipped = 0  # malformed rows ``entries`` left out
        if not create and not path.exists():
            raise MemoryUnavailable(f"no translation memory at {path}")
        try:
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(
                path, timeout=_LOCK_WAIT_S, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as error:
            raise MemoryUnavailable(f"{path}: {error}") from error
        try:
            self._setup()
        except sqlite3.Error as error:
            self.db.close()
            raise MemoryUnavailable(f"{path}: {error}") from error

    def _setup(self) -> None:
        # WAL lets readers and one writer work at once; the mode is stored in the file, so
        # only the first process ever switches it.
        mode = self.db.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; WAL stays sane
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise sqlite3.DatabaseError(f"schema version {version}, expected {SCHEMA_VERSION}")
        if version == 0:
            with self.transaction():
                # One statement at a time: executescript would commit the transaction.
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self.db.execute("SELECT count(*) FROM models").fetchone()  # unreadable files fail here

    def transaction(self) -> _Transaction:
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    # --- models -----------------------------------------------------------------------------
    def register(self, descriptor: dict[str, Any], model: str, model_dir: str | None) -> str:
        text = json.dumps(descriptor, sort_keys=True, ensure_ascii=False)
        key = hashlib.sha256(text.encode()).hexdigest()
        with self.transaction():
            self.db.execute(
                "INSERT OR IGNORE INTO models (key, model, model_dir, descriptor, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (key, model, model_dir, text, time.time()),
            )
        return key

    # --- entries ----------------------------------------------------------------------------
    def lookup(self, model_key: str, sources: Sequence[str]) -> dict[str, Translation]:
        """The stored translation (with its score and flags) of each of ``sources`` that has
        one; counts the hits. A malformed row (not what ``store`` writes: edited by hand,
        damaged) is a miss, and is deleted so that the fresh translation takes its place."""
        found: dict[str, Translation] = {}
        malformed: list[str] = []
        unique = list(dict.fromkeys(sources))
        for start in range(0, len(unique), _VARIABLES):
            chunk = unique[start : start + _VARIABLES]
            rows = self.db.execute(
                "SELECT source, translation, score, flags FROM entries WHERE model_key = ? "
                f"AND source IN ({','.join('?' * len(chunk))})",
                (model_key, *chunk),
            ).fetchall()
            for source, text, score, flags in rows:
                translation = _translation(text, score, flags)
                if translation is None:
                    malformed.append(source)
                else:
                    found[str(source)] = translation
        if malformed:
            logger.warning(
                "translation memory %s: %d malformed entries dropped, translated again",
                self.path,
                len(malformed),
            )
        if found or malformed:
            counts: dict[str, int] = {}
            for source in sources:
                if source in found:
                    counts[source] = counts.get(source, 0) + 1
            with self.transaction():
                self.db.executemany(
                    "UPDATE entries SET hits = hits + ? WHERE model_key = ? AND source = ?",
                    [(n, model_key, s) for s, n in counts.items()],
                )
                self.db.executemany(
                    "DELETE FROM entries WHERE model_key = ? AND source = ?",
                    [(model_key, s) for s in malformed],
                )
        return found

    def store(self, model_key: str, items: Iterable[tuple[str, Translation]]) -> None:
        """Insert ``(source, translation)`` pairs with their score and flags; a pair another
        process stored first wins (both are the same model's output for the same text)."""
        now = time.time()
        rows = [
            (model_key, source, t.text, t.score, json.dumps(list(t.flags)), now)
            for source, t in items
        ]
        if not rows:
            return
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO entries "
                "(model_key, source, translation, score, flags, created) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    # --- maintenance ------------------------------------------------------------------------
    def stats(self) -> Stats:
        entries, hits = self.db.execute(
            "SELECT count(*), coalesce(sum(hits), 0) FROM entries"
        ).fetchone()
        models = self.db.execute(
            "SELECT m.model, count(e.source), coalesce(sum(e.hits), 0) FROM models m "
            "LEFT JOIN entries e ON e.model_key = m.key GROUP BY m.model ORDER BY m.model"
        ).fetchall()
        size = sum(
            Path(str(self.path) + suffix).stat().st_size
            for suffix in ("", "-wal")
            if Path(str(self.path) + suffix).exists()
        )
        return Stats(
            self.path,
            int(entries),
            size,
            int(hits),
            [(str(m), int(e), int(h)) for m, e, h in models],
        )

    def clear(self, model: str | None = None) -> int:
        """Delete every entry (or those of ``model``, by name or folder); returns how many."""
        with self.transaction():
            if model is None:
                removed = self.db.execute("DELETE FROM entries").rowcount
                self.db.execute("DELETE FROM models")
            else:
                folder = str(Path(model).expanduser().resolve())
                keys = [
                    str(row[0])
                    for row in self.db.execute(
                        "SELECT key FROM models WHERE model = ? OR model_dir = ?", (model, folder)
                    )
                ]
                removed = 0
                for key in keys:
                    removed += self.db.execute(
                        "DELETE FROM entries WHERE model_key = ?", (key,)
                    ).rowcount
                    self.db.execute("DELETE FROM models WHERE key = ?", (key,))
        if model is None:
            self.db.execute("VACUUM")
        return int(removed)

    def entries(self, model: str | None = None) -> Iterator[Entry]:
        """Every well-formed entry (of ``model``); malformed rows are skipped, and counted in
        ``skipped``."""
        query = (
            "SELECT m.model, m.descriptor, e.source, e.translation, e.score, e.flags, e.hits, "
            "e.created, m.source_lang, m.target_lang FROM entries e "
            "JOIN models m ON m.key = e.model_key"
        )
        args: tuple[str, ...] = ()
        if model is not None:
            query += " WHERE m.model = ?"
            args = (model,)
        for row in self.db.execute(query + " ORDER BY e.created, e.source", args):
            entry = _entry(row)
            if entry is None:
                self.skipped += 1
            else:
                yield entry


def _translation(text: object, score: object, flags: object) -> Translation | None:
    """A stored row as ``store`` wrote it, or None for anything else."""
    if not isinstance(text, str):
        return None
    if score is not None and not isinstance(score, int | float):
        return None
    evidence = _flags(flags)
    if evidence is None:
        return None
    return Translation(text, None if score is None else float(score), tuple(evidence))


def _flags(flags: object) -> list[str] | None:
    """The flags column: a JSON list of strings, or empty; None when it is anything else."""
    if flags is None or flags == "":
        return []
    if not isinstance(flags, str):
        return None
    try:
        value = json.loads(flags)
    except ValueError:
        return None
    if not isinstance(value, list) or not all(isinstance(flag, str) for flag in value):
        return None
    return value


def _entry(row: Sequence[Any]) -> Entry | None:
    model, described, source, text, score, flags, hits, created, source_lang, target_lang = row
    translation = _translation(text, score, flags)
    try:
        descriptor = json.loads(described) if isinstance(described, str) else None
    except ValueError:
        descriptor = None
    if (
        translation is None
        or not isinstance(descriptor, dict)
        or not all(isinstance(v, str) for v in (model, source, source_lang, target_lang))
        or not isinstance(hits, int)
        or not isinstance(created, int | float)
    ):
        return None
    return Entry(
        model,
        descriptor,
        source,
        translation.text,
        translation.score,
        None if flags in (None, "") else list(translation.flags),
        hits,
        float(created),
        source_lang,
        target_lang,
    )


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``: takes the write lock up front, so two writers never
    deadlock upgrading read locks (which SQLite reports as "database is locked")."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")


def open_store(path: Path | None = None, *, create: bool = False) -> MemoryStore:
    """The store for ``memory`` commands; ``MemoryUnavailable`` when it cannot be opened."""
    return MemoryStore(path or default_path(), create=create)
