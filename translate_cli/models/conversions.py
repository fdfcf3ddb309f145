"""Convert a transformers checkpoint to CTranslate2 once, cache it, and reuse it.

Layout: ``<cache root>/ct2/<model>-<fingerprint>-<quantization>/``, where the cache root is
``$TRANSLATE_CLI_CACHE_DIR`` or ``<user cache dir>/translate-cli``. The fingerprint covers the
checkpoint's path and every file's name and content digest (``files.content_digest``: size and
sampled blocks, milliseconds for hundreds of megabytes), so a changed or re-downloaded model is
converted again, even one overwritten with the same size and an old modification time.

A conversion is written to a temporary sibling directory, marked complete, then renamed into
place, so a crash or a concurrent run never leaves a half-written model that a later run trusts.
The marker also records the content digest of every converted file, checked before each use,
so a copy damaged in place is converted again instead of giving silently different
translations. Temporary directories carry their owner's host, boot and process id, so those
of a killed run are swept as soon as that process is gone.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import time
import uuid
from pathlib import Path
from typing import Any

from translate_cli.errors import ModelUnavailableError
from translate_cli.models.family import check_model_dir, detect_family
from translate_cli.models.files import content_digest
from translate_cli.paths import conversions_dir

MARKER = "translate-cli-ct2.json"  # written last; a directory without it is never used
# CTranslate2's vocabulary map, in a conversion's sibling folder when a shortlist is used
# (shortlist.py): not part of the conversion, so outside its checksums.
VMAP = "vmap.txt"
_STALE_TEMP_SECONDS = 24 * 3600  # for temps whose owner cannot be checked (another host)


class EngineUnavailableError(ModelUnavailableError):
    """CTranslate2 cannot run this model here; engine ``auto`` falls back to transformers."""


class ConversionError(EngineUnavailableError):
    """The checkpoint cannot be converted to (or loaded by) CTranslate2."""


def fingerprint(model_dir: Path, ctranslate2_version: str) -> str:
    """A cheap content key: the folder, the library version, every file's name and content
    digest (read through the hub cache's symlinks to the blobs)."""
    digest = hashlib.sha256()
    digest.update(f"{model_dir.resolve()}\0{ctranslate2_version}\0".encode())
    for path in sorted(model_dir.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        digest.update(f"\0{path.name}\0{content_digest(path)}".encode())
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
    root = conversions_dir()
    final = root / f"{model_label(model_dir)}-{key}-{quantization}"
    if is_complete(final, key):
        return final
    temp = temp_path(root, final.name)
    try:
        root.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(root)
        # A damaged checkpoint is the model's error (exit 3, naming the file), not a reason
        # for engine auto to fall back; this also loads a pytorch_model.bin safely first.
        check_model_dir(model_dir, load_bin=True)
        convert(model_dir, temp, quantization)
        marker = {
            "fingerprint": key,
            "quantization": quantization,
            "ctranslate2": ctranslate2.__version__,
            "source": str(model_dir.resolve()),
            "converted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "files": checksums(temp),
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


def read_marker(path: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def is_complete(path: Path, key: str) -> bool:
    """Whether ``path`` holds a finished conversion with fingerprint ``key``, undamaged.

    A directory that fails the check is left alone here; ``_publish`` replaces it.
    """
    marker = read_marker(path)
    return (
        marker is not None
        and marker.get("fingerprint") == key
        and (path / "model.bin").is_file()
        and (path / "config.json").is_file()
        and isinstance(marker.get("files"), dict)
        and marker["files"] == checksums(path)
    )


def checksums(path: Path) -> dict[str, str]:
    """``{file name: content digest}`` for every file of a conversion but the marker and the
    vocabulary map.

    A digest samples a big model.bin: flipped bytes between the samples go unseen, a
    truncation or a damaged block among them does not.
    """
    return {
        file.name: content_digest(file)
        for file in sorted(path.iterdir())
        if file.is_file() and file.name not in (MARKER, VMAP)
    }


def conversions() -> list[tuple[Path, dict[str, Any]]]:
    """Every finished conversion in the cache with its marker."""
    root = conversions_dir()
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.iterdir()):
        marker = read_marker(path) if not path.name.startswith(".") else None
        if marker is not None:
            found.append((path, marker))
    return found


def remove_conversions(source_root: Path) -> int:
    """Delete the conversions made from any folder under ``source_root``; the bytes freed."""
    try:
        under = source_root.resolve()
    except OSError:
        return 0
    freed = 0
    for path, marker in conversions():
        source = Path(str(marker.get("source", "")))
        if source.is_relative_to(under):
            freed += tree_size(path)
            discard(path)
    return freed


def tree_size(path: Path) -> int:
    total = 0
    for file in path.rglob("*"):
        try:
            if file.is_file() and not file.is_symlink():
                total += file.stat().st_size
        except OSError:
            continue
    return total


def discard(path: Path) -> None:
    """Remove a cached conversion that failed to load; rename first so no run sees half of it."""
    trash = temp_path(path.parent, f"trash-{path.name}")
    try:
        path.rename(trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def convert(model_dir: Path, out_dir: Path, quantization: str) -> None:
    """Run ``TransformersConverter`` (needs torch + transformers; seconds, done once)."""
    try:
        from transformers.utils import logging

        hf_logging: Any = logging  # untyped functions
        # The converter loads the checkpoint with transformers; its progress bars and
        # warnings would look like errors in the middle of a translation.
        hf_logging.disable_progress_bar()
        hf_logging.set_verbosity_error()
        converter = detect_family(model_dir).ct2_converter(model_dir)
        converter.convert(str(out_dir), quantization=quantization, force=True)
    except Exception as error:  # the converter raises anything from KeyError to OSError
        raise ConversionError(
            f"cannot convert {model_dir} for CTranslate2: {type(error).__name__}: {error}",
            hint="choose engine transformers",
        ) from error


def _publish(temp: Path, final: Path, key: str) -> None:
    """Move a finished conversion into place; a concurrent run's finished copy also wins."""
    if final.exists() and not is_complete(final, key):
        discard(final)  # a directory from an interrupted or foreign run, or damaged
    try:
        temp.rename(final)
    except OSError:
        if not is_complete(final, key):  # someone else's copy is there and fine otherwise
            raise


# --- temporary directories ------------------------------------------------------------------
# Name: .tmp-<host>-<boot>-<pid>-<random>-<what>; host and boot are 8 hex digits each.
_TEMP = re.compile(r"^\.tmp-([0-9a-f]{8})-([0-9a-f]{8})-(\d+)-[0-9a-f]{8}-")


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=4).hexdigest()


def _host_id() -> str:
    return _short_hash(socket.gethostname())


def _boot_id() -> str:
    """This boot's id (Linux); a process id from another boot belongs to no live process."""
    try:
        return _short_hash(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
    except OSError:
        return "00000000"


def temp_path(root: Path, what: str) -> Path:
    """A temporary sibling path for this process to write ``what`` into."""
    owner = f"{_host_id()}-{_boot_id()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    return root / f".tmp-{owner}-{what}"


def _owner_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, someone else's
        return True
    except OSError:
        return True  # cannot tell: keep it
    return True


def _is_stale(path: Path, now: float) -> bool:
    match = _TEMP.match(path.name)
    if match and match.group(1) == _host_id():
        if match.group(2) != _boot_id():
            return True  # written before the last reboot
        return not _owner_alive(int(match.group(3)))
    # Another host's (a shared cache) or an old-style name: only age tells.
    return now - path.stat().st_mtime > _STALE_TEMP_SECONDS


def remove_stale_temps(root: Path) -> None:
    """Remove temporary directories whose writer is gone; a live writer's are kept."""
    now = time.time()
    for path in root.glob(".tmp-*"):
        try:
            if _is_stale(path, now):
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            continue
