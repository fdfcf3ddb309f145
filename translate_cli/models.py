"""Finding, fetching, listing and removing models in the Hugging Face cache.

Model names are hub repo ids (``Helsinki-NLP/opus-mt-id-en``) or local directories in OPUS-MT
layout. The cache is the standard Hugging Face one (``HF_HUB_CACHE``, ``HF_HOME``), read at call
time so a changed environment is honoured; ``HF_HUB_OFFLINE`` and ``HF_ENDPOINT`` likewise.
"""

from __future__ import annotations

import json
import os
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate_cli.errors import ModelUnavailableError, UsageError

# What a MarianMT checkpoint needs besides its weights; we never fetch TF/Flax weights.
TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json")
CONFIG_FILES = (
    "config.json",
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")  # safetensors preferred

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class CachedModel:
    name: str
    size_bytes: int
    files: int
    revisions: int
    path: Path
    translation_model: bool  # has the Marian tokenizer files


def hub_cache_dir() -> Path:
    """The hub cache folder, as huggingface_hub would compute it from the environment now."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "huggingface" / "hub"


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


def _endpoint() -> str | None:
    return os.environ.get("HF_ENDPOINT") or None


def is_model_dir(path: Path) -> bool:
    has_weights = any((path / name).is_file() for name in WEIGHT_FILES)
    needed = ("config.json", *TOKENIZER_FILES)
    return has_weights and all((path / name).is_file() for name in needed)


def looks_like_path(name: str) -> bool:
    """Hub ids have exactly one slash ("org/name"); anything else that names a path is a path."""
    return name.startswith((".", "/", "~")) or "\\" in name or name.count("/") > 1


def _unavailable(name: str, reason: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"model {name} is not available: {reason}",
        hint=(
            f"run 'translate-cli models pull {name}' on a connected machine and copy its "
            f"Hugging Face cache ({hub_cache_dir()}) here, or "
            "set the model to a local OPUS-MT model folder"
        ),
    )


def resolve_model(name: str, *, download: bool = True, progress: bool = False) -> Path:
    """A local folder holding ``name``'s files, fetching them when allowed and reachable."""
    if not name.strip():
        # Path("") is the current folder: an empty setting must not mean "here".
        raise UsageError("the model setting is empty", hint="name a hub model or a model folder")
    local = Path(name).expanduser()
    if local.is_dir():
        if not is_model_dir(local):
            raise ModelUnavailableError(
                f"{name} is not a MarianMT model folder (needs config.json, source.spm, "
                "target.spm, vocab.json and model.safetensors or pytorch_model.bin)"
            )
        return local
    if looks_like_path(name):
        raise ModelUnavailableError(f"no model folder at {name}")
    cached = cached_model_path(name)
    if cached is not None:
        return cached
    if hub_offline():
        raise _unavailable(name, "it is not in the local cache and HF_HUB_OFFLINE is set")
    if not download:
        raise _unavailable(name, "it is not in the local cache")
    return pull_model(name, progress=progress)


def check_model_dir(model_dir: Path, *, load_bin: bool = False) -> None:
    """Raise ``ModelUnavailableError`` naming the first damaged file of a model folder.

    Cheap checks of what the libraries would otherwise trip over with a confusing error: JSON
    files that do not parse or have the wrong shape, sentencepiece models that do not load, a
    ``model.safetensors`` shorter than its header promises. ``load_bin`` also loads a
    ``pytorch_model.bin`` the safe way (``weights_only``: plain tensors, never code); it costs a
    load, so only the conversion, which loads the weights anyway, asks for it.
    """
    for name, required in (
        ("config.json", True),
        ("vocab.json", True),
        ("tokenizer_config.json", False),
        ("generation_config.json", False),
    ):
        path = model_dir / name
        if not required and not path.is_file():
            continue
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise damaged_file_error(path, f"not readable as JSON ({_short(error)})") from None
        if not isinstance(value, dict):
            raise damaged_file_error(
                path, f"expected a JSON object, found a {type(value).__name__}"
            )
    for name in ("source.spm", "target.spm"):
        _check_sentencepiece(model_dir / name)
    safetensors = model_dir / "model.safetensors"
    if safetensors.is_file():
        _check_safetensors(safetensors)
    elif load_bin and (model_dir / "pytorch_model.bin").is_file():
        _check_torch_pickle(model_dir / "pytorch_model.bin")


def model_load_error(model_dir: Path, error: BaseException) -> ModelUnavailableError:
    """A library's failure to load ``model_dir``, as a one-line error naming the file if known."""
    import pickle

    if isinstance(error, ModelUnavailableError):
        return error
    if isinstance(error, pickle.UnpicklingError) or "weights_only" in str(error):
        return damaged_file_error(model_dir / "pytorch_model.bin", _UNSAFE_PICKLE)
    return ModelUnavailableError(
        f"cannot load a MarianMT model from {model_dir}: {_short(error)}",
        hint="download the model again, or use another model folder",
    )


_UNSAFE_PICKLE = "holds more than plain tensors, so it is not loaded (only weights_only loads)"


def damaged_file_error(path: Path, what: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"the model file {path} is damaged: {what}",
        hint="download the model again, or use another model folder",
    )


def _check_sentencepiece(path: Path) -> None:
    import sentencepiece as spm

    try:
        spm.SentencePieceProcessor(model_file=str(path))
    except (OSError, RuntimeError, ValueError) as error:
        raise damaged_file_error(path, f"not a sentencepiece model ({_short(error)})") from None


def _check_safetensors(path: Path) -> None:
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
        raise damaged_file_error(path, f"unreadable ({_short(error)})") from None
    except ValueError as error:
        raise damaged_file_error(
            path, f"the safetensors header is not valid ({_short(error)})"
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


def _check_torch_pickle(path: Path) -> None:
    import torch

    try:
        # mmap: a zip checkpoint's tensors are mapped, not read; the legacy format cannot be.
        torch.load(path, map_location="cpu", weights_only=True, mmap=zipfile.is_zipfile(path))
    except Exception as error:  # UnpicklingError, RuntimeError, EOFError, ...
        import pickle

        if isinstance(error, pickle.UnpicklingError) and "weights_only" in str(error).lower():
            raise damaged_file_error(path, _UNSAFE_PICKLE) from None
        raise damaged_file_error(
            path, f"not a readable PyTorch checkpoint ({_short(error)})"
        ) from None


def cached_snapshot(name: str) -> Path | None:
    """The cached snapshot folder of hub repo ``name``, whatever it holds; never downloads."""
    from huggingface_hub import snapshot_download

    try:
        return Path(str(snapshot_download(name, cache_dir=hub_cache_dir(), local_files_only=True)))
    except Exception:  # not cached, or a malformed name: both mean "not here"
        return None


def cached_model_path(name: str) -> Path | None:
    """The cached snapshot of ``name`` if it is complete enough to load, else None."""
    path = cached_snapshot(name)
    return path if path is not None and is_model_dir(path) else None


def pull_model(name: str, *, progress: bool = False) -> Path:
    """Download ``name`` into the hub cache: tokenizer, configs and one weights file."""
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub import errors as hub_errors
    from huggingface_hub.utils import disable_progress_bars, enable_progress_bars

    if hub_offline():
        raise _unavailable(name, "HF_HUB_OFFLINE is set, so nothing can be downloaded")
    (enable_progress_bars if progress else disable_progress_bars)()
    try:
        # model_info is one request without retries: an unreachable hub fails in seconds,
        # not after the ~20 s of back-off that file listing would spend.
        info = HfApi(endpoint=_endpoint()).model_info(name, timeout=20)
        files = {sibling.rfilename for sibling in info.siblings or ()}
        weights = next((w for w in WEIGHT_FILES if w in files), None)
        if weights is None or not all(f in files for f in TOKENIZER_FILES):
            raise ModelUnavailableError(
                f"{name} is not a MarianMT translation model (no {' / '.join(WEIGHT_FILES)} "
                "or sentencepiece files)"
            )
        wanted = [f for f in (*TOKENIZER_FILES, *CONFIG_FILES, weights) if f in files]
        path = snapshot_download(
            name,
            revision=info.sha,
            cache_dir=hub_cache_dir(),
            allow_patterns=wanted,
            endpoint=_endpoint(),
        )
    except (hub_errors.RepositoryNotFoundError, hub_errors.GatedRepoError):
        raise ModelUnavailableError(f"no model named {name} on the Hugging Face hub") from None
    except hub_errors.HFValidationError:
        raise ModelUnavailableError(f"{name!r} is neither a model folder nor a hub name") from None
    except ModelUnavailableError:
        raise
    except Exception as error:  # connection refused, DNS, timeouts, proxy errors, ...
        raise _unavailable(
            name, f"the Hugging Face hub could not be reached ({_short(error)})"
        ) from error
    return Path(str(path))


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:160]}" if text else type(error).__name__


