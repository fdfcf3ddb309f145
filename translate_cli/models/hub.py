"""Finding, fetching, listing and removing models in the Hugging Face cache.

Model names are hub repo ids (``Helsinki-NLP/opus-mt-id-en``,
``facebook/nllb-200-distilled-600M``) or local directories laid out like those repositories;
the family (MarianMT, NLLB-200, M2M100, see ``family.py``) is read from the folder and
decides which files are needed. The cache is the standard Hugging Face one (``HF_HUB_CACHE``,
``HF_HOME``), read at call time so a changed environment is honoured; ``HF_HUB_OFFLINE`` and
``HF_ENDPOINT`` likewise.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate_cli.errors import ModelUnavailableError, UsageError
from translate_cli.models.conversions import remove_conversions
from translate_cli.models.family import (
    ModelFamily,
    detect_family,
    identify,
    model_license,
    read_json_object,
)
from translate_cli.models.files import short_error
from translate_cli.models.shortlist import remove_shortlist
from translate_cli.paths import hub_cache_dir

# What a MarianMT checkpoint needs besides its weights (other families: ``tokenizer_files``
# of their ``ModelFamily``); we never fetch TF/Flax/Rust weights.
TOKENIZER_FILES = ("source.spm", "target.spm", "vocab.json")
CONFIG_FILES = (
    "config.json",
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")  # safetensors preferred
# Big checkpoints come in shards listed by an index (NLLB-200-3.3B: pytorch_model-*.bin).
SHARD_INDEXES = {
    "model.safetensors.index.json": re.compile(r"^model-\d+-of-\d+\.safetensors$"),
    "pytorch_model.bin.index.json": re.compile(r"^pytorch_model-\d+-of-\d+\.bin$"),
}
MODEL_CARD = "README.md"  # only for its licence

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class CachedModel:
    name: str
    size_bytes: int
    files: int
    revisions: int
    path: Path
    translation_model: bool  # a family translate-cli runs, with its tokenizer files
    family: str | None = None  # "marian", "nllb", "m2m100"
    license: str | None = None  # from the model card, else the family's


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE


def _endpoint() -> str | None:
    return os.environ.get("HF_ENDPOINT") or None


def is_model_dir(path: Path) -> bool:
    """Config, weights and the tokenizer files its family needs are all there."""
    weights = (*WEIGHT_FILES, *SHARD_INDEXES)
    if not (path / "config.json").is_file() or not any((path / w).is_file() for w in weights):
        return False
    family = _family_or_none(path)
    return family is not None and all((path / name).is_file() for name in family.tokenizer_files)


def _family_or_none(path: Path) -> ModelFamily | None:
    try:
        return detect_family(path)
    except ModelUnavailableError:
        return None


def looks_like_path(name: str) -> bool:
    """Hub ids have exactly one slash ("org/name"); anything else that names a path is a path."""
    return name.startswith((".", "/", "~")) or "\\" in name or name.count("/") > 1


def _unavailable(name: str, reason: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"model {name} is not available: {reason}",
        hint=(
            f"run 'translate-cli models pull {name}' on a connected machine and copy its "
            f"Hugging Face cache ({hub_cache_dir()}) here, or "
            "set the model to a local model folder"
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
                f"{name} is not a translation model folder (needs config.json, "
                "model.safetensors or pytorch_model.bin, and the tokenizer files: MarianMT "
                "source.spm, target.spm, vocab.json; NLLB-200 tokenizer.json; M2M100 "
                "sentencepiece.bpe.model, vocab.json)"
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
        # The family decides the files: read its config (and tokenizer config) first.
        configs = [
            _read_remote_json(name, info.sha, file) if file in files else {}
            for file in ("config.json", "tokenizer_config.json")
        ]
        wanted = files_to_fetch(name, files, *configs)
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
            name, f"the Hugging Face hub could not be reached ({short_error(error)})"
        ) from error
    return Path(str(path))


def _read_remote_json(name: str, revision: str | None, file: str) -> dict[str, Any]:
    from huggingface_hub import hf_hub_download

    path = hf_hub_download(
        name, file, revision=revision, cache_dir=hub_cache_dir(), endpoint=_endpoint()
    )
    return read_json_object(Path(str(path)))


def files_to_fetch(
    name: str,
    files: set[str],
    config: dict[str, Any],
    tokenizer_config: dict[str, Any],
) -> list[str]:
    """The files of hub repo ``name`` (holding ``files``) that its family needs: configs,
    tokenizer files, the model card and one set of weights (safetensors when present)."""
    family = identify(config, tokenizer_config, files)
    if family is None:
        kind = config.get("model_type") or "unknown"
        raise ModelUnavailableError(
            f"{name} is not a model translate-cli can run (model type {kind!r}; it runs "
            "MarianMT, NLLB-200 and M2M100)"
        )
    missing = [f for f in family.tokenizer_files if f not in files]
    weights = _weight_files(files)
    if missing or not weights:
        what = ", ".join(missing) if missing else " / ".join((*WEIGHT_FILES, *SHARD_INDEXES))
        raise ModelUnavailableError(f"{name} is a {family.title} model without {what}")
    optional = (*CONFIG_FILES, *family.sentencepiece_files, MODEL_CARD)
    wanted = [*family.tokenizer_files, *(f for f in optional if f in files), *weights]
    return list(dict.fromkeys(wanted))


def _weight_files(files: set[str]) -> list[str]:
    """One complete set of weights: a single file, else an index and its shards."""
    for single, (index, shard) in zip(WEIGHT_FILES, SHARD_INDEXES.items(), strict=True):
        if single in files:
            return [single]
        shards = sorted(f for f in files if shard.match(f))
        if index in files and shards:
            return [index, *shards]
    return []


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
        latest = max(repo.revisions, key=lambda rev: rev.last_modified)
        snapshot = Path(latest.snapshot_path)
        family = _family_or_none(snapshot)
        models.append(
            CachedModel(
                name=repo.repo_id,
                size_bytes=repo.size_on_disk,
                files=repo.nb_files,
                revisions=len(repo.revisions),
                path=Path(repo.repo_path),
                translation_model=family is not None
                and all(f in names for f in family.tokenizer_files),
                family=family.name if family else None,
                license=model_license(snapshot, family) if family else None,
            )
        )
    return sorted(models, key=lambda m: (-m.size_bytes, m.name))


def remove_model(name: str) -> int:
    """Delete every cached revision of ``name`` and its CTranslate2 conversions; the bytes freed."""
    from huggingface_hub import scan_cache_dir

    cache = hub_cache_dir()
    info: Any = scan_cache_dir(cache) if cache.is_dir() else None
    repo = next(
        (r for r in (info.repos if info else []) if r.repo_id == name and r.repo_type == "model"),
        None,
    )
    if repo is None:
        raise ModelUnavailableError(f"model {name} is not in the cache ({cache})")
    # Conversions and shortlists first: they are found from the snapshots they were made from.
    converted = remove_conversions(Path(repo.repo_path))
    converted += sum(remove_shortlist(Path(rev.snapshot_path)) for rev in repo.revisions)
    strategy = info.delete_revisions(*(rev.commit_hash for rev in repo.revisions))
    strategy.execute()
    return int(strategy.expected_freed_size) + converted
