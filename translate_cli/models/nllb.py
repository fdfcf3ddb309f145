"""The NLLB-200 family (``facebook/nllb-200-*``): M2M100 architecture, ``NllbTokenizer``.

The tokenizer puts the source language code first (``ind_Latn … </s>``); without ``src_lang``
it silently encodes as English. The decoder starts with ``</s>``, then ``eng_Latn`` is forced
(``forced_bos_token_id``, CTranslate2's ``target_prefix``); both are dropped from the output.
The tokenizer loads from ``tokenizer.json`` (the sentencepiece file alone needs protobuf). The
fast tokenizer keeps trailing whitespace as a ``▁`` token; the engines only ever tokenize
cleaned text (``clean_for_model`` trims it), so both engines see the same tokens.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from translate_cli.models.family import M2M100Architecture

_LANGUAGE_CODE = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")  # ind_Latn, zho_Hant, ...


class NllbFamily(M2M100Architecture):
    name = "nllb"
    title = "NLLB-200"
    license = "cc-by-nc-4.0"  # every NLLB-200 checkpoint
    tokenizer_files = ("tokenizer.json",)
    json_files = ("tokenizer.json",)
    sentencepiece_files = ("sentencepiece.bpe.model",)
    source_language = "ind_Latn"
    target_language = "eng_Latn"
    # 1024 positions, but NLLB-200 was trained on sequences of at most 512 tokens: longer
    # input is split at clauses (as for MarianMT, whose limit is 512 too) rather than fed to
    # positions the model never learnt to use.
    max_tokens = 512
    tokenizer_prefix = "nllb"

    def tokenizer_files_alone(self, files: Collection[str]) -> bool:
        return "tokenizer.json" in files and "vocab.json" not in files

    def load_tokenizer(self, model_dir: Path) -> Any:
        from transformers import NllbTokenizer

        return NllbTokenizer.from_pretrained(
            str(model_dir), src_lang=self.source_language, tgt_lang=self.target_language
        )

    def target_token(self, tokenizer: Any) -> str | None:
        token = str(self.target_language)
        if tokenizer.convert_tokens_to_ids(token) == tokenizer.unk_token_id:
            raise ValueError(f"the tokenizer has no {token} token")
        return token

    def language_ids(self, tokenizer: Any) -> frozenset[int]:
        return frozenset(
            int(i) for token, i in tokenizer.get_vocab().items() if _LANGUAGE_CODE.match(token)
        )


FAMILY = NllbFamily()
