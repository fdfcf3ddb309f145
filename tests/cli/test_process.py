"""Whole-process behaviour: start-up imports, pipes closed early, stdin on a terminal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from translate_cli.cli.plugins import PLUGINS_VARIABLE

CLI = [sys.executable, "-m", "translate_cli"]


def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, **kwargs)  # type: ignore[call-overload]


class Child(NamedTuple):
    """What a whole ``translate-cli`` process did: its output, exit status and the modules it
    had imported by the end."""

    stdout: str
    status: object
    modules: frozenset[str]


def _child(*argv: str, stdin: bytes | None = None, plugins: bool = True) -> Child:
    """``translate-cli ARGV`` in a fresh process (``stdin`` its standard input); ``plugins``
    False leaves out the suite's fake engine (conftest), which imports the engines' registry."""
    code = (
        "import io, json, runpy, sys\n"
        f"sys.argv = ['translate-cli', *{list(argv)!r}]\n"
        + ("" if stdin is None else f"sys.stdin = io.TextIOWrapper(io.BytesIO({stdin!r}))\n")
        + "status = 0\n"
        "try:\n    runpy.run_module('translate_cli', run_name='__main__')\n"
        "except SystemExit as done:\n    status = done.code\n"
        "print('CHILD', json.dumps([status, sorted(sys.modules)]), file=sys.stderr)\n"
    )
    env = dict(os.environ)
    if not plugins:
        env.pop(PLUGINS_VARIABLE, None)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    line = next(line for line in result.stderr.splitlines() if line.startswith("CHILD "))
    status, modules = json.loads(line.removeprefix("CHILD "))
    return Child(result.stdout, status, frozenset(modules))


def test_help_and_segment_never_import_torch_or_transformers() -> None:
    modules = _child("segment", "-", stdin=b"Halo. Apa kabar?").modules
    heavy = [m for m in ("torch", "transformers", "ctranslate2", "huggingface_hub") if m in modules]
    assert heavy == [], heavy
    assert run("--help").returncode == 0


def _modules_after(*argv: str) -> list[str]:
    """The package's modules a whole process imported to answer ``translate-cli ARGV``."""
    modules = _child(*argv, plugins=False).modules
    return sorted(m for m in modules if m.startswith("translate_cli"))


@pytest.mark.parametrize("argv", [["--help"], [], ["--version"]])
def test_the_root_help_and_version_load_no_command(argv: list[str]) -> None:
    """The root lists the commands from their summaries (cli/root.py): none is imported, so
    neither are the pipeline, the registries its options' choices come from, or typer's
    building of forty options."""
    loaded = _modules_after(*argv)
    assert "translate_cli.cli.root" in loaded
    heavy = [
        m
        for m in loaded
        if m.startswith(
            (
                "translate_cli.cli.commands",
                "translate_cli.pipeline",
                "translate_cli.config",
                "translate_cli.batch",
                "translate_cli.segment",
            )
        )
    ]
    assert heavy == []


def test_a_command_loads_when_it_runs() -> None:
    assert "translate_cli.cli.commands" in _modules_after("segment", "--help")


