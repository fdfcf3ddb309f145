"""Settings precedence: flags > TRANSLATE_CLI_* environment > config file > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate_cli.config import DEFAULT_MODEL, Settings, load_config_file, resolve_settings
from translate_cli.errors import UsageError


def test_defaults() -> None:
    settings = resolve_settings({}, env={}, file_values={})
    assert settings == Settings()
    assert settings.model == DEFAULT_MODEL and settings.beam_size == 4


def test_each_layer_overrides_the_one_below() -> None:
    file_values = {"beam_size": 2, "model": "file/model", "batch_size": 8}
    env = {"TRANSLATE_CLI_BEAM_SIZE": "3", "TRANSLATE_CLI_MODEL": "env/model"}
    flags = {"beam_size": 5, "model": None}
    settings = resolve_settings(flags, env=env, file_values=file_values)
    assert settings.beam_size == 5  # flag
    assert settings.model == "env/model"  # env beats file
    assert settings.batch_size == 8  # file beats default
    assert settings.device == "auto"  # default


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TRANSLATE_CLI_BEAM_SIZE": "many"}, "TRANSLATE_CLI_BEAM_SIZE: expected a whole number"),
        ({"TRANSLATE_CLI_BEAM_SIZE": "0"}, "must be at least 1"),
        ({"TRANSLATE_CLI_DEVICE": "tpu"}, "expected one of auto, cpu, cuda"),
    ],
)
def test_bad_values_name_their_origin(env: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        resolve_settings({}, env=env, file_values={})


def test_config_file_is_toml_and_unknown_keys_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "x/y"\nbeam_size = 6\n')
    assert load_config_file(path) == {"model": "x/y", "beam_size": 6}
    with pytest.raises(UsageError, match="unknown setting"):
        resolve_settings({}, env={}, file_values={"beem_size": 3})
    path.write_text("model = \n")
    with pytest.raises(UsageError, match="unreadable"):
        load_config_file(path)
    assert load_config_file(tmp_path / "missing.toml") == {}


def test_llm_settings_come_from_env_and_file_too() -> None:
    settings = resolve_settings(
        {"llm_timeout": None},
        env={"TRANSLATE_CLI_LLM_URL": "http://127.0.0.1:8080"},
        file_values={"llm_model": "qwen", "llm_timeout": 30},
    )
    assert (settings.llm_url, settings.llm_model, settings.llm_timeout) == (
        "http://127.0.0.1:8080",
        "qwen",
        30.0,
    )
    with pytest.raises(UsageError, match="expected a number"):
        resolve_settings({}, env={"TRANSLATE_CLI_LLM_TIMEOUT": "soon"}, file_values={})
