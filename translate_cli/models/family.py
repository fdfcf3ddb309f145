"""Model families: what differs between MarianMT, NLLB-200 and M2M100 checkpoints.

Both engines (transformers, CTranslate2) and ``models.py`` ask the folder's family for what is
family-specific: the tokenizer files, how to load the tokenizer and the model, the language
tokens (the source code the tokenizer puts first, the target token forced first in the output),
how many tokens a model takes, the licence. Everything else (splitting, caps, batching,
streaming) stays in ``seq2seq.py``, the same for every family.

The family is read from the folder's ``config.json`` (``model_type``) and tokenizer files,
never from the model's name. A new family is one module with a ``ModelFamily`` subclass and one
``FAMILIES.register`` line below; family modules import their heavy libraries inside methods.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from translate_cli.errors import ModelUnavailableError
from translate_cli.models.files import (
    check_safetensors,
    check_sentencepiece,
    check_torch_pickle,
    damaged_file_error,
    read_json_object,
    short_error,
)
from translate_cli.registry import Registry

logger = logging.getLogger("translate_cli")


class ModelFamily:
    """One kind of checkpoint. Subclasses set the attributes and override the loaders."""

    name = "family"
    title = "family"  # as shown to users
    # The licence every checkpoint of the family has; None when it differs between them
    # (the model card's own ``license:`` wins when the card is cached).
    license: str | None = None
    tokenizer_files: tuple[str, ...] = ()  # needed besides config.json and the weights
    json_files: tuple[str, ...] = ()  # tokenizer files that must parse as JSON objects
    sentencepiece_files: tuple[str, ...] = ()  # checked to load, when present
    source_language: str | None = None  # the tokenizer's src_lang for Indonesian
    target_language: str | None = None  # ... and its tgt_lang for English
    # Most source (and output) tokens: the positions the model has, unless the family says
    # fewer (see NLLB-200).
    max_tokens: int | None = None

    def matches(
        self,
        config: Mapping[str, Any],
        tokenizer_config: Mapping[str, Any],
        files: Collection[str],
    ) -> bool:
        """Whether a folder with this ``config.json``, ``tokenizer_config.json`` and these
        file names holds one of ours."""
        raise NotImplementedError

    def token_limit(self, config: Mapping[str, Any]) -> int:
        positions = int(config.get("max_position_embeddings") or 512)
        return min(positions, self.max_tokens) if self.max_tokens else positions

    def load_tokenizer(self, model_dir: Path) -> Any:
        raise NotImplementedError

    def load_model(self, model_dir: Path, dtype: Any) -> Any:
        raise NotImplementedError

    def load_codec(self, model_dir: Path) -> Any:
        """Text to source tokens and output tokens to text, for CTranslate2 (a ``TextCodec``)."""
        return LanguageCodec(self, self.load_tokenizer(model_dir))

    def target_token(self, tokenizer: Any) -> str | None:
        """The token forced first in every output (the target language), or None."""
        return None

    def language_ids(self, tokenizer: Any) -> frozenset[int]:
        """Ids of every language token: never part of a translation."""
        return frozenset()

    def decode(self, tokenizer: Any, rows: Iterable[Sequence[int]]) -> list[str]:
        """Output ids to text: special and language tokens dropped, spaces trimmed."""
        languages = self.language_ids(tokenizer)
        kept = [[i for i in row if i not in languages] for row in rows]
        return [text.strip() for text in tokenizer.batch_decode(kept, skip_special_tokens=True)]

    def ct2_converter(self, model_dir: Path) -> Any:
        """The CTranslate2 converter for this family's checkpoints."""
        from ctranslate2.converters import TransformersConverter

        return TransformersConverter(str(model_dir), low_cpu_mem_usage=True)


class LanguageCodec:
    """A ``TextCodec`` through the family's tokenizer (source language set), for CTranslate2.

    Source tokens are exactly what the tokenizer produces (``[code] … </s>``): CTranslate2 adds
    no specials of its own. ``target_prefix`` is the forced target language token, which
    CTranslate2 returns first; the engine strips it.
    """

    def __init__(self, family: ModelFamily, tokenizer: Any) -> None:
        self.family = family
        self.tokenizer = tokenizer
        target = family.target_token(tokenizer)
        self.target_prefix: tuple[str, ...] = (target,) if target else ()

    def encode(self, text: str) -> list[str]:
        ids = self.tokenizer(text)["input_ids"]
        return list(self.tokenizer.convert_ids_to_tokens(ids))

    def decode(self, tokens: Sequence[str]) -> str:
        ids = self.tokenizer.convert_tokens_to_ids(list(tokens))
        return self.family.decode(self.tokenizer, [ids])[0]


class M2M100Architecture(ModelFamily):
    """Families that share the M2M100 architecture (NLLB-200, M2M100) and differ in their
    tokenizer: recognised by ``model_type`` and the tokenizer class the folder names (else by
    ``tokenizer_files_alone``), loaded with ``M2M100ForConditionalGeneration``."""

    tokenizer_prefix = ""  # lower-case start of the tokenizer class name: "nllb", "m2m100"

    def matches(
        self,
        config: Mapping[str, Any],
        tokenizer_config: Mapping[str, Any],
        files: Collection[str],
    ) -> bool:
        if config.get("model_type") != "m2m_100":
            return False
        named = tokenizer_class(config, tokenizer_config)
        if named:
            return named.startswith(self.tokenizer_prefix)
        return self.tokenizer_files_alone(files)

    def tokenizer_files_alone(self, files: Collection[str]) -> bool:
        """Whether the file names alone say it, when no tokenizer class is named."""
        raise NotImplementedError

    def load_model(self, model_dir: Path, dtype: Any) -> Any:
        from transformers import M2M100ForConditionalGeneration

        return M2M100ForConditionalGeneration.from_pretrained(str(model_dir), dtype=dtype)


