"""A model folder's files: checked before a library trips over them with a confusing error, and
keyed by their content (``content_digest``, what the converted-model cache and the translation
memory fingerprint a model with).

Every check ends in the same ``ModelUnavailableError`` (exit 3) naming the damaged file and the
way out; the family-aware folder check (which files a family needs) is
``family.check_model_dir``.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zipfile
from pathlib import Path
from typing import Any

from translate_cli.errors import ModelUnavailableError

_FULL_HASH_BYTES = 8 << 20  # files up to this size are hashed whole
_SAMPLES = 256  # ... bigger ones: this many blocks, evenly spread, first and last included
_SAMPLE_BYTES = 16 << 10  # 256 x 16 KiB = 4 MiB read, whatever the file's size


def content_digest(path: Path) -> str:
    """A key for a model file's content: BLAKE2b of its size and its bytes (all of a file up
    to 8 MiB, else 256 evenly spread 16 KiB blocks), read afresh on every call.

    Names, paths and times play no part: a copy has the same digest, and an overwrite with the
    same size and a restored mtime has another one, unless it changes only bytes between the
    samples (another trained checkpoint differs in nearly every block). Sampling keeps it to
    milliseconds for weights of hundreds of megabytes, so no cache, which could go stale, is
    needed.
    """
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        digest.update(f"{size}\0".encode())
        if size <= _FULL_HASH_BYTES:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        else:
            last = size - _SAMPLE_BYTES
            for index in range(_SAMPLES):
                handle.seek(last * index // (_SAMPLES - 1))
                digest.update(handle.read(_SAMPLE_BYTES))
    return digest.hexdigest()


def model_load_error(model_dir: Path, error: BaseException) -> ModelUnavailableError:
    """A library's failure to load ``model_dir``, as a one-line error naming the file if known."""
    import pickle

    if isinstance(error, ModelUnavailableError):
        return error
    if isinstance(error, pickle.UnpicklingError) or "weights_only" in str(error):
        return damaged_file_error(model_dir / "pytorch_model.bin", _UNSAFE_PICKLE)
    return ModelUnavailableError(
        f"cannot load a translation model from {model_dir}: {short_error(error)}",
        hint="download the model again, or use another model folder",
    )


_UNSAFE_PICKLE = "holds more than plain tensors, so it is not loaded (only weights_only loads)"


def damaged_file_error(path: Path, what: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"the model file {path} is damaged: {what}",
        hint="download the model again, or use another model folder",
    )


def check_sentencepiece(path: Path) -> None:
    import sentencepiece as spm

    try:
        spm.SentencePieceProcessor(model_file=str(path))
    except (OSError, RuntimeError, ValueError) as error:
        raise damaged_file_error(
            path, f"not a sentencepiece model ({short_error(error)})"
        ) from None


def check_safetensors(path: Path) -> None:
    """Header present, parseable, and every tensor inside the file (a truncated download)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            prefix = handle.read(8)
            if len(prefix) < 8:
                raise damaged_file_error(
                    path, f"only {size} bytes, too short for a safetensors header"
                )
            (header_size,) = struct.unpack("<Q", prefix)
            if header_size > size - 8:
                raise damaged_file_error(
                    path, f"truncated ({size} bytes, header alone needs {header_size})"
                )
            header = json.loads(handle.read(header_size))
    except OSError as error:
        raise damaged_file_error(path, f"unreadable ({short_error(error)})") from None
    except ValueError as error:
        raise damaged_file_error(
            path, f"the safetensors header is not valid ({short_error(error)})"
        ) from None
    if not isinstance(header, dict):
        raise damaged_file_error(path, "the safetensors header is not a JSON object")
    ends = [
        entry["data_offsets"][1]
        for key, entry in header.items()
        if key != "__metadata__"
        and isinstance(entry, dict)
        and isinstance(entry.get("data_offsets"), list)
        and len(entry["data_offsets"]) == 2
    ]
    needed = 8 + header_size + max((int(end) for end in ends), default=0)
    if needed > size:
        raise damaged_file_error(path, f"truncated ({size} bytes, its header says {needed})")


def check_torch_pickle(path: Path) -> None:
    import torch

    try:
        # mmap: a zip checkpoint's tensors are mapped, not read; the legacy format cannot be.
        torch.load(path, map_location="cpu", weights_only=True, mmap=zipfile.is_zipfile(path))
    except Exception as error:  # UnpicklingError, RuntimeError, EOFError, ...
        import pickle

        if isinstance(error, pickle.UnpicklingError) and "weights_only" in str(error).lower():
            raise damaged_file_error(path, _UNSAFE_PICKLE) from None
        raise damaged_file_error(
            path, f"not a readable PyTorch checkpoint ({short_error(error)})"
        ) from None


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object file, or a ``ModelUnavailableError`` naming the damaged file."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise damaged_file_error(path, f"not readable as JSON ({error})") from None
    if not isinstance(value, dict):
        raise damaged_file_error(path, f"expected a JSON object, found a {type(value).__name__}")
    return value


def short_error(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:160]}" if text else type(error).__name__
