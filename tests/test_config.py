"""Settings precedence: flags > TRANSLATE_CLI_* environment > config file > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from translate_cli.config import DEFAULT_MODEL, Settings, load_config_file
from translate_cli.errors import UsageError
from translate_cli.pipeline import resolve_settings


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
        ({"TRANSLATE_CLI_DEVICE": "tpu"}, "is not one of auto, cpu, cuda"),
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


@pytest.mark.parametrize(
    ("file_values", "message"),
    [
        ({"beam_size": True}, "expected a whole number, got true"),
        ({"beam_size": 2.9}, "expected a whole number, got 2.9"),
        ({"batch_size": 1e9}, "expected a whole number"),
        ({"batch_size": 2000}, "must be at most 1024"),
        ({"threads": 100000}, "must be at most 256"),
        ({"beam_size": 33}, "must be at most 32"),
        ({"llm_timeout": float("nan")}, "expected a finite number"),
        ({"llm_timeout": float("inf")}, "expected a finite number"),
        ({"model": ""}, "the model name is empty"),
        ({"model": 3}, "expected text"),
        ({"engine": "tpu"}, "'tpu' is not one of auto, ctranslate2, transformers"),
        ({"summarizer": "neural"}, "'neural' is not one of extractive, llm"),
        ({"ratio": 1.5}, "must be more than 0 and at most 1"),
        ({"prompts": "a.txt"}, None),
        ({"prompts": [1]}, "expected a list of text"),
    ],
)
def test_values_are_checked_strictly_and_bounded(
    file_values: dict[str, object], message: str | None
) -> None:
    if message is None:
        assert resolve_settings({}, env={}, file_values=file_values).prompts == ("a.txt",)
        return
    with pytest.raises(UsageError, match=message):
        resolve_settings({}, env={}, file_values=file_values)


def test_choices_are_case_insensitive_and_canonical() -> None:
    settings = resolve_settings({"engine": "CTranslate2", "device": "CPU"}, env={}, file_values={})
    assert (settings.engine, settings.device) == ("ctranslate2", "cpu")


def test_library_settings_get_the_same_checks() -> None:
    with pytest.raises(UsageError, match="beam_size: must be at least 1"):
        Settings(beam_size=0)
    with pytest.raises(UsageError, match="compute type 'bogus'"):
        resolve_settings(
            {"engine": "transformers", "compute_type": "bogus"}, env={}, file_values={}
        )
    assert Settings(engine="Transformers").engine == "transformers"


def test_a_config_file_that_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'model = "caf\xe9"\n')
    with pytest.raises(UsageError, match="not UTF-8"):
        load_config_file(path)
