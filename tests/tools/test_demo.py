"""``make demo`` (tools/demo.py) offline: a calm notice with an absolute path, then the run; and
``make install`` taking torch from the index named by ``TORCH_INDEX_URL``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_offline_demo_is_a_calm_notice_and_runs(tiny_model: Path, tmp_path: Path) -> None:
    # The test session is offline (HF_HUB_OFFLINE), as a first run often is. The demo model is
    # named relative to the current folder, as the Makefile names it.
    relative = os.path.relpath(tiny_model, tmp_path)
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "demo.py"), relative],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr.lower()
    advice = f"--model {tiny_model.resolve()}"  # absolute: it works from any folder
    assert done.stderr.count(advice) == 2  # before the output and again after it
    assert "its English is noise" in done.stderr
    assert "Summary (English):" in done.stdout


def _install_commands(*variables: str) -> list[str]:
    """What ``make install`` would run on a fresh clone (``-n``: nothing runs)."""
    done = subprocess.run(
        ["make", "-n", "-B", ".venv/.installed", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [line for line in done.stdout.splitlines() if "pip install" in line]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_install_takes_torch_from_the_index_named() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pinned = next(d for d in project["dependencies"] if d.startswith("torch=="))
    cpu = "https://download.pytorch.org/whl/cpu"
    commands = _install_commands(f"TORCH_INDEX_URL={cpu}")
    assert commands[1].endswith(f"pip install --quiet {pinned} --index-url {cpu}")
    assert commands[2].endswith("pip install --quiet -e .")  # torch is then already there
    assert not any("torch" in line for line in _install_commands())  # pip's default index
