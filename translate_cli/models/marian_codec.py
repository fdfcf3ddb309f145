"""Marian source tokens and target text without importing transformers.

CTranslate2 works on token strings, so the only thing it needs from a tokenizer is text -> pieces
and pieces -> text. ``MarianTokenizer`` does that with two sentencepiece models and
``vocab.json``, but importing transformers for it costs about two seconds of start-up, more than
translating a short article. ``MarianCodec`` repeats exactly what ``MarianTokenizer`` does for
the standard OPUS-MT layout (one shared vocabulary, no extra added tokens); the tests compare the
two token for token. Any other layout falls back to ``MarianTokenizer`` itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

_SPIECE_UNDERLINE = "\u2581"


class TextCodec(Protocol):
    """Text to source tokens (ending with the end-of-sentence token) and target tokens to text."""

    # Tokens CTranslate2 must put first in every output (a target language); () for Marian.
    target_prefix: tuple[str, ...]

    def encode(self, text: str) -> list[str]: ...

    def decode(self, tokens: Sequence[str]) -> str: ...


def load_codec(model_dir: Path) -> TextCodec:
    """The fast codec when the model has the standard OPUS-MT layout, else ``MarianTokenizer``."""
    try:
        return MarianCodec(model_dir)
    except _UnsupportedLayout:
        return TokenizerCodec(model_dir)


class _UnsupportedLayout(Exception):
    """The model's tokenizer files use a feature ``MarianCodec`` does not reproduce."""


class MarianCodec:
    """``MarianTokenizer`` encoding and ``decode(skip_special_tokens=True)`` for OPUS-MT models."""

    target_prefix: tuple[str, ...] = ()

    def __init__(self, model_dir: Path) -> None:
        import sentencepiece as spm

        config = _read_json(model_dir / "tokenizer_config.json", default={})
        if not isinstance(config, dict):
            raise _UnsupportedLayout("tokenizer_config.json is not an object")
        vocab = _read_json(model_dir / "vocab.json", default=None)
        if not isinstance(vocab, dict) or not (model_dir / "source.spm").is_file():
            raise _UnsupportedLayout("no vocab.json or source.spm")
        # Separate target vocabularies and the clean-up pass change how text is decoded.
        if config.get("separate_vocabs") or config.get("clean_up_tokenization_spaces"):
            raise _UnsupportedLayout("separate vocabularies or clean-up are not reproduced")
        self.eos = _token_name(config.get("eos_token", "</s>"))
        self.unk = _token_name(config.get("unk_token", "<unk>"))
        self.pad = _token_name(config.get("pad_token", "<pad>"))
        specials = {self.eos, self.unk, self.pad}
        # The tokenizer splits text on its added tokens; only the three specials, without
        # strip or single-word rules, are reproduced here.
        for entry in (config.get("added_tokens_decoder") or {}).values():
            if not isinstance(entry, dict) or entry.get("content") not in specials:
                raise _UnsupportedLayout("extra added tokens")
            if entry.get("lstrip") or entry.get("rstrip") or entry.get("single_word"):
                raise _UnsupportedLayout("added-token strip rules")
        if self.unk not in vocab:
            raise _UnsupportedLayout("<unk> is not in the vocabulary")
        self.vocab: frozenset[str] = frozenset(vocab)
        self.specials = frozenset(specials)
        self._special_split = re.compile(
            "(" + "|".join(re.escape(t) for t in sorted(specials, key=len, reverse=True)) + ")"
        )
        # Without separate vocabularies MarianTokenizer decodes with the *source* model.
        self._spm = spm.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))

    def encode(self, text: str) -> list[str]:
        tokens: list[str] = []
        for chunk in self._special_split.split(text):
            if not chunk:
                continue
            if chunk in self.specials:
                tokens.append(chunk)
                continue
            code, rest = _split_language_code(chunk)
            for piece in [*code, *self._spm.encode(rest, out_type=str)]:
                tokens.append(piece if piece in self.vocab else self.unk)
        tokens.append(self.eos)
        return tokens

    def decode(self, tokens: Sequence[str]) -> str:
        pieces = [t for t in tokens if t not in self.specials]
        text: str = self._spm.decode_pieces(pieces)
        return text.replace(_SPIECE_UNDERLINE, " ").strip()


class TokenizerCodec:
    """The same interface through ``MarianTokenizer`` (slow to import, always exact)."""

    target_prefix: tuple[str, ...] = ()

    def __init__(self, model_dir: Path) -> None:
        from transformers import MarianTokenizer

        self.tokenizer: Any = MarianTokenizer.from_pretrained(str(model_dir))

    def encode(self, text: str) -> list[str]:
        ids = self.tokenizer(text)["input_ids"]
        return list(self.tokenizer.convert_ids_to_tokens(ids))

    def decode(self, tokens: Sequence[str]) -> str:
        ids = self.tokenizer.convert_tokens_to_ids(list(tokens))
        return str(self.tokenizer.decode(ids, skip_special_tokens=True)).strip()


def _split_language_code(text: str) -> tuple[list[str], str]:
    """``MarianTokenizer.remove_language_code``: a leading ``>>xx<<`` is a token of its own."""
    if text.startswith(">>"):
        end = text.find("<<")
        if end != -1:
            return [text[: end + 2]], text[end + 2 :]
    return [], text


def _token_name(value: object) -> str:
    # tokenizer_config.json stores special tokens as strings or as AddedToken objects.
    if isinstance(value, dict):
        return str(value.get("content", ""))
    return str(value)


def _read_json(path: Path, *, default: object) -> object:
    if not path.is_file():
        return default
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise _UnsupportedLayout(f"{path.name}: {error}") from error