def test_closed_pipe_is_not_an_error(tmp_path: Path) -> None:
    article = tmp_path / "long.txt"
    article.write_text("Ini kalimat yang cukup panjang untuk diuji. " * 50_000, encoding="utf-8")
    process = subprocess.Popen(
        [*CLI, "segment", str(article)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # like `| head -1`
    status = process.wait(timeout=120)
    stderr = process.stderr.read().decode()
    assert first.startswith(b"Ini kalimat")
    assert status == 0, stderr
    assert stderr == ""


def test_no_input_on_a_terminal_is_a_usage_error() -> None:
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [*CLI, "segment"], stdin=follower, capture_output=True, text=True, timeout=60
        )
    finally:
        os.close(leader)
        os.close(follower)
    assert result.returncode == 2
    assert "no input" in result.stderr


def test_quiet_pipeline_writes_nothing_to_stderr(tiny_model: Path) -> None:
    result = subprocess.run(
        [*CLI, "translate", "-", "--model", str(tiny_model), "--format", "jsonl"],
        input="Banjir merendam rumah warga. Polisi menyelidiki kebakaran.",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 2


def test_help_into_a_closed_pipe_exits_0() -> None:
    for args in (["--help"], ["run", "--help"], ["--version"]):
        reader, writer = os.pipe()
        os.close(reader)  # the reader is gone before anything is written (`| head -0`)
        try:
            result = subprocess.run(
                [*CLI, *args], stdout=writer, stderr=subprocess.PIPE, text=True, timeout=60
            )
        finally:
            os.close(writer)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stderr == ""


def test_shell_completion_is_on() -> None:
    # typer guesses the shell from the parent processes, which a CI runner may not have:
    # this variable makes --show-completion take the shell's name instead.
    no_guess = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    script = run("--show-completion", "bash", env=no_guess)
    assert script.returncode == 0 and "complete" in script.stdout
    env = {
        **os.environ,
        "_TRANSLATE_CLI_COMPLETE": "complete_bash",
        "COMP_WORDS": "translate-cli summ",
        "COMP_CWORD": "1",
    }
    completed = subprocess.run(
        [sys.executable, "-c", "from translate_cli.cli import main; main()"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert completed.stdout.split() == ["summarize"]


def in_a_terminal(args: list[str], env: dict[str, str], columns: int = 80) -> str:
    """Run the CLI with stdout and stderr on a pseudo-terminal; everything it drew, raw."""
    import fcntl
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    process = subprocess.Popen(
        [*CLI, *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": str(columns), "TERM": "xterm", **env},
    )
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the terminal's other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode("utf-8", errors="replace")


def test_in_a_terminal_the_progress_bar_is_gone_before_the_table(tmp_path: Path) -> None:
    import re

    article = tmp_path / "long.txt"
    article.write_text(
        " ".join(f"Ini kalimat nomor {i} yang cukup panjang." for i in range(300)), encoding="utf-8"
    )
    drawn = in_a_terminal(["translate", str(article)], {"TRANSLATE_CLI_ENGINE": "fake"})
    plain = re.sub(r"\x1b\[[0-9;]*m", "", drawn)  # colours are not positions
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "\n", plain)  # a cursor move or erase is
    assert "┏" in plain  # a table was drawn
    assert "Translating" in plain  # and a progress bar before it
    for segment in re.split(r"[\r\n]", plain):
        assert not ("Translating" in segment and "┏" in segment), segment


def test_sigterm_while_writing_a_file_exits_143_and_leaves_nothing_behind(tmp_path: Path) -> None:
    import signal
    import time

    target = tmp_path / "out.txt"
    target.write_text("old\n")
    # stdin stays open, so the command waits for its input with the output already opened
    process = subprocess.Popen(
        [*CLI, "segment", "-", "-o", str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".out.txt.") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline, "the output was never opened"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 143
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_full_disk_on_stdout_is_exit_5_with_one_line() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "artikel-banjir-semarang.txt"
    for unbuffered in ("", "1"):
        env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
        with open("/dev/full", "wb") as full:
            result = subprocess.run(
                [*CLI, "segment", str(example), "-f", "jsonl"],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=60,
                env=env,
            )
        assert result.returncode == 5, result.stderr
        assert result.stderr == "translate-cli: error: disk full writing standard output\n"


def test_translate_starts_without_pydantic_or_the_batch_machinery() -> None:
    """Start-up: typer's pydantic coercion (cli/plain_values.py) and the batch package's
    machinery (batch/job.py) are about 0.1 s of a one-sentence translate; neither loads."""
    # The suite's plug-in (conftest) gives the child process the engine "fake".
    child = _child(
        *("translate", "-", "--engine", "fake", "--format", "jsonl", "--beam-size", "2"),
        *("--batch-size", "8", "--no-memory", "--no-guard"),
        stdin=b"Halo. Apa kabar?",
    )
    assert [json.loads(line)["source"] for line in child.stdout.splitlines()] == [
        "Halo.",
        "Apa kabar?",
    ]
    assert child.status == 0
    assert "pydantic" not in child.modules and "translate_cli.batch.job" not in child.modules
