"""Exceptions that carry their exit status; ``cli.py`` is the one place they become exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Every exit code the command documents (docs/output.md, "Exit codes")."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    MODEL_UNAVAILABLE = 3
    BAD_INPUT = 4
    OUTPUT_FAILED = 5  # the output could not be written in full (disk full, I/O error)
    HANGUP = 129  # 128 + SIGHUP
    INTERRUPTED = 130  # 128 + SIGINT
    TERMINATED = 143  # 128 + SIGTERM


class TranslateCliError(Exception):
    """Base for errors a user can cause; the message is shown as one line, without traceback."""

    exit_status: ExitStatus = ExitStatus.FAILURE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(TranslateCliError):
    """Options that contradict each other or values out of range."""

    exit_status = ExitStatus.USAGE


class ModelUnavailableError(TranslateCliError):
    """The model is neither cached nor reachable, or no such model exists."""

    exit_status = ExitStatus.MODEL_UNAVAILABLE


class InputError(TranslateCliError):
    """Input that cannot be read as text: missing, unreadable, binary or undecodable."""

    exit_status = ExitStatus.BAD_INPUT


class RuntimeFailure(TranslateCliError):
    """Something failed while running (engine crash, server answered nonsense, ...)."""

    exit_status = ExitStatus.FAILURE


class OutputError(TranslateCliError):
    """The output could not be written in full: disk full, quota, I/O error."""

    exit_status = ExitStatus.OUTPUT_FAILED
