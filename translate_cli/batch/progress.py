"""Batch progress on stderr: one line for the whole archive, then one summary line.

The line counts documents done of the total, with the rate and the time left, and moves with
each record (the local executor reports every record; Ray, every shard); the sentences of the
document being translated are its detail. On a terminal it is rewritten in place (at most
every ``TTY_EVERY_S`` seconds); in a log (stderr not a terminal) it is a line every
``LOG_EVERY_S`` seconds. The summary line at the end is always written, unless ``--quiet``.

Inside a batch the pipeline's own progress bars and spinners are silenced (``RecordHooks``):
they would restart for every record and overwrite this line.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import IO, TYPE_CHECKING

from translate_cli.humanize import printable

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from translate_cli.pipeline import Hooks, Tick

LOG_EVERY_S = 30.0
TTY_EVERY_S = 0.5
_CLEAR = "\r\x1b[2K"


def duration(elapsed: float) -> str:
    seconds = max(0, round(elapsed))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class BatchProgress:
    def __init__(
        self, stream: IO[str], total: int, *, tty: bool, quiet: bool, prog: str = "translate-cli"
    ) -> None:
        self.stream = stream
        self.total = total
        self.tty = tty
        self.quiet = quiet
        self.prog = prog
        self.start = time.monotonic()
        self.documents = 0  # committed in a shard
        self.failed = 0
        self.sentences = 0
        # Records reported done whose shard is not committed yet: shard number → (documents,
        # sentences). A shard's commit replaces its records' counts.
        self._pending: dict[int, tuple[int, int]] = {}
        self._detail = ""
        self._shown = self.start
        self._drawn = False

    # --- what the batch reports -----------------------------------------------------------
    def record(self, shard: int, sentences: int) -> None:
        """One record of ``shard`` done (its shard not yet committed)."""
        documents, done = self._pending.get(shard, (0, 0))
        self._pending[shard] = (documents + 1, done + sentences)
        self._detail = ""
        self._maybe_show()

    def sentences_of_document(self, done: int, total: int) -> None:
        """The document being translated: ``done`` of its ``total`` sentences."""
        self._detail = f"now {done}/{total} sentences"
        self._maybe_show()

    def update(self, documents: int, failed: int, sentences: int, shard: int | None = None) -> None:
        """A shard committed: its written and failed records and their sentences."""
        if shard is not None:
            self._pending.pop(shard, None)
        self.documents += documents
        self.failed += failed
        self.sentences += sentences
        self._maybe_show()

    # --- what it shows --------------------------------------------------------------------
    def done(self) -> tuple[int, int]:
        """Documents and sentences done so far, committed or not."""
        documents = self.documents + self.failed + sum(d for d, _ in self._pending.values())
        return documents, self.sentences + sum(s for _, s in self._pending.values())

    def rates(self, now: float | None = None) -> tuple[float, float, float]:
        elapsed = max(1e-9, (now or time.monotonic()) - self.start)
        documents, sentences = self.done()
        return elapsed, documents / elapsed, sentences / elapsed

    def line(self, now: float | None = None) -> str:
        _, docs, sents = self.rates(now)
        done, _ = self.done()
        eta = duration((self.total - done) / docs) if done else "--"
        failed = f" ({self.failed} failed)" if self.failed else ""
        detail = f"; {self._detail}" if self._detail and self.tty else ""
        return (
            f"batch: {done}/{self.total} documents{failed}, {docs:.2f} docs/s, "
            f"{sents:.1f} sentences/s, ETA {eta}{detail}"
        )

    def clear(self) -> None:
        """Take the line off the terminal (before another line is written below it)."""
        if self._drawn:
            self._drawn = False
            self._emit(_CLEAR)

    def finish(self, summary: str) -> None:
        if self.quiet:
            return
        self.clear()
        self._emit(f"{self.prog}: {printable(summary)}\n")

    def _maybe_show(self) -> None:
        now = time.monotonic()
        every = TTY_EVERY_S if self.tty else LOG_EVERY_S
        if self.quiet or now - self._shown < every:
            return
        self._shown = now
        text = f"{self.prog}: {self.line(now)}"
        if not self.tty:
            self._emit(text + "\n")
            return
        width = self._width() - 1  # a line that wraps cannot be rewritten in place
        self._drawn = True
        self._emit(f"{_CLEAR}{text[:width]}")

    def _width(self) -> int:
        try:
            return os.get_terminal_size(self.stream.fileno()).columns
        except (AttributeError, OSError, ValueError):  # not a real terminal (a test's stream)
            return shutil.get_terminal_size((100, 24)).columns

    def _emit(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (BrokenPipeError, ValueError):
            pass


class RecordHooks:
    """The pipeline's hooks while a batch runs its records: no bar or spinner of its own (the
    sentences of a document become the batch line's detail), notices written above the line."""

    shows_progress = False

    def __init__(self, hooks: Hooks, progress: BatchProgress) -> None:
        self.hooks = hooks
        self.batch = progress

    @contextmanager
    def progress(self, total: int, label: str) -> Iterator[Tick | None]:
        done = 0

        def tick(count: int) -> None:
            nonlocal done
            done += count
            self.batch.sentences_of_document(done, total)

        yield tick

    def status(self, label: str) -> AbstractContextManager[None]:
        return nullcontext()

    def notice(self, message: str) -> None:
        self.batch.clear()
        self.hooks.notice(message)

    @property
    def quiet(self) -> bool:
        return bool(getattr(self.hooks, "quiet", False))
