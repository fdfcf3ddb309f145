"""Convert a transformers checkpoint to CTranslate2 once, cache it, and reuse it.

Layout: ``<cache root>/ct2/<model>-<fingerprint>-<quantization>/``, where the cache root is
``$TRANSLATE_CLI_CACHE_DIR`` or ``<user cache dir>/translate-cli``. The fingerprint covers the
checkpoint's path, ``config.json`` and every file's size and modification time, so a changed or
re-downloaded model is converted again without hashing hundreds of megabytes on every run.

A conversion is written to a temporary sibling directory, marked complete, then renamed into
place, so a crash or a concurrent run never leaves a half-written model that a later run trusts.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from translate_cli.errors import ModelUnavailableError

MARKER = "translate-cli-ct2.json"  # written last; a directory without it is never used
_STALE_TEMP_SECONDS = 24 * 3600


class EngineUnavailableError(ModelUnavailableError):
    """CTranslate2 cannot run this model here; ``--engine auto`` falls back to transformers."""


class ConversionError(EngineUnavailableError):
    """The checkpoint cannot be converted to (or loaded by) CTranslate2."""


def cache_root() -> Path:
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
    return base / "translate-cli"


def fingerprint(model_dir: Path, ctranslate2_version: str) -> str:
    """A cheap content key: config.json's bytes plus every file's name, size and mtime."""
    digest = hashlib.sha256()
    digest.update(f"{model_dir.resolve()}\0{ctranslate2_version}\0".encode())
    config = model_dir / "config.json"
    if config.is_file():
        digest.update(config.read_bytes())
    for path in sorted(model_dir.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        info = path.stat()  # follows the hub cache's symlinks to the blobs
        digest.update(f"\0{path.name}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def model_label(model_dir: Path) -> str:
    """A readable, filesystem-safe name for the model (the repo name for hub snapshots)."""
    resolved = model_dir.resolve()
    name = resolved.name
    if resolved.parent.name == "snapshots":  # .../models--org--name/snapshots/<revision>
        name = resolved.parent.parent.name.removeprefix("models--")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:60] or "model"


def cached_model(model_dir: Path, quantization: str) -> Path:
    """The converted model for ``model_dir`` at ``quantization``, converting it if needed."""
    import ctranslate2

    key = fingerprint(model_dir, ctranslate2.__version__)
    root = cache_root() / "ct2"
    final = root / f"{model_label(model_dir)}-{key}-{quantization}"
    if is_complete(final, key):
        return final
    temp = root / f".tmp-{final.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(root)
        convert(model_dir, temp, quantization)
        marker = {
            "fingerprint": key,
            "quantization": quantization,
            "ctranslate2": ctranslate2.__version__,
            "source": str(model_dir.resolve()),
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        (temp / MARKER).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        _publish(temp, final, key)
    except OSError as error:
        raise ConversionError(
            f"cannot write the CTranslate2 model cache under {root}: {error}",
            hint="set TRANSLATE_CLI_CACHE_DIR to a writable folder, or choose engine transformers",
        ) from error
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return final


def is_complete(path: Path, key: str) -> bool:
    """Whether ``path`` holds a finished conversion with fingerprint ``key``."""
    try:
        marker = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(marker, dict)
        and marker.get("fingerprint") == key
        and (path / "model.bin").is_file()
        and (path / "config.json").is_file()
    )


def discard(path: Path) -> None:
    """Remove a cached conversion that failed to load; rename first so no run sees half of it."""
    trash = path.with_name(f".tmp-trash-{path.name}-{uuid.uuid4().hex[:8]}")
    try:
        path.rename(trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def convert(model_dir: Path, out_dir: Path, quantization: str) -> None:
    """Run ``TransformersConverter`` (needs torch + transformers; seconds, done once)."""
    try:
        from ctranslate2.converters import TransformersConverter
        from transformers.utils import logging

        hf_logging: Any = logging  # untyped functions
        # The converter loads the checkpoint with transformers; its progress bars and
        # warnings would look like errors in the middle of a translation.
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        converter = TransformersConverter(str(model_dir), low_cpu_mem_usage=True)
        converter.convert(str(out_dir), quantization=quantization, force=True)
    except Exception as error:  # the converter raises anything from KeyError to OSError
        raise ConversionError(
            f"cannot convert {model_dir} for CTranslate2: {type(error).__name__}: {error}",
            hint="choose engine transformers",
        ) from error


def _publish(temp: Path, final: Path, key: str) -> None:
    """Move a finished conversion into place; a concurrent run's finished copy also wins."""
    if final.exists() and not is_complete(final, key):
        discard(final)  # a directory from an interrupted or foreign run
    try:
        temp.rename(final)
    except OSError:
        if not is_complete(final, key):  # someone else's copy is there and fine otherwise
            raise


def _remove_stale_temps(root: Path) -> None:
    """Temporary directories left by crashed runs (a live conversion is minutes old at most)."""
    now = time.time()
    for path in root.glob(".tmp-*"):
        try:
            if now - path.stat().st_mtime > _STALE_TEMP_SECONDS:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue
