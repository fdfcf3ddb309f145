"""Engines under bad conditions: damaged model folders and caches, killed conversions, absurd
settings. Each test here failed (or crashed, or hung) before the fix it covers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS
from translate_cli.engines.seq2seq import EngineOptions
from translate_cli.errors import ExitStatus, ModelUnavailableError, UsageError
from translate_cli.models import conversions as ct2_cache
from translate_cli.models import files as model_files

ctranslate2 = pytest.importorskip("ctranslate2")

from translate_cli.engines import batch_plan  # noqa: E402
from translate_cli.engines import ctranslate2 as ct2_engine  # noqa: E402
from translate_cli.engines.ctranslate2 import CTranslate2Engine  # noqa: E402
from translate_cli.engines.transformers import TransformersEngine  # noqa: E402

pytestmark = pytest.mark.slow


def _options(**overrides: Any) -> EngineOptions:
    return EngineOptions(**{"beam_size": 1, "threads": 1, "compute_type": "float32", **overrides})


class Pickled:
    """Anything but a tensor: ``weights_only`` loading must refuse it."""


def _truncate_safetensors(model: Path) -> str:
    data = (model / "model.safetensors").read_bytes()
    (model / "model.safetensors").write_bytes(data[: len(data) // 2])
    return "model.safetensors"


def _garbage_spm(model: Path) -> str:
    (model / "source.spm").write_bytes(b"this is not a sentencepiece model" * 10)
    return "source.spm"


def _vocab_as_list(model: Path) -> str:
    (model / "vocab.json").write_text(json.dumps(["<unk>", "</s>"]))
    return "vocab.json"


def _config_as_array(model: Path) -> str:
    (model / "config.json").write_text("[1, 2, 3]")
    return "config.json"


def _unsafe_bin(model: Path) -> str:
    import torch

    (model / "model.safetensors").unlink()
    torch.save({"model.shared.weight": Pickled()}, model / "pytorch_model.bin")
    return "pytorch_model.bin"


DAMAGE: dict[str, Callable[[Path], str]] = {
    "truncated-safetensors": _truncate_safetensors,
    "garbage-spm": _garbage_spm,
    "vocab-list": _vocab_as_list,
    "config-array": _config_as_array,
    "unsafe-bin": _unsafe_bin,
}


def _engine(kind: str, model: Path) -> Any:
    if kind == "ctranslate2":
        return CTranslate2Engine(model, _options())
    if kind == "auto":
        from translate_cli.engines.auto import load_auto

        return load_auto(model, _options())
    return TransformersEngine(model, _options())


@pytest.mark.parametrize("kind", ["ctranslate2", "transformers", "auto"])
@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damaged_model_folder_is_exit_3_naming_the_file(
    tiny_model: Path, tmp_path: Path, kind: str, damage: str
) -> None:
    model = Path(shutil.copytree(tiny_model, tmp_path / "model"))
    name = DAMAGE[damage](model)
    with pytest.raises(ModelUnavailableError) as raised:
        _engine(kind, model)
    assert raised.value.exit_status == ExitStatus.MODEL_UNAVAILABLE
    assert name in raised.value.message
    assert "--" not in raised.value.message


def test_safe_pytorch_bin_still_loads(tiny_model: Path, tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    model = Path(shutil.copytree(tiny_model, tmp_path / "model"))
    torch.save(load_file(model / "model.safetensors"), model / "pytorch_model.bin")
    (model / "model.safetensors").unlink()
    texts = CORPUS[:3]
    expected = TransformersEngine(tiny_model, _options()).translate_all(texts)
    assert TransformersEngine(model, _options()).translate_all(texts) == expected
    assert len(CTranslate2Engine(model, _options()).translate_all(texts)) == 3


# --- the conversion cache -------------------------------------------------------------------
def _conversions(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    real = ct2_cache.convert

    def counting(model_dir: Path, out_dir: Path, quantization: str) -> None:
        calls.append(out_dir)
        real(model_dir, out_dir, quantization)

    monkeypatch.setattr(ct2_cache, "convert", counting)
    return calls


def _flip_bytes(path: Path, offset: int) -> None:
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("sampled", [False, True])
def test_cache_damaged_in_place_is_converted_again(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch, sampled: bool
) -> None:
    if sampled:  # treat the tiny model.bin as a big file: only sampled blocks are hashed
        monkeypatch.setattr(model_files, "_FULL_HASH_BYTES", 1024)
        monkeypatch.setattr(model_files, "_SAMPLE_BYTES", 64)
    calls = _conversions(monkeypatch)
    first = CTranslate2Engine(tiny_model, _options())
    expected = first.translate_all(CORPUS)
    path, size = first.model_path, (first.model_path / "model.bin").stat().st_size
    first.close()
    # Same size, different bytes: damage the last weights (a sampled block when sampling).
    _flip_bytes(path / "model.bin", size - 10)
    _flip_bytes(path / "model.bin", size - 30)
    assert (path / "model.bin").stat().st_size == size
    again = CTranslate2Engine(tiny_model, _options())
    assert len(calls) == 2 and again.model_path == path
    assert again.translate_all(CORPUS) == expected
    assert ct2_cache.is_complete(
        path, json.loads((path / ct2_cache.MARKER).read_text())["fingerprint"]
    )


def test_checksum_of_a_big_file_reads_samples_only(tmp_path: Path) -> None:
    big = tmp_path / "model.bin"
    with big.open("wb") as handle:
        handle.truncate(model_files._FULL_HASH_BYTES * 4)
    before = model_files.content_digest(big)
    _flip_bytes(big, big.stat().st_size - 1)  # the last block is always sampled
    assert model_files.content_digest(big) != before


@pytest.mark.parametrize("sampled", [False, True])
def test_weights_overwritten_with_same_size_and_mtime_are_another_model(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sampled: bool
) -> None:
    """New weights with the old size and modification time (a copy tool, a restore): the
    converted-model cache converts them again and the memory's fingerprint changes."""
    from translate_cli.memory import model_fingerprint

    if sampled:  # a "big" weights file: only sampled blocks are read, the last one always
        monkeypatch.setattr(model_files, "_FULL_HASH_BYTES", 1024)
        monkeypatch.setattr(model_files, "_SAMPLE_BYTES", 64)
    model = Path(shutil.copytree(tiny_model, tmp_path / "model"))
    calls = _conversions(monkeypatch)
    first = CTranslate2Engine(model, _options())
    converted = first.model_path
    first.close()
    memory_key = model_fingerprint(model)
    weights = model / "model.safetensors"
    info = weights.stat()
    _flip_bytes(weights, info.st_size - 4)  # the low byte of the last float32 weight
    os.utime(weights, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert (weights.stat().st_size, weights.stat().st_mtime_ns) == (
        info.st_size,
        info.st_mtime_ns,
    )
    again = CTranslate2Engine(model, _options())
    assert len(calls) == 2 and again.model_path != converted
    assert model_fingerprint(model) != memory_key
    again.close()


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_temps_of_killed_runs_are_swept_live_ones_kept(tmp_path: Path) -> None:
    root = tmp_path / "ct2"
    root.mkdir()
    # A real conversion process killed with SIGKILL while it writes its temp folder.
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from translate_cli.models.conversions import temp_path\n"
        "path = temp_path(Path(sys.argv[1]), 'model-float32')\n"
        "path.mkdir(); (path / 'model.bin').write_bytes(b'x' * 1000)\n"
        "print(path, flush=True); time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    killed = Path(child.stdout.readline().strip())
    assert killed.is_dir()
    ct2_cache.remove_stale_temps(root)
    assert killed.is_dir()  # its writer is alive: a concurrent run's work is never removed
    child.kill()
    child.wait()
    live = ct2_cache.temp_path(root, "mine")  # this process: alive
    live.mkdir()
    host, boot = ct2_cache._host_id(), ct2_cache._boot_id()
    dead = root / f".tmp-{host}-{boot}-{_dead_pid()}-0badcafe-other"
    rebooted = (
        root / f".tmp-{host}-{'f' * 8 if boot != 'f' * 8 else '0' * 8}-{os.getpid()}-0badcafe-x"
    )
    foreign_fresh = root / f".tmp-00000000-{boot}-1-0badcafe-x"  # another host: age decides
    foreign_old = root / ".tmp-old-style-name"
    for path in (dead, rebooted, foreign_fresh, foreign_old):
        path.mkdir()
    old = time.time() - 2 * ct2_cache._STALE_TEMP_SECONDS
    os.utime(foreign_old, (old, old))
    ct2_cache.remove_stale_temps(root)
    assert not killed.exists() and not dead.exists() and not rebooted.exists()
    assert not foreign_old.exists()
    assert live.is_dir() and foreign_fresh.is_dir()


def test_remove_model_also_removes_its_conversions(
    tiny_model: Path, isolated_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import install_in_hub_cache
    from translate_cli.models import remove_model, resolve_model, shortlist

    snapshot = install_in_hub_cache(tiny_model, isolated_env / "hf", "Helsinki-NLP/opus-mt-xx-en")
    other = CTranslate2Engine(tiny_model, _options())  # another model's conversion stays
    engine = CTranslate2Engine(resolve_model("Helsinki-NLP/opus-mt-xx-en"), _options())
    assert engine.model_path != other.model_path
    converted = ct2_cache.tree_size(engine.model_path)
    assert engine.model_dir is not None and engine.model_dir.resolve() == snapshot.resolve()
    engine.close()
    hub_bytes = sum(f.stat().st_size for f in tiny_model.iterdir())
    pairs = iter([("Halo dunia.", "Hello world.")])
    built = shortlist.save(snapshot, shortlist.build(snapshot, pairs))
    freed = remove_model("Helsinki-NLP/opus-mt-xx-en")
    assert not engine.model_path.exists()
    assert not built.exists()  # its vocabulary shortlist too
    assert other.model_path.is_dir()
    assert freed >= hub_bytes + converted


# --- absurd settings --------------------------------------------------------------------------
def test_huge_batch_size_plans_in_time_independent_of_it(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = CTranslate2Engine(tiny_model, _options(batch_size=1024, threads=2))
    assert engine.workers == 2  # the several-worker planner, which swept every batch size
    calls: list[int] = []
    real = batch_plan.best_batches

    def counting(*args: Any, **kwargs: Any) -> list[list[int]]:
        calls.append(kwargs["max_rows"])
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_plan, "best_batches", counting)
    texts = CORPUS[:2]
    lengths = engine.count_tokens(texts)
    start = time.perf_counter()
    plan = list(engine._batches(texts, lengths))
    assert time.perf_counter() - start < 0.5
    assert sorted(i for batch in plan for i in batch) == [0, 1]
    assert len(calls) <= 2 and max(calls) <= 2
    # A full window of short sentences: the sweep stays bounded by the texts, not batch_size.
    calls.clear()
    many = ["Ya."] * 256
    list(engine._batches(many, [3] * 256))
    assert len(calls) <= 64 and max(calls) <= 256
    assert len(engine.translate_all(texts)) == 2


def test_thread_counts_are_clamped_to_the_cores(
    tiny_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    from translate_cli.engines import threads

    monkeypatch.setattr(threads, "available_cores", lambda: 2)
    assert ct2_engine.plan_threads("cpu", 256) == (2, 1)
    assert ct2_engine.plan_threads("cpu", 1_000_000) == (2, 1)
    assert ct2_engine.plan_threads("cpu", 1) == (1, 1)
    assert ct2_engine.plan_threads("cpu", 0) == (2, 1)
    seen: dict[str, Any] = {}
    real_translator = ctranslate2.Translator

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real_translator(*args, **kwargs)

    monkeypatch.setattr(ctranslate2, "Translator", spy)
    CTranslate2Engine(tiny_model, _options(threads=100_000)).close()
    assert seen["inter_threads"] * seen["intra_threads"] <= 2
    torch_threads: list[int] = []
    before = torch.get_num_threads()
    monkeypatch.setattr(torch, "set_num_threads", torch_threads.append)
    TransformersEngine(tiny_model, _options(threads=256))
    assert torch_threads == [2]
    assert torch.get_num_threads() == before


def test_out_of_range_options_are_usage_errors() -> None:
    for bad in ({"beam_size": 0}, {"beam_size": 100_000}, {"batch_size": 0}, {"threads": -1}):
        with pytest.raises(UsageError):
            EngineOptions(**bad)  # type: ignore[arg-type]
