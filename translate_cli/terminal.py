"""The terminal a command runs in: streams, which of them are terminals, width, colour.

Passed in, never read from ``sys`` inside the commands, so tests hand the CLI a fake one
(httpie's ``Environment``). It also decides the manners: progress bars and spinners only when
stderr is a terminal; notices (an engine fallback, a licence) on stderr unless ``--quiet`` —
also in a pipe, because a script's log should show them too. Every line it writes is made
``printable`` first: text from a web page or a file name never reaches the terminal as a control
sequence.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from translate_cli.humanize import printable

PROG = "translate-cli"

Tick = Callable[[int], None]


@dataclass
class Environment:
    stdin: BinaryIO
    stdout: BinaryIO
    stderr: IO[str]
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    stderr_isatty: bool = False
    width: int | None = None
    color: bool = False
    quiet: bool = False

    @classmethod
    def from_sys(cls) -> Environment:
        stdout_tty = _isatty(sys.stdout)
        return cls(
            stdin=sys.stdin.buffer,
            stdout=sys.stdout.buffer,
            stderr=sys.stderr,
            stdin_isatty=_isatty(sys.stdin),
            stdout_isatty=stdout_tty,
            stderr_isatty=_isatty(sys.stderr),
            width=shutil.get_terminal_size((100, 24)).columns if stdout_tty else None,
            color=stdout_tty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb",
        )

    # --- messages -------------------------------------------------------------------------
    def error(self, message: str, hint: str | None = None) -> None:
        self._line(f"{PROG}: error: {message}")
        if hint:
            self._line(f"{PROG}: {hint}")

    def notice(self, message: str) -> None:
        """A one-line notice on stderr (not with --quiet)."""
        if not self.quiet:
            self._line(f"{PROG}: {message}")

    def _line(self, text: str) -> None:
        try:
            self.stderr.write(printable(text) + "\n")
            self.stderr.flush()
        except (BrokenPipeError, ValueError):  # stderr closed: nothing left to tell
            pass

    # --- progress -------------------------------------------------------------------------
    @property
    def shows_progress(self) -> bool:
        return not self.quiet and self.stderr_isatty

    @contextmanager
    def progress(self, total: int, label: str) -> Iterator[Tick | None]:
        """A transient progress bar on stderr (a terminal only); yields its tick callback.

        The bar is erased when the block ends: render output after the block, so nothing is
        printed on the bar's line.
        """
        if not self.shows_progress or total == 0:
            yield None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self._console(),
            transient=True,
        ) as bar:
            task = bar.add_task(_label(label), total=total)
            yield lambda done: bar.advance(task, done)

    @contextmanager
    def status(self, label: str) -> Iterator[None]:
        """A spinner with ``label`` on stderr while a slow step runs (a terminal only)."""
        if not self.shows_progress:
            yield
            return
        with self._console().status(_label(label)):
            yield

    def _console(self) -> Any:
        from rich.console import Console

        return Console(file=self.stderr, stderr=True)


def _label(text: str) -> str:
    """A progress label as rich shows it: printable, its brackets not read as markup."""
    from rich.markup import escape

    return escape(printable(text))


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
