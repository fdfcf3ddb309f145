"""Translation memory: a ``TranslatorLayer`` that answers texts it has translated before.

Entries live in one SQLite database (WAL mode, so many processes read and write it at once),
keyed by everything that decides an output: the model's *content* fingerprint (not its name),
the engine actually used, its compute type, device and beam size, the library versions, and
the cleaned source text (what the engine itself sees). A hit skips the engine and returns the
stored bytes, so output with the memory equals output without it.

The memory is an optimisation, never a source of failure: a database that cannot be opened,
read or written is one notice (logged on ``translate_cli``) and the run goes on without it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translate_cli.engines.base import (
    ProgressCallback,
    Translation,
    Translator,
    TranslatorLayer,
    translations,
    windows,
)
from translate_cli.engines.seq2seq import clean_for_model

if TYPE_CHECKING:
    from translate_cli.config import Settings

logger = logging.getLogger("translate_cli")

FILE_NAME = "memory.sqlite3"
SCHEMA_VERSION = 1
WINDOW = 256  # texts looked up together; a multiple of the seq2seq engines' window
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
CREATE TABLE IF NOT EXISTS file_digests (
    path TEXT PRIMARY KEY,           -- a model file's resolved path
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    digest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class MemoryUnavailable(Exception):
    """The database cannot be used; callers run without the memory."""


def default_path() -> Path:
    """``<user cache dir>/translate-cli/memory.sqlite3`` (``$TRANSLATE_CLI_CACHE_DIR`` moves it)."""
    from translate_cli.engines.ct2_cache import cache_root

    return cache_root() / FILE_NAME


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
        one; counts the hits."""
        found: dict[str, Translation] = {}
        unique = list(dict.fromkeys(sources))
        for start in range(0, len(unique), _VARIABLES):
            chunk = unique[start : start + _VARIABLES]
            rows = self.db.execute(
                "SELECT source, translation, score, flags FROM entries WHERE model_key = ? "
                f"AND source IN ({','.join('?' * len(chunk))})",
                (model_key, *chunk),
            ).fetchall()
            for source, text, score, flags in rows:
                evidence = tuple(json.loads(flags)) if flags else ()
                found[str(source)] = Translation(
                    str(text), None if score is None else float(score), evidence
                )
        if found:
            counts: dict[str, int] = {}
            for source in sources:
                if source in found:
                    counts[source] = counts.get(source, 0) + 1
            with self.transaction():
                self.db.executemany(
                    "UPDATE entries SET hits = hits + ? WHERE model_key = ? AND source = ?",
                    [(n, model_key, s) for s, n in counts.items()],
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

    # --- model file digests -----------------------------------------------------------------
    def file_digest(self, path: Path) -> str:
        """SHA-256 of ``path``'s bytes, remembered by path, size and mtime so that a rerun
        does not read hundreds of megabytes again."""
        resolved = path.resolve()
        info = resolved.stat()
        row = self.db.execute(
            "SELECT digest FROM file_digests WHERE path = ? AND size = ? AND mtime_ns = ?",
            (str(resolved), info.st_size, info.st_mtime_ns),
        ).fetchone()
        if row is not None:
            return str(row[0])
        value = _sha256(resolved)
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO file_digests (path, size, mtime_ns, digest) "
                "VALUES (?, ?, ?, ?)",
                (str(resolved), info.st_size, info.st_mtime_ns, value),
            )
        return value

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
            flags = json.loads(row[5]) if row[5] else None
            yield Entry(
                str(row[0]),
                json.loads(row[1]),
                str(row[2]),
                str(row[3]),
                row[4],
                flags,
                int(row[6]),
                float(row[7]),
                str(row[8]),
                str(row[9]),
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


# --- what a translation depends on ----------------------------------------------------------
def model_fingerprint(store: MemoryStore | None, model_dir: Path) -> str:
    """A hash of the model folder's contents: every regular file's name and bytes (config,
    tokenizer files, weights). A renamed or copied model keeps its fingerprint. ``store``
    remembers file digests between runs."""
    digest = hashlib.sha256()
    for path in sorted(model_dir.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        file_digest = store.file_digest(path) if store is not None else _sha256(path)
        digest.update(f"{path.name}\0{file_digest}\0".encode())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _library_versions() -> dict[str, str]:
    """Versions of the libraries that compute translations (already imported by the engine)."""
    versions = {}
    for name in ("ctranslate2", "transformers", "torch"):
        module = sys.modules.get(name)
        version = getattr(module, "__version__", None)
        if version is not None:
            versions[name] = str(version)
    return versions


def descriptor(store: MemoryStore, translator: Translator, settings: Settings) -> dict[str, Any]:
    """Everything that decides ``translator``'s output for a given source text."""
    from translate_cli import __version__

    model_dir = getattr(translator, "model_dir", None)
    options = getattr(translator, "options", None)
    return {
        "fingerprint": (
            model_fingerprint(store, Path(model_dir))
            if model_dir is not None
            else f"no-model:{translator.name}"
        ),
        "engine": translator.name,
        "compute_type": str(getattr(translator, "compute_type", settings.compute_type)),
        "device": str(getattr(translator, "device", settings.device)),
        "beam_size": getattr(options, "beam_size", settings.beam_size),
        "guard": settings.guard,  # the guard decodes degenerate outputs again
        # CTranslate2 plans its batches by worker count, and batch composition can change an
        # int8 result in the last bit: a different thread plan is a different translation.
        "workers": getattr(translator, "workers", None),
        "threads_per_worker": getattr(translator, "threads_per_worker", None),
        "translate_cli": __version__,
        "libraries": _library_versions(),
    }


class MemoryLayer(TranslatorLayer):
    """Answers known texts from the store and sends the rest to ``inner``, window by window,
    still yielding each output as soon as it and those before it are ready."""

    def __init__(
        self, inner: Translator, store: MemoryStore, model_key: str, fingerprint: str
    ) -> None:
        super().__init__(inner)
        self.store: MemoryStore | None = store
        self.model_key = model_key
        self.fingerprint = fingerprint  # the model's content fingerprint
        self.hits = 0
        self.misses = 0

    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        return (t.text for t in self.translate_with_evidence(texts, progress))

    def translate_with_evidence(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Translation]:
        for window in windows(texts, WINDOW):
            yield from self._window(window, progress)

    def _window(self, texts: list[str], progress: ProgressCallback | None) -> Iterator[Translation]:
        cleaned = [clean_for_model(t) for t in texts]
        known = self._guarded(lambda s: s.lookup(self.model_key, [c for c in cleaned if c])) or {}
        missing = [t for t, c in zip(texts, cleaned, strict=True) if c not in known]
        outputs = translations(self.inner, missing, progress) if missing else iter(())
        fresh: dict[str, Translation] = {}
        pending_hits = 0
        for clean in cleaned:
            if clean in known:
                self.hits += 1
                pending_hits += 1
                output = known[clean]
            else:
                if pending_hits and progress is not None:
                    progress(pending_hits)
                pending_hits = 0
                self.misses += 1
                output = next(outputs)
                if clean:
                    fresh[clean] = output
            yield output
        if pending_hits and progress is not None:
            progress(pending_hits)
        if fresh:
            self._guarded(lambda s: s.store(self.model_key, fresh.items()))

    def _guarded(self, action: Any) -> Any:
        """Run ``action(store)``; on a database error say so once and stop using the memory."""
        if self.store is None:
            return None
        try:
            return action(self.store)
        except sqlite3.Error as error:
            logger.warning(
                "translation memory %s failed (%s); continuing without it", self.store.path, error
            )
            self._drop()
            return None

    def _drop(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None

    def close(self) -> None:
        self._drop()
        super().close()


def with_memory(translator: Translator, settings: Settings) -> Translator:
    """``translator`` behind the translation memory the settings name, or as it is when the
    memory is off or cannot be used (said in one notice)."""
    if settings.no_memory:
        return translator
    path = memory_path(settings)
    try:
        store = MemoryStore(path)
        try:
            described = descriptor(store, translator, settings)
            key = store.register(
                described,
                settings.model,
                str(getattr(translator, "model_dir", None) or "") or None,
            )
        except (sqlite3.Error, OSError) as error:
            store.close()
            raise MemoryUnavailable(f"{path}: {error}") from error
    except MemoryUnavailable as error:
        logger.warning("translation memory unusable, running without it: %s", error)
        return translator
    return MemoryLayer(translator, store, key, str(described["fingerprint"]))


def open_store(path: Path | None = None, *, create: bool = False) -> MemoryStore:
    """The store for ``memory`` commands; ``MemoryUnavailable`` when it cannot be opened."""
    return MemoryStore(path or default_path(), create=create)


__all__ = [
    "Entry",
    "MemoryLayer",
    "MemoryStore",
    "MemoryUnavailable",
    "Stats",
    "default_path",
    "fingerprint_of",
    "memory_path",
    "model_fingerprint",
    "open_store",
    "with_memory",
]


def fingerprint_of(translator: Translator, settings: Settings) -> str:
    """The content fingerprint of ``translator``'s model (from the memory when it has one)."""
    if isinstance(translator, MemoryLayer):
        return translator.fingerprint
    model_dir = getattr(translator, "model_dir", None)
    if model_dir is None:
        return f"no-model:{translator.name}"
    return model_fingerprint(None, Path(model_dir))
