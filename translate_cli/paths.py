"""Where translate-cli keeps its files: one function a folder, nothing else decides a path.

Each is read at call time, so a changed environment (a test's, a user's ``export``) is honoured:

- ``config_dir()``: ``$TRANSLATE_CLI_CONFIG_DIR``, else the platform's app folder (config.toml,
  prompts/);
- ``cache_dir()``: ``$TRANSLATE_CLI_CACHE_DIR``, else the platform's user cache + translate-cli
  (CTranslate2 conversions, the translation memory);
- ``hub_cache_dir()``: the Hugging Face hub cache, where models are downloaded (its own
  variables: ``HF_HUB_CACHE``, ``HF_HOME``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "translate-cli"
MEMORY_FILE = "memory.sqlite3"


def config_dir() -> Path:
    """The user's config folder (``$TRANSLATE_CLI_CONFIG_DIR`` overrides)."""
    override = os.environ.get("TRANSLATE_CLI_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    import typer  # light, but only needed here

    return Path(typer.get_app_dir(APP_NAME))


def config_file() -> Path:
    return config_dir() / "config.toml"


def prompts_dir() -> Path:
    """User prompt templates that override the packaged ones, ``<config dir>/prompts``."""
    return config_dir() / "prompts"


def cache_dir() -> Path:
    """``$TRANSLATE_CLI_CACHE_DIR``, else the platform's user cache directory + translate-cli."""
    override = os.environ.get("TRANSLATE_CLI_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / APP_NAME


def conversions_dir() -> Path:
    """Models converted to CTranslate2, one folder a model, fingerprint and quantization."""
    return cache_dir() / "ct2"


def memory_file() -> Path:
    """The translation memory's default database (``--memory`` names another)."""
    return cache_dir() / MEMORY_FILE


def hub_cache_dir() -> Path:
    """The Hugging Face hub cache, as huggingface_hub itself resolves it."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "huggingface" / "hub"
