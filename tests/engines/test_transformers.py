"""The transformers engine against a direct ``model.generate()`` on the same weights.

Batching, sorting, deduplication, windowing and splitting must not change any sentence's
result: each sentence must come out exactly as it would if translated alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS
from translate_cli.engines.seq2seq import EngineOptions, clean_for_model, output_cap
from translate_cli.engines.transformers import TransformersEngine


@pytest.fixture(scope="module")
def reference(tiny_model: Path) -> tuple[Any, Any]:
    from transformers import MarianMTModel, MarianTokenizer

    return MarianTokenizer.from_pretrained(tiny_model), MarianMTModel.from_pretrained(tiny_model)


def direct_generate(reference: tuple[Any, Any], text: str, beams: int) -> list[int]:
    """What a user gets calling generate() on one sentence with our cap and beam size."""
    tokenizer, model = reference
    batch = tokenizer([text], return_tensors="pt")
    cap = output_cap(batch["input_ids"].shape[1], 512)
    out = model.generate(
        **batch, num_beams=beams, max_new_tokens=cap, renormalize_logits=True, do_sample=False
    )
    ids: list[int] = out[0].tolist()[1:]
    while ids and ids[-1] == model.config.pad_token_id:
        ids.pop()
    return ids


SENTENCES = [*CORPUS, "Ya.", "Banjir.", CORPUS[0] + " " + CORPUS[1] + " " + CORPUS[2]]


@pytest.mark.parametrize("beams", [1, 4])
def test_batched_tokens_equal_direct_generate(
    tiny_model: Path, reference: tuple[Any, Any], beams: int
) -> None:
    engine = TransformersEngine(tiny_model, EngineOptions(beam_size=beams, batch_size=5))
    lengths = engine.count_tokens(SENTENCES)
    caps = [output_cap(n, 512) for n in lengths]
    batched = engine.generate_ids(SENTENCES, caps)
    for text, ids in zip(SENTENCES, batched, strict=True):
        assert ids == direct_generate(reference, text, beams), text


def test_translate_keeps_order_and_matches_one_by_one(tiny_model: Path) -> None:
    # Small batches and windows force several batches and windows over mixed lengths.
    options = EngineOptions(beam_size=2, batch_size=3, window=7)
    engine = TransformersEngine(tiny_model, options)
    texts = [*SENTENCES, SENTENCES[3], "", "   "]
    together = list(engine.translate(texts))
    alone = [engine.translate_all([t])[0] for t in texts]
    assert together == alone
    assert len(together) == len(texts)
    assert together[-2:] == ["", ""]


def test_progress_reports_every_sentence(tiny_model: Path) -> None:
    engine = TransformersEngine(tiny_model, EngineOptions(beam_size=1, window=4))
    seen: list[float] = []
    list(engine.translate(CORPUS[:10], seen.append))
    assert sum(seen) == pytest.approx(10)


def test_over_long_sentence_is_split_not_cut(tiny_model: Path) -> None:
    engine = TransformersEngine(tiny_model, EngineOptions(beam_size=1))
    long_text = " ".join(CORPUS * 8)  # far beyond the 512-token input limit
    assert engine.count_tokens([long_text])[0] > engine.max_source_tokens
    pieces = engine.split_to_fit(clean_for_model(long_text))
    assert len(pieces) > 1
    assert all(n <= engine.max_source_tokens for n in engine.count_tokens(pieces))
    # Nothing cut: the pieces hold every character of the sentence, in order.
    assert "".join(pieces).replace(" ", "") == long_text.replace(" ", "")
    # The sentence's translation is its pieces' translations, each as if alone.
    expected = " ".join(engine.translate_all(pieces))
    assert engine.translate_all([long_text]) == [expected]


def test_text_without_spaces_is_split_by_halving(tiny_model: Path) -> None:
    engine = TransformersEngine(tiny_model, EngineOptions(beam_size=1))
    blob = "abcdefghij" * 400
    pieces = engine.split_to_fit(blob)
    assert "".join(pieces) == blob
    assert all(n <= engine.max_source_tokens for n in engine.count_tokens(pieces))


def test_output_respects_length_cap(tiny_model: Path) -> None:
    engine = TransformersEngine(tiny_model, EngineOptions(beam_size=1))
    lengths = engine.count_tokens(CORPUS)
    caps = [min(c, 6) for c in (output_cap(n, 512) for n in lengths)]
    for ids, cap in zip(engine.generate_ids(CORPUS, caps), caps, strict=True):
        assert len(ids) <= cap


def test_control_characters_do_not_crash(tiny_model: Path) -> None:
    engine = TransformersEngine(tiny_model, EngineOptions(beam_size=1))
    out = engine.translate_all(["Harga\x00 beras\x1b naik\u200b.", "\x07\x08"])
    assert len(out) == 2 and out[1] == ""
    assert clean_for_model("a\x00b\tc\n d") == "a b c d"


def test_output_cap_grows_with_source_and_stops_at_the_limit() -> None:
    assert output_cap(10, 512) == 25
    assert output_cap(1000, 512) == 512
