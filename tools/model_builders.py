"""Random-weight translation models laid out like the real repositories, for tests, benchmarks
and ``make demo``.

No weights can be downloaded in CI, so the tests build tiny models whose files look exactly like
the published checkpoints: MarianMT in OPUS-MT layout (``source.spm``, ``target.spm``,
``vocab.json``, ``config.json``, ``generation_config.json``, ``model.safetensors``), NLLB-200
and M2M100. A random model does not translate; it lets tests check the pipeline's properties
and equivalences, and the benchmarks time models of the real shapes.

Import it as ``tools.model_builders`` (the tests run from the repository root; the benchmarks and
``tools/build_demo_model.py`` put the root on ``sys.path``).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

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


# The real NLLB-200-distilled-600M architecture (M2M100), used by the benchmarks.
NLLB_600M = {
    "d_model": 1024,
    "encoder_layers": 12,
    "decoder_layers": 12,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
    "vocab_size": 256206,
}

# The real m2m100_418M architecture.
M2M100_418M = {
    "d_model": 1024,
    "encoder_layers": 12,
    "decoder_layers": 12,
    "encoder_attention_heads": 16,
    "decoder_attention_heads": 16,
    "encoder_ffn_dim": 4096,
    "decoder_ffn_dim": 4096,
    "vocab_size": 128112,
}


def _train_bpe(corpus: Sequence[str], out_file: Path, vocab_size: int) -> None:
    """A BPE sentencepiece model like the fairseq ones (``<unk>`` 0, ``<s>`` 1, ``</s>`` 2)."""
    import sentencepiece as spm

    with tempfile.TemporaryDirectory() as tmp:
        text = Path(tmp) / "corpus.txt"
        text.write_text("\n".join(corpus), encoding="utf-8")
        spm.SentencePieceTrainer.train(
            input=str(text),
            model_prefix=str(Path(tmp) / "spm"),
            vocab_size=vocab_size,
            model_type="bpe",
            character_coverage=1.0,
            hard_vocab_limit=False,
            unk_id=0,
            bos_id=1,
            eos_id=2,
            pad_id=-1,
            minloglevel=2,
        )
        out_file.write_bytes((Path(tmp) / "spm.model").read_bytes())


def _save_m2m100_weights(
    out_dir: Path,
    vocab_size: int,
    architecture: dict[str, int],
    generation: dict[str, object],
    *,
    seed: int,
    unreachable_eos: bool,
    tokenizer_class: str,
    weight_std: float | None,
) -> None:
    """A random ``M2M100ForConditionalGeneration`` with fairseq's special ids (NLLB's too)."""
    import torch
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    config = M2M100Config(
        vocab_size=vocab_size,
        max_position_embeddings=1024,
        scale_embedding=True,
        activation_function="relu",
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        tie_word_embeddings=True,
        architectures=["M2M100ForConditionalGeneration"],
        tokenizer_class=tokenizer_class,
        **architecture,
    )
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config)
    model.eval()
    with torch.no_grad():
        if weight_std is not None:
            # The default initialisation (std 0.02) makes a tiny model print the same tokens
            # for every input; larger weights make outputs depend on it.
            for parameter in model.parameters():
                if parameter.dim() >= 2:
                    parameter.normal_(0.0, weight_std)
            model.get_input_embeddings().weight[1].zero_()  # <pad>, as in real checkpoints
        if unreachable_eos:
            model.get_input_embeddings().weight[2].zero_()
    # As the real repositories have it: max_length 200 (and for M2M100 five beams), which the
    # engines must override.
    model.generation_config = GenerationConfig(
        bos_token_id=0, decoder_start_token_id=2, eos_token_id=2, pad_token_id=1, **generation
    )
    model.save_pretrained(out_dir, safe_serialization=True)


def build_nllb_model(
    out_dir: Path,
    corpus: Sequence[str],
    *,
    spm_vocab_size: int = 300,
    architecture: dict[str, int] | None = None,
    seed: int = 0,
    unreachable_eos: bool = False,
    weight_std: float | None = None,
) -> Path:
    """Save a random NLLB-200 model laid out like ``facebook/nllb-200-distilled-600M``.

    ``sentencepiece.bpe.model``, ``tokenizer.json`` + ``tokenizer_config.json`` (an
    ``NllbTokenizer`` with all 202 language codes, default source language ``eng_Latn`` as
    published), ``config.json`` (``m2m_100``), ``generation_config.json`` (max_length 200) and
    ``model.safetensors``. ``architecture`` as in ``build_marian_model``; a ``vocab_size``
    beyond the tokenizer's is filled with filler pieces; ``weight_std`` redraws the weights
    with that spread, so that outputs depend on the input (0.5 for tests). Needs ``protobuf``
    (to read the sentencepiece model into a fast tokenizer).
    """
    import base64

    from transformers import NllbTokenizer
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    out_dir.mkdir(parents=True, exist_ok=True)
    spm_file = out_dir / "sentencepiece.bpe.model"
    _train_bpe(corpus, spm_file, spm_vocab_size)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / spm_file.name).write_bytes(spm_file.read_bytes())
        converted = NllbTokenizer.from_pretrained(tmp)
    state = json.loads(converted._tokenizer.to_str())
    vocab: dict[str, int] = dict(state["model"]["vocab"])
    arch = {**TINY, **(architecture or {})}
    specials = len(FAIRSEQ_LANGUAGE_CODES) + 1  # the language codes and <mask>
    wanted = int(arch.pop("vocab_size", 0))
    while len(vocab) + specials < wanted:
        vocab[f"<filler_{len(vocab)}>"] = len(vocab)
    charsmap = state["normalizer"]["normalizers"][0]["precompiled_charsmap"]
    tokenizer = NllbTokenizer(
        vocab=vocab,
        merges=[tuple(pair) for pair in state["model"]["merges"]],
        _spm_precompiled_charsmap=base64.b64decode(charsmap),
        extra_special_tokens=list(FAIRSEQ_LANGUAGE_CODES),
    )
    tokenizer.save_pretrained(out_dir)
    _save_m2m100_weights(
        out_dir,
        max(wanted, len(tokenizer)),
        arch,
        {"max_length": 200},
        seed=seed,
        unreachable_eos=unreachable_eos,
        tokenizer_class="NllbTokenizer",
        weight_std=weight_std,
    )
    return out_dir


def build_m2m100_model(
    out_dir: Path,
    corpus: Sequence[str],
    *,
    spm_vocab_size: int = 300,
    architecture: dict[str, int] | None = None,
    seed: int = 0,
    unreachable_eos: bool = False,
    weight_std: float | None = None,
) -> Path:
    """Save a random M2M100 model laid out like ``facebook/m2m100_418M``.

    ``sentencepiece.bpe.model`` and ``vocab.json`` whose order differs from the sentencepiece
    order (as in the real one), ``tokenizer_config.json``, ``config.json``,
    ``generation_config.json`` (max_length 200, five beams) and ``model.safetensors``.
    """
    import random

    import sentencepiece as spm
    from transformers import M2M100Tokenizer

    out_dir.mkdir(parents=True, exist_ok=True)
    spm_file = out_dir / "sentencepiece.bpe.model"
    _train_bpe(corpus, spm_file, spm_vocab_size)
    processor = spm.SentencePieceProcessor(model_file=str(spm_file))
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    pieces = [p for p in pieces if p not in ("<unk>", "<s>", "</s>")]
    random.Random(seed).shuffle(pieces)  # vocab.json's order is not the sentencepiece order
    vocab: dict[str, int] = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    arch = {**TINY, **(architecture or {})}
    wanted = int(arch.pop("vocab_size", 0))
    extra = 100 + 8  # M2M100's language tokens and its "madeup words"
    while len(vocab) + extra < wanted:
        vocab[f"<filler_{len(vocab)}>"] = len(vocab)
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = M2M100Tokenizer(
        vocab_file=str(out_dir / "vocab.json"), spm_file=str(spm_file), src_lang="en"
    )
    tokenizer.save_pretrained(out_dir)
    _save_m2m100_weights(
        out_dir,
        max(wanted, len(vocab) + extra),
        arch,
        {"max_length": 200, "num_beams": 5, "early_stopping": True},
        seed=seed,
        unreachable_eos=unreachable_eos,
        tokenizer_class="M2M100Tokenizer",
        weight_std=weight_std,
    )
    return out_dir
