"""What a translation depends on: the model's content fingerprint, the engine and its options,
the library versions. Two runs with the same descriptor give the same bytes for a text."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translate_cli.engines.base import Translator
from translate_cli.engines.terms import glossary_digest
from translate_cli.models.files import content_digest
from translate_cli.version import __version__

if TYPE_CHECKING:
    from translate_cli.config import Settings


def model_fingerprint(model_dir: Path) -> str:
    """A hash of the model folder's contents: every regular file's name and content digest
    (config, tokenizer files, weights; ``content_digest`` reads them afresh each time, so an
    overwrite is seen whatever its modification time). A renamed or copied model keeps its
    fingerprint."""
    digest = hashlib.sha256()
    for path in sorted(model_dir.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        digest.update(f"{path.name}\0{content_digest(path)}\0".encode())
    return digest.hexdigest()


def _library_versions() -> dict[str, str]:
    """Versions of the libraries that compute translations (already imported by the engine)."""
    versions = {}
    for name in ("ctranslate2", "transformers", "torch"):
        module = sys.modules.get(name)
        version = getattr(module, "__version__", None)
        if version is not None:
            versions[name] = str(version)
    return versions


def _shortlist(translator: Translator) -> str | None:
    """The content digest of the vocabulary map ``translator`` decodes with, None if none."""
    path = getattr(translator, "vmap_file", None)
    if path is None:
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()  # megabytes: read it whole


def descriptor(translator: Translator, settings: Settings) -> dict[str, Any]:
    """Everything that decides ``translator``'s output for a given source text."""
    model_dir = getattr(translator, "model_dir", None)
    options = getattr(translator, "options", None)
    found = {
        "fingerprint": (
            model_fingerprint(Path(model_dir))
            if model_dir is not None
            else f"no-model:{translator.name}"
        ),
        "engine": translator.name,
        "compute_type": str(getattr(translator, "compute_type", settings.compute_type)),
        "device": str(getattr(translator, "device", settings.device)),
        "beam_size": getattr(options, "beam_size", settings.beam_size),
        "guard": settings.guard,  # the guard decodes degenerate outputs again
        # The glossary's content and name protection: a changed glossary reuses nothing stale.
        "glossary": glossary_digest(settings),
        # CTranslate2 plans its batches by worker count, and batch composition can change an
        # int8 result in the last bit: a different thread plan is a different translation.
        "workers": getattr(translator, "workers", None),
        "threads_per_worker": getattr(translator, "threads_per_worker", None),
        "translate_cli": __version__,
        "libraries": _library_versions(),
    }
    # A vocabulary shortlist restricts what the model may output: named by its content where
    # it is used, absent otherwise (so memories made without one stay valid).
    shortlist = _shortlist(translator)
    if shortlist is not None:
        found["shortlist"] = shortlist
    return found
