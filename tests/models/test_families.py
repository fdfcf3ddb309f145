"""NLLB-200 and M2M100 beside MarianMT: detection, language tokens, both engines, the pipeline.

Tiny random-weight models are built in the real repositories' layouts
(``tools/model_builders.py``); their weights are drawn large enough (std 0.5) that outputs depend
on the input.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS, install_in_hub_cache
from tests.helpers import invoke
from translate_cli import Pipeline
from translate_cli.engines.seq2seq import EngineOptions, clean_for_model, output_cap
from translate_cli.engines.transformers import TransformersEngine
from translate_cli.errors import ModelUnavailableError
from translate_cli.models.family import detect_family, identify, model_license

pytestmark = pytest.mark.slow

FAMILIES = ("nllb", "m2m100")
LANGUAGE_TOKEN = {
    "nllb": re.compile(r"\b[a-z]{3}_[A-Z][a-z]{3}\b"),  # eng_Latn
    "m2m100": re.compile(r"__[a-z]{2,3}__"),  # __en__
}
SOURCE_TOKEN = {"nllb": "ind_Latn", "m2m100": "__id__"}
TARGET_TOKEN = {"nllb": "eng_Latn", "m2m100": "__en__"}
SENTENCES = [*CORPUS[:12], "Ya.", "Banjir.", CORPUS[0] + " " + CORPUS[1]]
NEAR_TIE = 1e-3  # log-probability gap within which two libraries may pick either token


def _build(family: str, out_dir: Path, **options: Any) -> Path:
    from tools.model_builders import build_m2m100_model, build_nllb_model

    builder = build_nllb_model if family == "nllb" else build_m2m100_model
    return builder(out_dir, CORPUS * 2, **options)


@pytest.fixture(scope="session")
def family_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    # Named like a Marian model on purpose: the family comes from the files, not the name.
    return {
        family: _build(family, tmp_path_factory.mktemp(family) / "opus-mt-id-en", weight_std=0.5)
        for family in FAMILIES
    }


@pytest.fixture(params=FAMILIES)
def family(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def model_dir(family: str, family_models: dict[str, Path]) -> Path:
    return family_models[family]


@pytest.fixture(scope="session")
def _engines(family_models: dict[str, Path]) -> dict[tuple[str, int], TransformersEngine]:
    return {}


def hf_engine(
    cache: dict[tuple[str, int], TransformersEngine], model_dir: Path, beams: int
) -> TransformersEngine:
    key = (str(model_dir), beams)
    if key not in cache:
        cache[key] = TransformersEngine(model_dir, EngineOptions(beam_size=beams, batch_size=5))
    return cache[key]


@pytest.fixture(scope="module", autouse=True)
def _restore_torch_threads() -> Iterator[None]:
    import torch

    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


# --- detection and files ----------------------------------------------------------------------
def test_family_comes_from_the_files_not_the_name(
    family: str, model_dir: Path, tiny_model: Path
) -> None:
    assert model_dir.name == "opus-mt-id-en"
    assert detect_family(model_dir).name == family
    assert detect_family(tiny_model).name == "marian"
    config = json.loads((model_dir / "config.json").read_text())
    # Without a tokenizer class anywhere, the tokenizer files decide.
    bare = {k: v for k, v in config.items() if k != "tokenizer_class"}
    files = [p.name for p in model_dir.iterdir()]
    assert identify(bare, {}, files) is not None
    assert identify(bare, {}, files).name == family  # type: ignore[union-attr]
    assert identify({"model_type": "bert"}, {}, files) is None


def test_unknown_model_type_is_exit_3(tmp_path: Path, model_dir: Path) -> None:
    other = tmp_path / "m"
    shutil.copytree(model_dir, other)
    config = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "model_type": "t5"}))
    with pytest.raises(ModelUnavailableError, match="'t5'"):
        detect_family(other)
    result = invoke("translate", "--model", str(other), input="Ya.\n")
    assert result.exit_code == 3


def test_missing_or_damaged_tokenizer_file_is_named(
    tmp_path: Path, family: str, model_dir: Path
) -> None:
    needed = "tokenizer.json" if family == "nllb" else "vocab.json"
    damaged = tmp_path / "damaged"
    shutil.copytree(model_dir, damaged)
    (damaged / needed).write_text("{not json")
    result = invoke("translate", "--model", str(damaged), "--engine", "transformers", input="Ya.")
    assert result.exit_code == 3
    assert f"{damaged / needed}" in result.stderr and "damaged" in result.stderr
    (damaged / needed).unlink()
    result = invoke("translate", "--model", str(damaged), input="Ya.")
    assert result.exit_code == 3 and "not a translation model folder" in result.stderr


def test_files_to_fetch_per_family() -> None:
    from translate_cli.models import files_to_fetch

    common = {".gitattributes", "README.md", "config.json", "generation_config.json"}
    nllb = {*common, "pytorch_model.bin", "sentencepiece.bpe.model", "special_tokens_map.json"}
    nllb |= {"tokenizer.json", "tokenizer_config.json"}
    config = {"model_type": "m2m_100", "tokenizer_class": "NllbTokenizer"}
    got = files_to_fetch("facebook/nllb-200-distilled-600M", nllb, config, {})
    assert "pytorch_model.bin" in got and "tokenizer.json" in got and "README.md" in got
    assert "sentencepiece.bpe.model" in got and ".gitattributes" not in got
    # safetensors when present; shards with their index when there is no single file
    assert files_to_fetch("x/y", {*nllb, "model.safetensors"}, config, {})[-1:] == [
        "model.safetensors"
    ]
    sharded = {f for f in nllb if f != "pytorch_model.bin"} | {
        "pytorch_model.bin.index.json",
        "pytorch_model-00001-of-00002.bin",
        "pytorch_model-00002-of-00002.bin",
    }
    got = files_to_fetch("facebook/nllb-200-3.3B", sharded, config, {})
    assert got[-3:] == [
        "pytorch_model.bin.index.json",
        "pytorch_model-00001-of-00002.bin",
        "pytorch_model-00002-of-00002.bin",
    ]
    m2m = {*common, "pytorch_model.bin", "rust_model.ot", "sentencepiece.bpe.model"}
    m2m |= {"vocab.json", "tokenizer_config.json", "special_tokens_map.json"}
    got = files_to_fetch(
        "facebook/m2m100_418M",
        m2m,
        {"model_type": "m2m_100"},
        {"tokenizer_class": "M2M100Tokenizer"},
    )
    assert {"vocab.json", "sentencepiece.bpe.model", "pytorch_model.bin"} <= set(got)
    assert "rust_model.ot" not in got
    with pytest.raises(ModelUnavailableError, match=r"tokenizer\.json"):
        files_to_fetch("x/y", nllb - {"tokenizer.json"}, config, {})
    with pytest.raises(ModelUnavailableError, match="'bert'"):
        files_to_fetch("x/y", nllb, {"model_type": "bert"}, {})


def test_models_list_shows_family_and_licence(
    family_models: dict[str, Path], tiny_model: Path, isolated_env: Path, tmp_path: Path
) -> None:
    install_in_hub_cache(family_models["nllb"], isolated_env / "hf", "facebook/nllb-200-tiny")
    install_in_hub_cache(family_models["m2m100"], isolated_env / "hf", "facebook/m2m100-tiny")
    carded = tmp_path / "carded"
    shutil.copytree(tiny_model, carded)
    (carded / "README.md").write_text("---\ntags:\n- translation\nlicense: apache-2.0\n---\n# x\n")
    install_in_hub_cache(carded, isolated_env / "hf", "Helsinki-NLP/opus-mt-id-en")
    listed = {m["name"]: m for m in json.loads(invoke("models", "list", "-f", "json").stdout)}
    assert listed["facebook/nllb-200-tiny"]["family"] == "nllb"
    assert listed["facebook/nllb-200-tiny"]["license"] == "cc-by-nc-4.0"
    assert listed["facebook/m2m100-tiny"]["family"] == "m2m100"
    assert listed["facebook/m2m100-tiny"]["license"] == "mit"
    assert listed["Helsinki-NLP/opus-mt-id-en"]["family"] == "marian"
    assert listed["Helsinki-NLP/opus-mt-id-en"]["license"] == "apache-2.0"
    assert all(m["translation_model"] for m in listed.values())
    text = invoke("models", "list").stdout
    assert "NLLB-200" in text and "CC-BY-NC-4.0" in text and "M2M100" in text


def test_model_card_licence_wins(tmp_path: Path, model_dir: Path) -> None:
    family = detect_family(model_dir)
    assert model_license(model_dir, family) == family.license
    (tmp_path / "README.md").write_text("---\nlicense: 'cc-by-4.0'\n---\n")
    assert model_license(tmp_path, family) == "cc-by-4.0"


def test_non_commercial_notice_once_and_not_quiet(
    family_models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from translate_cli.models import family as family_module

    monkeypatch.setattr(family_module, "_noticed", set())
    args = ["translate", "--model", str(family_models["nllb"]), "--engine", "transformers"]
    records = "".join(json.dumps({"id": i, "text": "Ya."}) + "\n" for i in range(3))
    quiet = invoke(*args, "-q", "--input-format", "jsonl", input=records)
    assert quiet.exit_code == 0 and quiet.stderr == ""
    monkeypatch.setattr(family_module, "_noticed", set())
    loud = invoke(*args, "--input-format", "jsonl", input=records)
    assert loud.exit_code == 0
    assert loud.stderr.count("non-commercial") == 1 and "CC-BY-NC-4.0" in loud.stderr
    m2m = invoke("translate", "--model", str(family_models["m2m100"]), input="Ya.")
    assert m2m.exit_code == 0 and "non-commercial" not in m2m.stderr  # MIT


# --- tokens -----------------------------------------------------------------------------------
def test_source_is_language_code_text_eos(
    family: str, model_dir: Path, _engines: dict[tuple[str, int], TransformersEngine]
) -> None:
    engine = hf_engine(_engines, model_dir, 1)
    ids = engine.tokenizer(["Banjir merendam rumah."])["input_ids"][0]
    tokens = engine.tokenizer.convert_ids_to_tokens(ids)
    assert tokens[0] == SOURCE_TOKEN[family] and tokens[-1] == "</s>"
    assert SOURCE_TOKEN[family] not in tokens[1:]
    # Loaded without src_lang, the tokenizer silently encodes as English: we never do that.
    from transformers import AutoTokenizer

    plain = AutoTokenizer.from_pretrained(str(model_dir))
    english = plain.convert_ids_to_tokens(plain(["Banjir merendam rumah."])["input_ids"][0])
    assert english[0] in ("eng_Latn", "__en__") and english[1:] == tokens[1:]
    assert engine.count_tokens(["Banjir merendam rumah."]) == [len(ids)]


def test_language_tokens_never_reach_the_text(
    family: str, model_dir: Path, _engines: dict[tuple[str, int], TransformersEngine]
) -> None:
    engine = hf_engine(_engines, model_dir, 1)
    tokenizer = engine.tokenizer
    ids = tokenizer.convert_tokens_to_ids([TARGET_TOKEN[family], "▁B", SOURCE_TOKEN[family]])
    assert all(i != tokenizer.unk_token_id for i in ids[::2])
    decoded = engine.family.decode(tokenizer, [ids, [*ids, 2]])
    assert all(not LANGUAGE_TOKEN[family].search(text) for text in decoded)
    assert decoded[0] == decoded[1] and decoded[0].strip() != ""


# --- the transformers engine against generate() -----------------------------------------------
def direct_generate(engine: TransformersEngine, text: str, beams: int) -> list[int]:
    """generate() on one sentence, as a user would call it: src_lang set, the target language
    forced, our cap (plus the language token, </s> forced there) and beam size, no sampling."""
    import torch

    tokenizer, model = engine.tokenizer, engine.model
    batch = tokenizer([text], return_tensors="pt")
    cap = output_cap(batch["input_ids"].shape[1], 512)
    target = tokenizer.convert_tokens_to_ids(engine.family.target_token(tokenizer))
    with torch.inference_mode():
        out = model.generate(
            **batch,
            forced_bos_token_id=target,
            forced_eos_token_id=model.config.eos_token_id,  # a capped row ends with </s>
            num_beams=beams,
            max_new_tokens=cap + 1,
            renormalize_logits=True,
            do_sample=False,
        )
    row: list[int] = out[0].tolist()
    assert row[:2] == [model.config.decoder_start_token_id, target]
    ids = row[2:]
    while ids and ids[-1] == model.config.pad_token_id:
        ids.pop()
    return ids


@pytest.mark.parametrize("beams", [1, 4])
def test_batched_tokens_equal_direct_generate(
    model_dir: Path, _engines: dict[tuple[str, int], TransformersEngine], beams: int
) -> None:
    engine = hf_engine(_engines, model_dir, beams)
    caps = [output_cap(n, 512) for n in engine.count_tokens(SENTENCES)]
    batched = engine.generate_ids(SENTENCES, caps)
    for text, ids in zip(SENTENCES, batched, strict=True):
        assert ids == direct_generate(engine, text, beams), text
    assert len({tuple(ids) for ids in batched}) > len(SENTENCES) // 2  # outputs vary


def test_caps_override_the_checkpoint_max_length(tmp_path: Path, family: str) -> None:
    """generation_config.json says max_length 200: a long sentence still runs to its own cap."""
    model = _build(family, tmp_path / "m", unreachable_eos=True)
    engine = TransformersEngine(model, EngineOptions(beam_size=1))
    text = " ".join(CORPUS[:6])
    cap = output_cap(engine.count_tokens([text])[0], engine.max_output_tokens)
    assert cap > 200
    (ids,) = engine.generate_ids([text], [cap])
    assert len(ids) == cap and ids[-1] == engine.eos_token_id


# --- CTranslate2 ------------------------------------------------------------------------------
def _step_logprobs(engine: TransformersEngine, text: str, ids: list[int]) -> Any:
    import torch

    tokenizer, model = engine.tokenizer, engine.model
    start = [model.config.decoder_start_token_id, *engine.forced_ids]
    with torch.inference_mode():
        source = tokenizer([text], return_tensors="pt")
        logits = model(**source, decoder_input_ids=torch.tensor([[*start, *ids]])).logits[0]
    return torch.log_softmax(logits.double(), dim=-1)[len(start) - 1 :]


def test_ctranslate2_float32_greedy_agrees(
    model_dir: Path,
    family: str,
    _engines: dict[tuple[str, int], TransformersEngine],
    record_property: Any,
) -> None:
    from translate_cli.engines.ctranslate2 import CTranslate2Engine

    reference = hf_engine(_engines, model_dir, 1)
    engine = CTranslate2Engine(
        model_dir, EngineOptions(beam_size=1, compute_type="float32", threads=1)
    )
    assert engine.codec.target_prefix == (TARGET_TOKEN[family],)
    lengths = engine.count_tokens(SENTENCES)
    assert lengths == reference.count_tokens(SENTENCES)
    # CTranslate2 adds no specials: its source is exactly the tokenizer's.
    first = engine.codec.encode(SENTENCES[0])
    assert first[0] == SOURCE_TOKEN[family] and first[-1] == "</s>"
    caps = [output_cap(n, engine.max_output_tokens) for n in lengths]
    expected = [
        [i for i in row if i != reference.eos_token_id]
        for row in reference.generate_ids(SENTENCES, caps)
    ]
    got = [
        reference.tokenizer.convert_tokens_to_ids(tokens)
        for tokens in engine.generate_tokens(SENTENCES, caps)
    ]
    same = 0
    for text, want, have in zip(SENTENCES, expected, got, strict=True):
        assert TARGET_TOKEN[family] not in reference.tokenizer.convert_ids_to_tokens(have)
        if want == have:
            same += 1
            continue
        # Where they part, the two tokens must be a near tie under the reference.
        step = next(
            (k for k, (a, b) in enumerate(zip(want, have, strict=False)) if a != b),
            min(len(want), len(have)),
        )
        logprobs = _step_logprobs(reference, text, want[:step])[step]
        chosen = [want[step] if step < len(want) else 2, have[step] if step < len(have) else 2]
        gap = abs(float(logprobs[chosen[0]] - logprobs[chosen[1]]))
        assert gap < NEAR_TIE, (text, step, gap)
    # Kept in the JUnit XML (--junitxml), not printed among pytest's progress dots.
    record_property("ct2_greedy_agreement", f"{same}/{len(SENTENCES)}")
    texts = [*SENTENCES, "", SENTENCES[1]]
    outputs = engine.translate_all(texts)
    assert outputs[-2] == "" and outputs[-1] == outputs[1]
    assert not any(LANGUAGE_TOKEN[family].search(t) for t in outputs)
    engine.close()


def test_ctranslate2_scores_leave_the_forced_language_token_out(
    model_dir: Path, _engines: dict[tuple[str, int], TransformersEngine]
) -> None:
    """NLLB-200 and M2M100 outputs start with a forced target-language token: CTranslate2's
    rows are scored again without it, as the transformers engine counts (greedy, float32)."""
    from translate_cli.engines.ctranslate2 import CTranslate2Engine

    options = EngineOptions(beam_size=1, compute_type="float32", threads=1, guard=False)
    engine = CTranslate2Engine(model_dir, options)
    reference = TransformersEngine(model_dir, options)
    ours = list(engine.translate_with_evidence(SENTENCES[:6]))
    theirs = list(reference.translate_with_evidence(SENTENCES[:6]))
    compared = 0
    for a, b in zip(ours, theirs, strict=True):
        if a.text == b.text:  # near ties may part them (see the test above)
            compared += 1
            assert a.score is not None and b.score is not None
            assert a.score == pytest.approx(b.score, abs=2e-3)
    assert compared >= 4
    engine.close()


def test_auto_runs_ctranslate2_and_outputs_are_clean(family: str, model_dir: Path) -> None:
    with Pipeline(model=str(model_dir), engine="auto", beam_size=2) as pipeline:
        report = pipeline.translate("\n\n".join(SENTENCES))
        assert pipeline.translator.name == "ctranslate2"
    assert len(report.sentences) >= len(SENTENCES)
    assert not any(LANGUAGE_TOKEN[family].search(s.translation or "") for s in report.sentences)


# --- what the pipeline promises, per family ---------------------------------------------------
@pytest.mark.parametrize("engine_name", ["transformers", "ctranslate2"])
def test_pipeline_promises_hold(family: str, model_dir: Path, engine_name: str) -> None:
    text = "\n\n".join([*SENTENCES, SENTENCES[2], "Rp 12.500 per kilogram."])
    options: dict[str, Any] = {"model": str(model_dir), "engine": engine_name, "beam_size": 2}
    # batch_size 3 to mix batches; no memory, to reach the engine itself below
    options.update(batch_size=3, no_memory=True)
    if engine_name == "ctranslate2":
        options["compute_type"] = "float32"
    with Pipeline(**options) as pipeline:
        report = pipeline.translate(text)
        streamed = [item.translation for item in pipeline.stream(text)]
        # every sentence in order, one translation each; streaming gives the same
        assert [s.sentence.text for s in report.sentences] == [
            s.sentence.text for s in pipeline.segment(text).sentences
        ]
        assert [s.translation for s in report.sentences] == streamed
        # batching and de-duplication change nothing: each alone gives the same
        alone = [
            pipeline.translate(s.sentence.text).sentences[0].translation
            for s in report.sentences[:4]
        ]
        assert alone == streamed[:4]
        by_source: dict[str, set[str | None]] = {}
        for item in report.sentences:
            by_source.setdefault(item.sentence.text, set()).add(item.translation)
        assert all(len(outputs) == 1 for outputs in by_source.values())  # repeats agree
        assert len(by_source) < len(report.sentences)
        # an over-long sentence is split to fit, never cut
        engine: Any = pipeline.translator
        long_text = " ".join(CORPUS * 8)
        assert engine.count_tokens([long_text])[0] > engine.max_source_tokens == 512
        pieces = engine.split_to_fit(clean_for_model(long_text))
        assert len(pieces) > 1 and all(n <= 512 for n in engine.count_tokens(pieces))
        (long_out,) = list(engine.translate([long_text]))
        assert long_out == " ".join(engine.translate_all(pieces))
        # batch mode, empty records included
        batch = list(pipeline.batch(["", SENTENCES[0]], task="translate"))
        assert batch[0].report is not None and batch[0].report.sentences == ()
        assert batch[1].report is not None
        assert batch[1].report.sentences[0].translation == streamed[0]
    assert not any(LANGUAGE_TOKEN[family].search(t or "") for t in streamed)


@pytest.mark.parametrize("engine_name", ["transformers", "ctranslate2"])
def test_cli_translate_per_family(family: str, model_dir: Path, engine_name: str) -> None:
    records = "".join(
        json.dumps({"id": i, "text": text}) + "\n" for i, text in enumerate(SENTENCES[:4])
    )
    args = ["translate", "--model", str(model_dir), "--engine", engine_name, "-q"]
    result = invoke(*args, "--input-format", "jsonl", "-f", "jsonl", input=records)
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == [0, 1, 2, 3]
    assert all(line["model"] == str(model_dir) for line in lines)
    plain = invoke(*args, input=SENTENCES[0])
    assert plain.exit_code == 0
    # the translation, then (random weights flag everything) its marks and their legend
    first = lines[0]["sentences"][0]
    assert plain.stdout.startswith(first["translation"])
    assert bool(first["flags"]) == ("[!" in plain.stdout)


def test_pytorch_model_bin_is_loaded_safely(tmp_path: Path, family: str, model_dir: Path) -> None:
    """Some NLLB sizes ship only pytorch_model.bin: it gives the same translations."""
    import torch
    from safetensors.torch import load_file

    binary = tmp_path / "bin"
    shutil.copytree(model_dir, binary)
    state = load_file(str(binary / "model.safetensors"))
    (binary / "model.safetensors").unlink()
    torch.save(state, binary / "pytorch_model.bin")
    for engine_name in ("transformers", "ctranslate2"):
        options = {"engine": engine_name, "beam_size": 1, "compute_type": "float32"}
        with Pipeline(model=str(binary), **options) as pipeline:
            got = [s.translation for s in pipeline.translate(SENTENCES[0]).sentences]
        with Pipeline(model=str(model_dir), **options) as pipeline:
            assert got == [s.translation for s in pipeline.translate(SENTENCES[0]).sentences]
    # A pickle with more than tensors is refused, naming the file.
    torch.save({"x": Path("/")}, binary / "pytorch_model.bin")
    result = invoke("translate", "--model", str(binary), "--engine", "transformers", input="Ya.")
    assert result.exit_code == 3 and "pytorch_model.bin" in result.stderr


def test_cached_hub_model_resolves_offline(
    family: str, model_dir: Path, isolated_env: Path
) -> None:
    from translate_cli.models import resolve_model

    snapshot = install_in_hub_cache(model_dir, isolated_env / "hf", f"facebook/{family}-tiny")
    assert resolve_model(f"facebook/{family}-tiny", download=False) == snapshot
    result = invoke("translate", "--model", f"facebook/{family}-tiny", "-q", input="Ya.")
    assert result.exit_code == 0, result.stderr