def list_models() -> list[CachedModel]:
    """Models in the hub cache, largest first."""
    from huggingface_hub import scan_cache_dir

    cache = hub_cache_dir()
    if not cache.is_dir():
        return []
    info = scan_cache_dir(cache)
    models = []
    for repo in info.repos:
        if repo.repo_type != "model":
            continue
        names = {f.file_name for rev in repo.revisions for f in rev.files}
        models.append(
            CachedModel(
                name=repo.repo_id,
                size_bytes=repo.size_on_disk,
                files=repo.nb_files,
                revisions=len(repo.revisions),
                path=Path(repo.repo_path),
                translation_model=all(f in names for f in TOKENIZER_FILES),
            )
        )
    return sorted(models, key=lambda m: (-m.size_bytes, m.name))


def remove_model(name: str) -> int:
    """Delete every cached revision of ``name`` and its CTranslate2 conversions; the bytes freed."""
    from huggingface_hub import scan_cache_dir

    from translate_cli.engines.ct2_cache import remove_conversions

    cache = hub_cache_dir()
    info: Any = scan_cache_dir(cache) if cache.is_dir() else None
    repo = next(
        (r for r in (info.repos if info else []) if r.repo_id == name and r.repo_type == "model"),
        None,
    )
    if repo is None:
        raise ModelUnavailableError(f"model {name} is not in the cache ({cache})")
    # Conversions first: their markers name the snapshot folders they were made from.
    converted = remove_conversions(Path(repo.repo_path))
    strategy = info.delete_revisions(*(rev.commit_hash for rev in repo.revisions))
    strategy.execute()
    return int(strategy.expected_freed_size) + converted
