"""The plug-in hook (``TRANSLATE_CLI_PLUGINS``), and the fake engine living only in the tests.

Each case runs the CLI as a child process from an empty folder, as a user would: the session's
environment (``tests/conftest.py``) names the fake engine's plug-in, and these cases take it
away or name others.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FAKE_ENGINE_PLUGIN
from translate_cli.cli.plugins import PLUGINS_VARIABLE, plugin_modules


def cli(
    *args: str, plugins: str | None, cwd: Path, input: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != PLUGINS_VARIABLE}
    if plugins is not None:
        env[PLUGINS_VARIABLE] = plugins
    return subprocess.run(
        [sys.executable, "-m", "translate_cli", *args],
        input=input,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_the_fake_engine_is_not_part_of_translate_cli(tmp_path: Path) -> None:
    result = cli("translate", "x", "--engine", "fake", plugins=None, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[0] == (
        "translate-cli: error: --engine: 'fake' is not one of auto, ctranslate2, transformers"
    )
    assert not (Path(__file__).parents[2] / "translate_cli" / "testing.py").exists()


def test_a_plugin_named_in_the_environment_registers_the_fake_engine(tmp_path: Path) -> None:
    plugins = f" {FAKE_ENGINE_PLUGIN} ,"  # spaces and an empty name are allowed
    result = cli(
        "translate", "-", "--engine", "fake", plugins=plugins, cwd=tmp_path, input="Satu dua.\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "EN Satu dua.\n"


def test_a_plugin_that_cannot_be_imported_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "broken_plugin.py").write_text("raise RuntimeError('no luck')\n")
    for plugins, reason in [
        ("no_such_plugin_module", "No module named 'no_such_plugin_module'"),
        ("broken_plugin", "no luck"),
    ]:
        # `python -m` puts the working folder on sys.path: broken_plugin is importable
        result = cli("segment", "-", plugins=plugins, cwd=tmp_path, input="Satu.\n")
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr == (
            f"translate-cli: error: {PLUGINS_VARIABLE}: cannot import {plugins!r}: {reason}\n"
        )


def test_plugin_names_are_comma_separated_and_blanks_ignored() -> None:
    assert plugin_modules({}) == []
    assert plugin_modules({PLUGINS_VARIABLE: " a.b , ,c,"}) == ["a.b", "c"]
