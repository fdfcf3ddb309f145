"""Batch progress on stderr: documents and sentences a second, and the time left.

On a terminal one line is rewritten in place; in a log (stderr not a terminal) a line is
written every ``LOG_EVERY_S`` seconds. The summary line at the end is always written, unless
``--quiet``.
"""

from __future__ import annotations

import time
from typing import IO

LOG_EVERY_S = 30.0
TTY_EVERY_S = 0.5


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
        self.documents = 0
        self.failed = 0
        self.sentences = 0
        self._shown = self.start

    def update(self, documents: int, failed: int, sentences: int) -> None:
        self.documents += documents
        self.failed += failed
        self.sentences += sentences
        now = time.monotonic()
        every = TTY_EVERY_S if self.tty else LOG_EVERY_S
        if not self.quiet and now - self._shown >= every:
            self._shown = now
            self._write(self.line(now), final=False)

    def rates(self, now: float | None = None) -> tuple[float, float, float]:
        elapsed = max(1e-9, (now or time.monotonic()) - self.start)
        return elapsed, (self.documents + self.failed) / elapsed, self.sentences / elapsed

    def line(self, now: float | None = None) -> str:
        _, docs, sents = self.rates(now)
        done = self.documents + self.failed
        left = (self.total - done) / docs if docs > 0 else 0.0
        return (
            f"batch: {done}/{self.total} documents, {docs:.2f} docs/s, {sents:.1f} sentences/s, "
            f"ETA {duration(left)}"
        )

    def finish(self, summary: str) -> None:
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r\x1b[2K")
        self._write(summary, final=True)

    def _write(self, text: str, *, final: bool) -> None:
        try:
            if self.tty and not final:
                self.stream.write(f"\r\x1b[2K{self.prog}: {text}")
            else:
                self.stream.write(f"{self.prog}: {text}\n")
            self.stream.flush()
        except (BrokenPipeError, ValueError):
            pass
