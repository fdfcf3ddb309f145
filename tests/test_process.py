"""Whole-process behaviour: start-up imports, pipes closed early, stdin on a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

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
