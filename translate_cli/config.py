"""Settings, resolved once: flags > TRANSLATE_CLI_* environment > config file > defaults.

The config file is TOML at ``<user config dir>/config.toml`` (``translate-cli`` app dir, or
``$TRANSLATE_CLI_CONFIG_DIR``); its keys are the field names below, e.g. ``beam_size = 5``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from translate_cli.errors import UsageError

DEFAULT_MODEL = "Helsinki-NLP/opus-mt-id-en"
ENV_PREFIX = "TRANSLATE_CLI_"


@dataclass(frozen=True)
class Settings:
    """Everything a run needs to know; field names double as env and config-file keys."""

    model: str = DEFAULT_MODEL
    engine: str = "auto"
    beam_size: int = 4
    batch_size: int = 32
    device: str = "auto"
    threads: int = 0
    compute_type: str = "auto"
    sentences: int = 3
    llm_url: str = ""  # OpenAI-compatible server for --summarizer llm
    llm_model: str = ""
    llm_timeout: float = 120.0


_CHOICES: dict[str, tuple[str, ...]] = {
    "engine": ("auto", "transformers", "ctranslate2"),
    "device": ("auto", "cpu", "cuda"),
}
_MINIMUM = {"beam_size": 1, "batch_size": 1, "threads": 0, "sentences": 1, "llm_timeout": 0.1}


def config_dir() -> Path:
    """The user's config folder (``$TRANSLATE_CLI_CONFIG_DIR`` overrides)."""
    override = os.environ.get(ENV_PREFIX + "CONFIG_DIR")
    if override:
        return Path(override)
    import typer  # light, but only needed here

    return Path(typer.get_app_dir("translate-cli"))


def load_config_file(path: Path | None = None) -> dict[str, Any]:
    path = path or config_dir() / "config.toml"
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"config file {path} is unreadable: {error}") from None


def resolve_settings(
    flags: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    file_values: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge the layers; ``None`` in ``flags`` means "not given on the command line"."""
    env = os.environ if env is None else env
    file_values = load_config_file() if file_values is None else file_values
    known = {f.name: f for f in fields(Settings)}
    unknown = sorted(set(file_values) - set(known))
    if unknown:
        raise UsageError(f"config file: unknown setting(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, field in known.items():
        default = field.default
        if flags.get(name) is not None:
            raw, origin = flags[name], f"--{name.replace('_', '-')}"
        elif env.get(ENV_PREFIX + name.upper()):
            raw, origin = env[ENV_PREFIX + name.upper()], ENV_PREFIX + name.upper()
        elif name in file_values:
            raw, origin = file_values[name], f"config file key {name}"
        else:
            continue
        values[name] = _coerce(name, raw, type(default), origin)
    return replace(Settings(), **values)


def _coerce(name: str, raw: Any, kind: type, origin: str) -> Any:
    if kind in (int, float):
        try:
            value: Any = kind(raw)
        except (TypeError, ValueError):
            expected = "a whole number" if kind is int else "a number"
            raise UsageError(f"{origin}: expected {expected}, got {raw!r}") from None
        if value < _MINIMUM.get(name, 0):
            raise UsageError(f"{origin}: must be at least {_MINIMUM.get(name, 0)}, got {value}")
        return value
    value = str(raw)
    if name in _CHOICES and value not in _CHOICES[name]:
        raise UsageError(f"{origin}: expected one of {', '.join(_CHOICES[name])}, got {value!r}")
    return value
