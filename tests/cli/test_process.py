"""Whole-process behaviour: start-up imports, pipes closed early, stdin on a terminal."""

from __future__ import annotations

import ast
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from translate_cli.cli.plugins import PLUGINS_VARIABLE

CLI = [sys.executable, "-m", "translate_cli"]


def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, **kwargs)  # type: ignore[call-overload]


def test_help_and_segment_never_import_torch_or_transformers() -> None:
    code = (
        "import sys, runpy\n"
        "sys.argv = ['translate-cli', 'segment', '-']\n"
        "import io; sys.stdin = io.TextIOWrapper(io.BytesIO(b'Halo. Apa kabar?'))\n"
        "try:\n    runpy.run_module('translate_cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'huggingface_hub')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert "HEAVY []" in result.stderr, result.stderr
    assert run("--help").returncode == 0


def _modules_after(*argv: str) -> list[str]:
    """The package's modules a whole process imported to answer ``translate-cli ARGV``."""
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['translate-cli', *{list(argv)!r}]\n"
        "try:\n    runpy.run_module('translate_cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('MODULES', sorted(m for m in sys.modules if m.startswith('translate_cli')),"
        " file=sys.stderr)\n"
    )
    # No plug-in: the suite's fake engine (conftest) would import the engines' registry.
    env = {k: v for k, v in os.environ.items() if k != PLUGINS_VARIABLE}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env
    )
    line = next(line for line in result.stderr.splitlines() if line.startswith("MODULES "))
    return list(ast.literal_eval(line.removeprefix("MODULES ")))


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
    code = (
        "import sys, runpy, io\n"
        "sys.argv = ['translate-cli', 'translate', '-', '--engine', 'fake', '--format', 'jsonl',"
        " '--beam-size', '2', '--batch-size', '8', '--no-memory', '--no-guard']\n"
        "sys.stdin = io.TextIOWrapper(io.BytesIO(b'Halo. Apa kabar?'))\n"
        "try:\n    runpy.run_module('translate_cli', run_name='__main__')\n"
        "except SystemExit as done:\n    print('EXIT', done.code, file=sys.stderr)\n"
        "print('PYDANTIC', 'pydantic' in sys.modules, file=sys.stderr)\n"
        "print('JOB', 'translate_cli.batch.job' in sys.modules, file=sys.stderr)\n"
    )
    # The suite's plug-in (conftest) gives the child process the engine "fake".
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [
        "Halo.",
        "Apa kabar?",
    ], result.stderr
    assert "EXIT 0" in result.stderr, result.stderr
    assert "PYDANTIC False" in result.stderr and "JOB False" in result.stderr, result.stderr
