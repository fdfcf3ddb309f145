"""The M2M100 family (``facebook/m2m100_418M``, ``m2m100_1.2B``): ``M2M100Tokenizer``.

Source ``__id__ … </s>``, target ``__en__`` forced after the ``</s>`` decoder start. The
tokenizer maps pieces to ids through ``vocab.json``, whose order is not the sentencepiece
order; language tokens follow the vocabulary, then eight "madeup words".
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from translate_cli.models.family import M2M100Architecture


class M2M100Family(M2M100Architecture):
    name = "m2m100"
    title = "M2M100"
    license = "mit"
    tokenizer_files = ("sentencepiece.bpe.model", "vocab.json")
    json_files = ("vocab.json",)
    sentencepiece_files = ("sentencepiece.bpe.model",)
    source_language = "id"
    target_language = "en"
    max_tokens = 512  # 1024 positions; the same limit as NLLB-200, for the same reason
    tokenizer_prefix = "m2m100"

    def tokenizer_files_alone(self, files: Collection[str]) -> bool:
        return "vocab.json" in files

    def load_tokenizer(self, model_dir: Path) -> Any:
        from transformers import M2M100Tokenizer

        return M2M100Tokenizer.from_pretrained(
            str(model_dir), src_lang=self.source_language, tgt_lang=self.target_language
        )

    def target_token(self, tokenizer: Any) -> str | None:
        return str(tokenizer.get_lang_token(self.target_language))

    def language_ids(self, tokenizer: Any) -> frozenset[int]:
        # Not special tokens for transformers 5: skip_special_tokens would keep them.
        return frozenset(int(i) for i in tokenizer.lang_token_to_id.values())

    def ct2_converter(self, model_dir: Path) -> Any:
        from ctranslate2.converters import TransformersConverter

        class Converter(TransformersConverter):  # type: ignore[misc]
            def load_tokenizer(self, tokenizer_class: Any, path: str, **kwargs: Any) -> Any:
                return _WithLanguageTokens(super().load_tokenizer(tokenizer_class, path, **kwargs))

        return Converter(str(model_dir), low_cpu_mem_usage=True)


class _WithLanguageTokens:
    """The tokenizer as CTranslate2's converter expects it: ``get_vocab`` with the language
    tokens. Under transformers 5 they are no longer listed, so the converted vocabulary came
    out 100 tokens short of the model and the conversion failed."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)

    def get_vocab(self) -> dict[str, int]:
        vocab = dict(self._tokenizer.get_vocab())
        vocab.update(self._tokenizer.lang_token_to_id)
        return vocab


FAMILY = M2M100Family()
