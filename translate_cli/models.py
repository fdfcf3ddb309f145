"""Finding, fetching, listing and removing models in the Hugging Face cache.

Model names are hub repo ids (``Helsinki-NLP/opus-mt-id-en``) or local directories in OPUS-MT
layout. The cache is the standard Hugging Face one (``HF_HUB_CACHE``, ``HF_HOME``), read at call
time so a changed environment is honoured; ``HF_HUB_OFFLINE`` and ``HF_ENDPOINT`` likewise.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate_cli.errors import ModelUnavailableError

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
            f"Hugging Face cache ({hub_cache_dir()}) here, or pass --model DIR with a local "
            "OPUS-MT model folder"
        ),
    )


def resolve_model(name: str, *, download: bool = True, progress: bool = False) -> Path:
    """A local folder holding ``name``'s files, fetching them when allowed and reachable."""
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
    """Delete every cached revision of ``name``; returns the bytes freed."""
    from huggingface_hub import scan_cache_dir

    cache = hub_cache_dir()
    info: Any = scan_cache_dir(cache) if cache.is_dir() else None
    repo = next(
        (r for r in (info.repos if info else []) if r.repo_id == name and r.repo_type == "model"),
        None,
    )
    if repo is None:
        raise ModelUnavailableError(f"model {name} is not in the cache ({cache})")
    strategy = info.delete_revisions(*(rev.commit_hash for rev in repo.revisions))
    strategy.execute()
    return int(strategy.expected_freed_size)