FAMILIES: Registry[ModelFamily] = Registry("model family", option="model")
FAMILIES.register("marian", "translate_cli.models.marian:FAMILY", help="MarianMT (OPUS-MT)")
FAMILIES.register("nllb", "translate_cli.models.nllb:FAMILY", help="NLLB-200")
FAMILIES.register("m2m100", "translate_cli.models.m2m100:FAMILY", help="M2M100")


def identify(
    config: Mapping[str, Any],
    tokenizer_config: Mapping[str, Any] | None = None,
    files: Collection[str] = (),
) -> ModelFamily | None:
    """The family of a checkpoint with this ``config.json`` (and ``tokenizer_config.json``,
    file names), or None."""
    for name in FAMILIES.names():
        family = FAMILIES.get(name)
        if family.matches(config, tokenizer_config or {}, files):
            return family
    return None


def tokenizer_class(config: Mapping[str, Any], tokenizer_config: Mapping[str, Any]) -> str:
    """The tokenizer class a checkpoint names (tokenizer_config.json first), lower case."""
    for source in (tokenizer_config, config):
        value = source.get("tokenizer_class")
        if isinstance(value, str) and value:
            return value.lower()
    return ""


def detect_family(model_dir: Path) -> ModelFamily:
    """The family of the model in ``model_dir``; ``ModelUnavailableError`` if none fits."""
    config = read_json_object(model_dir / "config.json")
    tokenizer_path = model_dir / "tokenizer_config.json"
    tokenizer_config = read_json_object(tokenizer_path) if tokenizer_path.is_file() else {}
    files = [path.name for path in model_dir.iterdir()]
    family = identify(config, tokenizer_config, files)
    if family is None:
        kind = config.get("model_type") or "unknown"
        raise ModelUnavailableError(
            f"{model_dir} holds a model of type {kind!r}, not one translate-cli can run",
            hint="use a MarianMT (OPUS-MT), NLLB-200 or M2M100 model",
        )
    return family


# --- licences -------------------------------------------------------------------------------
_LICENSE_LINE = re.compile(r"^license:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)
_noticed: set[str] = set()


def model_license(model_dir: Path, family: ModelFamily | None = None) -> str | None:
    """The licence in the model card's front matter (``README.md``), else the family's."""
    card = model_dir / "README.md"
    try:
        text = card.read_text(encoding="utf-8", errors="replace")[:20_000]
    except OSError:
        text = ""
    if text.startswith("---"):
        front = text[3 : text.find("\n---", 3)] if "\n---" in text[3:] else ""
        match = _LICENSE_LINE.search(front)
        if match:
            return match.group(1).lower()
    return family.license if family else None


def non_commercial(license: str | None) -> bool:
    return license is not None and "-nc" in license.lower()


def open_family(model_dir: Path) -> ModelFamily:
    """``detect_family``, plus a notice (once a process and model) when the model's licence
    forbids commercial use. The notice is logged; the pipeline shows it unless quiet."""
    family = detect_family(model_dir)
    license = model_license(model_dir, family)
    key = str(model_dir.resolve())
    if non_commercial(license) and key not in _noticed:
        _noticed.add(key)
        logger.warning(
            "%s: %s model under licence %s, for non-commercial use only",
            model_dir,
            family.title,
            license.upper() if license else license,
        )
    return family


__all__ = [
    "FAMILIES",
    "LanguageCodec",
    "ModelFamily",
    "detect_family",
    "identify",
    "model_license",
    "non_commercial",
    "open_family",
    "read_json_object",
    "tokenizer_class",
]


def check_model_dir(model_dir: Path, *, load_bin: bool = False) -> None:
    """Raise ``ModelUnavailableError`` naming the first damaged file of a model folder.

    Cheap checks of what the libraries would otherwise trip over with a confusing error: JSON
    files that do not parse or have the wrong shape, sentencepiece models that do not load, a
    ``model.safetensors`` shorter than its header promises. ``load_bin`` also loads a
    ``pytorch_model.bin`` the safe way (``weights_only``: plain tensors, never code); it costs a
    load, so only the conversion, which loads the weights anyway, asks for it.
    """
    family = detect_family(model_dir)  # names config.json or tokenizer_config.json if damaged
    for name, required in (
        ("config.json", True),
        *((json_file, True) for json_file in family.json_files),
        ("tokenizer_config.json", False),
        ("generation_config.json", False),
    ):
        path = model_dir / name
        if not required and not path.is_file():
            continue
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise damaged_file_error(path, f"not readable as JSON ({short_error(error)})") from None
        if not isinstance(value, dict):
            raise damaged_file_error(
                path, f"expected a JSON object, found a {type(value).__name__}"
            )
    for name in family.sentencepiece_files:
        if name in family.tokenizer_files or (model_dir / name).is_file():
            check_sentencepiece(model_dir / name)
    safetensors = model_dir / "model.safetensors"
    if safetensors.is_file():
        check_safetensors(safetensors)
    elif load_bin and (model_dir / "pytorch_model.bin").is_file():
        check_torch_pickle(model_dir / "pytorch_model.bin")
