"""Test doubles: a fake translator, and random-weight MarianMT models in OPUS-MT layout.

``FakeTranslator`` (engine ``fake``, hidden) needs no model and no torch: command-line tests can
run it in-process or in a subprocess with ``TRANSLATE_CLI_ENGINE=fake``. It is the only thing
here a run may import; it stays light.

No weights can be downloaded in CI, so tests build a tiny model whose files look exactly like a
Helsinki-NLP checkpoint (``source.spm``, ``target.spm``, ``vocab.json``, ``config.json``,
``generation_config.json``, ``model.safetensors``). A random model does not translate; it lets
tests check the pipeline's properties and equivalences.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from translate_cli.engines.base import ProgressCallback, Translation
from translate_cli.engines.seq2seq import clean_for_model

if TYPE_CHECKING:
    from translate_cli.config import Settings


def fake_translation(text: str) -> str:
    """What ``FakeTranslator`` makes of ``text``: visibly marked, one to one, empty stays empty."""
    cleaned = clean_for_model(text)
    return f"EN {cleaned}" if cleaned else ""


class FakeTranslator:
    """A deterministic ``Translator`` for tests: ``"EN " + cleaned text``, no model involved.

    Each output is yielded as soon as its input is read, with ``progress(1)``. ``batches``
    holds the texts of every ``translate`` call, one list per call, filled as they are read;
    ``closed`` says whether ``close`` was called.
    """

    name = "fake"

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        self.batches: list[list[str]] = []
        self.closed = False

    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        batch: list[str] = []
        self.batches.append(batch)
        for text in texts:
            batch.append(text)
            output = fake_translation(text)
            if progress is not None:
                progress(1)
            yield output

    def translate_with_evidence(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Translation]:
        """``translate`` with evidence: a sure model (score 0.0) with nothing to flag."""
        return (Translation(text, 0.0) for text in self.translate(texts, progress))

    def close(self) -> None:
        self.closed = True


def open_fake(settings: Settings, *, download_progress: bool = False) -> FakeTranslator:
    """Engine ``fake``: never resolves, downloads or loads a model."""
    return FakeTranslator(settings)


# The real opus-mt-id-en architecture, used by the benchmarks.
OPUS_MT_ID_EN = {
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
    "vocab_size": 54796,
}

TINY = {
    "d_model": 16,
    "encoder_layers": 2,
    "decoder_layers": 2,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 32,
    "decoder_ffn_dim": 32,
}


def train_sentencepiece(lines: Sequence[str], prefix: Path, vocab_size: int) -> Path:
    """Train a unigram sentencepiece model on ``lines``; returns the ``.model`` path."""
    import sentencepiece as spm

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("\n".join(lines))
        corpus = f.name
    spm.SentencePieceTrainer.train(
        input=corpus,
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        # OPUS-MT's spm models carry <unk> and </s> but no <pad>; the vocab adds <pad> last.
        unk_id=0,
        bos_id=-1,
        eos_id=1,
        pad_id=-1,
        minloglevel=2,
    )
    Path(corpus).unlink()
    return prefix.with_suffix(".model")


def build_marian_model(
    out_dir: Path,
    corpus: Sequence[str],
    *,
    spm_vocab_size: int = 200,
    architecture: dict[str, int] | None = None,
    seed: int = 0,
    unreachable_eos: bool = False,
) -> Path:
    """Save a random MarianMT model + tokenizer in OPUS-MT layout under ``out_dir``.

    ``architecture`` overrides the tiny default (pass ``OPUS_MT_ID_EN`` for benchmarks); if it
    sets ``vocab_size`` beyond the sentencepiece vocabulary, filler tokens pad the vocabulary
    so ids match the real model's range. ``unreachable_eos`` zeroes the ``</s>`` embedding row
    so generation runs to its length cap (comparable work in benchmarks).
    """
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Writing model shards" bar on stderr
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        spm_path = train_sentencepiece(corpus, Path(tmp) / "spm", spm_vocab_size)
        spm_bytes = spm_path.read_bytes()
    (out_dir / "source.spm").write_bytes(spm_bytes)
    (out_dir / "target.spm").write_bytes(spm_bytes)

    processor = spm.SentencePieceProcessor(model_file=str(out_dir / "source.spm"))
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for piece in pieces:
        if piece not in ("<unk>", "</s>", "<s>"):
            vocab.setdefault(piece, len(vocab))
    arch = {**TINY, **(architecture or {})}
    vocab_size = max(int(arch.pop("vocab_size", 0)), len(vocab) + 1)
    while len(vocab) < vocab_size - 1:
        vocab[f"<filler_{len(vocab)}>"] = len(vocab)
    pad_id = len(vocab)
    vocab["<pad>"] = pad_id
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

    tokenizer = MarianTokenizer(
        source_spm=str(out_dir / "source.spm"),
        target_spm=str(out_dir / "target.spm"),
        vocab=str(out_dir / "vocab.json"),
        source_lang="id",
        target_lang="en",
    )
    tokenizer.save_pretrained(out_dir)

    config = MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        max_position_embeddings=512,
        activation_function="swish",
        static_position_embeddings=True,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        pad_token_id=pad_id,
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        bad_words_ids=[[pad_id]],
        num_beams=4,
        max_length=512,
        **arch,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    model.eval()
    if unreachable_eos:
        with torch.no_grad():
            model.get_input_embeddings().weight[0].zero_()
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad_id]],
        bos_token_id=0,
        decoder_start_token_id=pad_id,
        eos_token_id=0,
        forced_eos_token_id=0,
        max_length=512,
        num_beams=4,
        pad_token_id=pad_id,
    )
    model.save_pretrained(out_dir, safe_serialization=True)
    return out_dir
