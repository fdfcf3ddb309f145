"""Running the CLI in process with a fake terminal (httpie-style), for the contract tests."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate_cli.cli import run
from translate_cli.pipeline import SilentHooks
from translate_cli.terminal import Environment

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "artikel-banjir-semarang.txt"
ARTICLE = EXAMPLE.read_text(encoding="utf-8")


class FakeStream(io.BytesIO):
    def __init__(self, data: bytes = b"", *, tty: bool = False) -> None:
        super().__init__(data)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    env: Environment


def fake_environment(
    input: str | bytes | None = None,
    *,
    stdin_tty: bool = False,
    stdout_tty: bool = False,
    stderr_tty: bool = False,
    width: int | None = None,
) -> Environment:
    data = input.encode() if isinstance(input, str) else (input or b"")
    return Environment(
        stdin=FakeStream(data, tty=stdin_tty),
        stdout=FakeStream(tty=stdout_tty),
        stderr=io.StringIO(),
        stdin_isatty=stdin_tty,
        stdout_isatty=stdout_tty,
        stderr_isatty=stderr_tty,
        width=width if width is not None else (100 if stdout_tty else None),
        color=False,
    )


def invoke(*args: str, input: str | bytes | None = None, **terminal: Any) -> Result:
    """``translate-cli ARGS`` in this process; stdout and stderr captured."""
    env = fake_environment(input, **terminal)
    code = run(list(args), env)
    assert isinstance(env.stdout, io.BytesIO) and isinstance(env.stderr, io.StringIO)
    return Result(code, env.stdout.getvalue().decode("utf-8"), env.stderr.getvalue(), env)


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class RecordingHooks(SilentHooks):
    """Pipeline hooks that keep every notice (no progress, no spinners)."""

    def __init__(self) -> None:
        self.notices: list[str] = []

    def notice(self, message: str) -> None:
        self.notices.append(message)
