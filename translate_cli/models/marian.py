"""The MarianMT family: Helsinki-NLP OPUS-MT and OPUS-MT-tc checkpoints.

Two sentencepiece models and one ``vocab.json``; no language tokens for single-target models
(``>>eng<<``-style codes of multi-target ones are typed into the text). The CTranslate2 path
uses our own codec (``marian_codec.py``), which never imports transformers.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from translate_cli.models.family import ModelFamily


class MarianFamily(ModelFamily):
    name = "marian"
    title = "MarianMT"
    license = None  # OPUS-MT models are CC-BY-4.0 or Apache-2.0, by model card
    tokenizer_files = ("source.spm", "target.spm", "vocab.json")
    json_files = ("vocab.json",)
    sentencepiece_files = ("source.spm", "target.spm")

    def matches(
        self,
        config: Mapping[str, Any],
        tokenizer_config: Mapping[str, Any],
        files: Collection[str],
    ) -> bool:
        return config.get("model_type") == "marian"

    def load_tokenizer(self, model_dir: Path) -> Any:
        from transformers import MarianTokenizer

        return MarianTokenizer.from_pretrained(str(model_dir))

    def load_model(self, model_dir: Path, dtype: Any) -> Any:
        from transformers import MarianMTModel

        return MarianMTModel.from_pretrained(str(model_dir), dtype=dtype)

    def load_codec(self, model_dir: Path) -> Any:
        from translate_cli.models.marian_codec import load_codec

        return load_codec(model_dir)


FAMILY = MarianFamily()
