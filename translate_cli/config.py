"""Settings, resolved once: flags > TRANSLATE_CLI_* environment > config file > defaults.

The config file is TOML at ``<user config dir>/config.toml`` (``translate-cli`` app dir, or
``$TRANSLATE_CLI_CONFIG_DIR``); its keys are the field names below, e.g. ``beam_size = 5``.
These defaults are the only ones: the engines, summarisers and the CLI read them from here.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from translate_cli.errors import UsageError
from translate_cli.paths import config_file
from translate_cli.registry import Registry

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
    threads: int = 0  # 0: every core this process may use
    compute_type: str = "auto"
    sentences: int = 3  # summary length
    ratio: float | None = None  # summary length as a share of the article; overrides sentences
    summarizer: str = "extractive"
    llm_url: str = ""  # OpenAI-compatible server for the llm summariser
    llm_model: str = ""
    llm_timeout: float = 120.0
    prompts: tuple[str, ...] = ()  # "[NAME=]FILE" prompt template overrides
    timeout: float = 30.0  # longest wait for a web page (an http(s) INPUT), seconds
    allow_private_redirects: bool = False  # may a public page redirect to a private address?
    ocr: bool = False  # read scanned PDF pages with Tesseract (docs/documents.md)
    memory: str = ""  # translation memory database; "" = <cache dir>/memory.sqlite3
    no_memory: bool = False  # translate everything afresh, neither reading nor writing it
    # Evidence (engines/quality.py): a sentence whose mean token log-probability is below
    # flag_below is flagged low-confidence (docs/confidence.md); guard decodes
    # degenerate outputs (loops) again.
    flag_below: float = -1.0
    guard: bool = True
    # CTranslate2 only: restrict each batch's output vocabulary to the model's shortlist
    # (models/shortlist.py, built by `models shortlist`). Faster; its quality is unmeasured.
    shortlist: bool = False
    # Terms (engines/terms.py, docs/terms.md): a glossary TSV file enforced on every sentence;
    # names and acronyms kept as written unless the glossary maps them.
    glossary: str = ""
    keep_names: bool = True
    # Sentences already in English inside a non-English document are kept as written
    # (segment/language.py) unless this sends everything to the model.
    translate_all: bool = False

    def __post_init__(self) -> None:
        # Library callers get the same checks as the command line: Settings(beam_size=0) is
        # as wrong as --beam-size 0.
        for field in fields(self):
            value = _validate(field.name, getattr(self, field.name), field.name)
            object.__setattr__(
                self, field.name, value
            )  # canonical form: "CTranslate2" → "ctranslate2"


@dataclass(frozen=True)
class Bounds:
    """Documented limits; beyond them a value is a usage error, not an out-of-memory kill."""

    minimum: float
    maximum: float


BOUNDS: dict[str, Bounds] = {
    "beam_size": Bounds(1, 32),
    "batch_size": Bounds(1, 1024),
    "threads": Bounds(0, 256),
    "sentences": Bounds(1, 1000),
    "llm_timeout": Bounds(0.1, 86_400),
    "timeout": Bounds(0.1, 3600),
    "flag_below": Bounds(-1000, 0),  # scores are <= 0
}


# Settings whose value is a name from a registry above this module (engines, summarisers):
# here they are only made canonical; ``resolve_settings(choices=...)`` and the pipeline check
# the names where the registries live.
_NAMED = ("engine", "summarizer")

DEVICES: Registry[str] = Registry("device")
for _device in ("auto", "cpu", "cuda"):
    DEVICES.register(_device, _device)

Choice = Callable[[str, str | None], str]  # (value, origin) -> the canonical name, or UsageError


def option_name(name: str) -> str:
    return f"--{name.replace('_', '-')}"


def load_config_file(path: Path | None = None) -> dict[str, Any]:
    path = path or config_file()
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError as error:
        raise UsageError(
            f"config file {path} is not UTF-8 (bad byte at offset {error.start})"
        ) from None
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"config file {path} is unreadable: {error}") from None


def resolve_settings(
    flags: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    file_values: Mapping[str, Any] | None = None,
    *,
    choices: Mapping[str, Choice] | None = None,
) -> Settings:
    """Merge the layers; ``None`` in ``flags`` means "not given on the command line".

    ``choices`` checks named settings against their registries, so that an error names where
    the value came from (``--engine``, ``TRANSLATE_CLI_ENGINE``, a config file key);
    ``pipeline.resolve_settings`` passes every registry's.
    """
    choices = choices or {}
    env = os.environ if env is None else env
    file_values = load_config_file() if file_values is None else file_values
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(file_values) - known)
    if unknown:
        raise UsageError(f"config file: unknown setting(s) {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name in known:
        if flags.get(name) is not None:
            raw, origin = flags[name], option_name(name)
        elif env.get(ENV_PREFIX + name.upper()):
            raw, origin = env[ENV_PREFIX + name.upper()], ENV_PREFIX + name.upper()
        elif name in file_values:
            raw, origin = file_values[name], f"config file key {name}"
        else:
            continue
        values[name] = _validate(name, raw, origin)
        if name in choices:
            values[name] = choices[name](values[name], origin)
    return replace(Settings(), **values)


_KIND = {f.name: f.type for f in fields(Settings)}


def _validate(name: str, raw: Any, origin: str) -> Any:
    """``raw`` (a flag's text, an env string or a TOML value) as the field's type, checked."""
    kind = str(_KIND[name])
    if kind == "int":
        value: Any = _whole_number(raw, origin)
    elif kind == "bool":
        value = _boolean(raw, origin)
    elif kind in ("float", "float | None"):
        if raw is None and kind == "float | None":
            return None
        value = _number(raw, origin)
    elif kind == "tuple[str, ...]":
        value = _strings(raw, origin)
    else:
        if not isinstance(raw, str):
            raise UsageError(f"{origin}: expected text, got {raw!r}")
        value = raw.strip()
        if name in _NAMED:
            value = value.lower()
        elif name == "device":
            value = DEVICES.check(value, origin)
        if name == "model" and not value:
            raise UsageError(f"{origin}: the model name is empty")
    _check_bounds(name, value, origin)
    return value


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _boolean(raw: Any, origin: str) -> bool:
    if isinstance(raw, bool):
        return raw
    key = raw.strip().lower() if isinstance(raw, str) else None
    if key in _TRUE or key in _FALSE:
        return key in _TRUE
    raise UsageError(f"{origin}: expected true or false, got {_shown(raw)}")


def _whole_number(raw: Any, origin: str) -> int:
    # bool is an int to Python; `beam_size = true` in a config file is a mistake, not 1.
    if isinstance(raw, bool):
        raise UsageError(f"{origin}: expected a whole number, got {str(raw).lower()}")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("+-").isdigit():
        return int(raw.strip())
    raise UsageError(f"{origin}: expected a whole number, got {_shown(raw)}")


def _number(raw: Any, origin: str) -> float:
    if isinstance(raw, bool):
        raise UsageError(f"{origin}: expected a number, got {str(raw).lower()}")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise UsageError(f"{origin}: expected a number, got {_shown(raw)}") from None
    if not math.isfinite(value):
        raise UsageError(f"{origin}: expected a finite number, got {_shown(raw)}")
    return value


def _strings(raw: Any, origin: str) -> tuple[str, ...]:
    if isinstance(raw, str):  # the environment: comma-separated
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if isinstance(raw, list | tuple) and all(isinstance(item, str) for item in raw):
        return tuple(raw)
    raise UsageError(f"{origin}: expected a list of text, got {_shown(raw)}")


def _check_bounds(name: str, value: Any, origin: str) -> None:
    if name == "ratio" and value is not None and not 0 < value <= 1:
        raise UsageError(f"{origin}: must be more than 0 and at most 1, got {value:g}")
    bounds = BOUNDS.get(name)
    if bounds is None:
        return
    if value < bounds.minimum:
        raise UsageError(f"{origin}: must be at least {bounds.minimum:g}, got {value:g}")
    if value > bounds.maximum:
        raise UsageError(f"{origin}: must be at most {bounds.maximum:g}, got {value:g}")


def _shown(raw: Any) -> str:
    return repr(raw) if isinstance(raw, str) else str(raw)
