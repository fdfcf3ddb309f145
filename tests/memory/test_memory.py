"""The translation memory: invisible in the output, skips the engine on a hit, keyed by what
decides a translation, safe with many processes, and never a reason for a run to fail."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from tests.doubles import FakeTranslator, fake_translation
from tests.helpers import EXAMPLE, invoke, jsonl
from translate_cli.config import Settings
from translate_cli.engines.base import ProgressCallback, Translation
from translate_cli.memory import (
    MemoryLayer,
    MemoryStore,
    default_path,
    model_fingerprint,
    with_memory,
)
from translate_cli.memory import layer as memory_layer
from translate_cli.memory import store as memory_module
from translate_cli.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[2]


class Counting(FakeTranslator):
    """The fake engine, counting the texts that reach it."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        def record() -> Iterator[str]:
            for text in texts:
                self.seen.append(text)
                yield text

        return super().translate(record(), progress)


def wrapped(settings: Settings | None = None) -> tuple[MemoryLayer, Counting]:
    inner = Counting()
    layer = with_memory(inner, settings or Settings(engine="fake"))
    assert isinstance(layer, MemoryLayer)
    return layer, inner


def test_a_hit_skips_the_engine_and_returns_the_same_bytes() -> None:
    texts = ["Satu  kalimat.", "", "Dua.", "Satu kalimat.", "Tiga\x00."]
    first, inner = wrapped()
    progress: list[int] = []
    assert list(first.translate(texts, progress.append)) == [fake_translation(t) for t in texts]
    assert sum(progress) == len(texts) and inner.seen == texts
    first.close()
    # A new process would open the same database: only the new text reaches the engine.
    second, inner = wrapped()
    progress = []
    out = list(second.translate([*texts, "Empat."], progress.append))
    assert out == [fake_translation(t) for t in [*texts, "Empat."]]
    assert inner.seen == ["", "Empat."]  # empty texts are not stored; "Satu  kalimat." hit
    assert sum(progress) == len(texts) + 1
    assert second.hits == 4 and second.misses == 2
    second.close()
    assert inner.closed


def test_outputs_stream_in_order_across_windows() -> None:
    texts = [f"Kalimat nomor {i}." for i in range(600)]
    layer, _ = wrapped()
    list(layer.translate(texts[::2]))  # every other one is known
    read: list[int] = []

    def source() -> Iterator[str]:
        for index, text in enumerate(texts):
            read.append(index)
            yield text

    stream = layer.translate(source())
    assert next(stream) == fake_translation(texts[0])
    assert len(read) <= memory_layer.WINDOW  # one window read, not the whole input
    assert [fake_translation(texts[0]), *stream] == [fake_translation(t) for t in texts]
    layer.close()


def test_the_key_is_everything_that_decides_the_output(tmp_path: Path) -> None:
    layer, _ = wrapped(Settings(engine="fake", beam_size=4))
    list(layer.translate(["Satu."]))
    layer.close()
    other_beam, inner = wrapped(Settings(engine="fake", beam_size=2))
    assert other_beam.model_key != layer.model_key
    list(other_beam.translate(["Satu."]))
    assert inner.seen == ["Satu."]  # another beam size is another translation
    other_beam.close()


def test_model_fingerprint_is_content_based_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"d_model": 16}')
    (model / "model.safetensors").write_bytes(b"\x01" * 1000)
    (model / ".hidden").write_text("not part of the model")
    store = MemoryStore(tmp_path / "m.sqlite3")
    first = model_fingerprint(store, model)
    copy = tmp_path / "copy"
    shutil.copytree(model, copy)
    assert model_fingerprint(store, copy) == first  # another path, same content
    hashed: list[Path] = []
    real = memory_module.file_sha256
    monkeypatch.setattr(memory_module, "file_sha256", lambda p: hashed.append(p) or real(p))
    assert model_fingerprint(store, model) == first
    assert hashed == []  # unchanged files are not read again
    (copy / "model.safetensors").write_bytes(b"\x02" * 1000)
    assert model_fingerprint(store, copy) != first
    assert [p.name for p in hashed] == ["model.safetensors"]
    assert model_fingerprint(None, model) == first  # without a store: the same hash
    store.close()


def test_default_location_is_under_the_cache_dir(isolated_env: Path) -> None:
    assert default_path() == isolated_env / "cache" / "memory.sqlite3"
    layer, _ = wrapped()
    list(layer.translate(["Satu."]))
    layer.close()
    assert default_path().is_file()


def test_no_memory_neither_reads_nor_writes(tmp_path: Path) -> None:
    inner = Counting()
    assert with_memory(inner, Settings(engine="fake", no_memory=True)) is inner
    result = invoke("translate", str(EXAMPLE), "--engine", "fake", "--no-memory")
    assert result.exit_code == 0
    assert not default_path().exists()


def test_memory_setting_from_flag_env_and_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flag, env = tmp_path / "flag.sqlite3", tmp_path / "env.sqlite3"
    assert (
        invoke("translate", str(EXAMPLE), "--engine", "fake", "--memory", str(flag)).exit_code == 0
    )
    monkeypatch.setenv("TRANSLATE_CLI_MEMORY", str(env))
    assert invoke("translate", str(EXAMPLE), "--engine", "fake").exit_code == 0
    assert flag.is_file() and env.is_file() and not default_path().exists()
    monkeypatch.setenv("TRANSLATE_CLI_NO_MEMORY", "yes")
    env.unlink()
    assert invoke("translate", str(EXAMPLE), "--engine", "fake").exit_code == 0
    assert not env.exists()
    monkeypatch.setenv("TRANSLATE_CLI_NO_MEMORY", "perhaps")
    bad = invoke("translate", str(EXAMPLE), "--engine", "fake")
    assert bad.exit_code == 2 and "TRANSLATE_CLI_NO_MEMORY" in bad.stderr


@pytest.mark.parametrize(
    "content", [b"this is not a database" * 100, b"SQLite format 3\x00" + b"\xff" * 5000]
)
def test_a_corrupt_memory_is_one_notice_and_a_normal_run(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(content)
    clean = invoke("translate", str(EXAMPLE), "--engine", "fake", "-f", "jsonl", "--no-memory")
    result = invoke(
        "translate", str(EXAMPLE), "--engine", "fake", "-f", "jsonl", "--memory", str(path)
    )
    assert result.exit_code == 0
    assert result.stdout == clean.stdout
    notices = result.stderr.strip().splitlines()
    assert len(notices) == 1 and "translation memory" in notices[0] and "without it" in notices[0]
    assert path.read_bytes() == content  # left as it was, for the user to look at


def test_a_memory_failing_mid_run_is_dropped_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    layer, inner = wrapped()
    assert layer.store is not None
    layer.store.db.execute("DROP TABLE entries")  # the database goes bad under a running layer
    with caplog.at_level("WARNING", logger="translate_cli"):
        out = list(layer.translate(["Satu.", "Dua."]))
    assert out == [fake_translation("Satu."), fake_translation("Dua.")]
    assert layer.store is None and inner.seen == ["Satu.", "Dua."]
    assert len(caplog.records) == 1 and "continuing without it" in caplog.records[0].getMessage()
    layer.close()


WRITER = """
import sys
from pathlib import Path
from translate_cli.engines.base import Translation
from translate_cli.memory import MemoryStore
store = MemoryStore(Path(sys.argv[1]))
key = store.register({"writer": "test"}, "m", None)
worker = sys.argv[2]
for batch in range(40):
    store.store(key, [(f"{worker}-{batch}-{i}", Translation("x")) for i in range(5)])
    store.store(key, [("shared", Translation("same"))])
    store.lookup(key, ["shared", f"{worker}-0-0"])
store.close()
"""


def test_many_processes_write_one_memory_without_losing_rows(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(n)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert "locked" not in err
    store = MemoryStore(path)
    stats = store.stats()
    assert stats.entries == 4 * 40 * 5 + 1
    assert stats.hits == 4 * 40 * 2  # every hit counted: no lost updates
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def _fill(tmp_path: Path) -> Path:
    path = tmp_path / "m.sqlite3"
    assert (
        invoke("translate", str(EXAMPLE), "--engine", "fake", "--memory", str(path)).exit_code == 0
    )
    assert (
        invoke(
            "translate",
            "-",
            "--engine",
            "fake",
            "--model",
            "other",
            "--beam-size",  # the fake ignores the model name, so its key differs by beam size
            "2",
            "--memory",
            str(path),
            input="Kalimat <b>&amp; lain.",
        ).exit_code
        == 0
    )
    return path


def test_memory_stats_and_clear_by_model(tmp_path: Path) -> None:
    path = _fill(tmp_path)
    stats = json.loads(invoke("memory", "stats", "-f", "json", "--memory", str(path)).stdout)
    models = {m["model"]: m["entries"] for m in stats["models"]}
    assert stats["entries"] == sum(models.values()) and models["other"] == 1
    assert stats["size_bytes"] > 0 and stats["hits"] == 0
    text = invoke("memory", "stats", "--memory", str(path)).stdout
    assert f"entries {stats['entries']}" in text
    cleared = invoke("memory", "clear", "--model", "other", "--memory", str(path))
    assert cleared.exit_code == 0 and "removed 1 entries" in cleared.stderr
    after = json.loads(invoke("memory", "stats", "--format", "json", "--memory", str(path)).stdout)
    assert after["entries"] == stats["entries"] - 1
    assert invoke("memory", "clear", "--memory", str(path)).exit_code == 0
    assert (
        json.loads(invoke("memory", "stats", "-f", "json", "--memory", str(path)).stdout)["entries"]
        == 0
    )


def test_memory_commands_on_a_missing_or_broken_database(tmp_path: Path) -> None:
    none = str(tmp_path / "none.sqlite3")
    empty = invoke("memory", "stats", "-f", "json", "--memory", none)
    assert empty.exit_code == 0 and json.loads(empty.stdout)["entries"] == 0
    assert invoke("memory", "stats", "--json", "--memory", none).stdout == empty.stdout  # old flag
    bad = invoke("memory", "stats", "-f", "yaml", "--memory", none)
    assert bad.exit_code == 2 and "--format: 'yaml' is not one of text, json" in bad.stderr
    missing = invoke("memory", "export", "--memory", none)
    assert missing.exit_code == 2 and "no translation memory" in missing.stderr
    assert not Path(none).exists()  # looking does not create it
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"garbage" * 100)
    result = invoke("memory", "export", "--memory", str(broken))
    assert result.exit_code == 2 and result.stderr.count("\n") <= 2


def test_export_tmx_is_valid_tmx_1_4(tmp_path: Path) -> None:
    path = _fill(tmp_path)
    store = MemoryStore(path)
    key = store.register({"scored": True}, "scored-model", None)
    store.store(key, [("Dengan skor.", Translation("With a score.", -0.75, ("split",)))])
    entries = store.stats().entries
    store.close()
    out = tmp_path / "memory.tmx"
    result = invoke("memory", "export", "--format", "tmx", "-o", str(out), "--memory", str(path))
    assert result.exit_code == 0
    root = ET.parse(out).getroot()
    assert root.tag == "tmx" and root.get("version") == "1.4"
    header = root.find("header")
    assert header is not None and header.get("srclang") == "id"
    assert all(header.get(a) for a in ("creationtool", "segtype", "o-tmf", "adminlang", "datatype"))
    units = root.findall("body/tu")
    assert len(units) == entries
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    pairs = {}
    for unit in units:
        tuvs = unit.findall("tuv")
        assert [t.get(lang) for t in tuvs] == ["id", "en"]
        pairs[tuvs[0].findtext("seg")] = (tuvs[1].findtext("seg"), unit)
    translation, _ = pairs["Kalimat <b>&amp; lain."]  # markup-like text survives escaping
    assert translation == fake_translation("Kalimat <b>&amp; lain.")
    _, scored = pairs["Dengan skor."]
    props = {p.get("type"): p.text for p in scored.findall("prop")}
    assert props["x-score"] == "-0.75" and props["x-flags"] == "split"


def test_export_jsonl_has_every_entry(tmp_path: Path) -> None:
    path = _fill(tmp_path)
    result = invoke("memory", "export", "-f", "jsonl", "--memory", str(path))
    rows = jsonl(result.stdout)
    assert result.exit_code == 0 and rows
    assert all(r["translation"] == fake_translation(r["source"]) for r in rows)
    assert {r["model"] for r in rows} == {"Helsinki-NLP/opus-mt-id-en", "other"}
    assert invoke("memory", "export", "-f", "xliff", "--memory", str(path)).exit_code == 2


@pytest.mark.slow
def test_real_model_output_is_identical_with_and_without_memory(tiny_model: Path) -> None:
    args = ("run", str(EXAMPLE), "-f", "json", "--model", str(tiny_model), "--threads", "1")
    off = invoke(*args, "--no-memory")
    first = invoke(*args)
    again = invoke(*args)
    assert off.exit_code == first.exit_code == again.exit_code == 0
    assert first.stdout == off.stdout and again.stdout == off.stdout
    stats = json.loads(invoke("memory", "stats", "-f", "json").stdout)
    sentences = len(json.loads(off.stdout)["sentences"])
    assert stats["hits"] >= sentences  # the second run was answered from the memory
    (model,) = stats["models"]
    assert model["model"] == str(tiny_model)
    with Pipeline(Settings(model=str(tiny_model), threads=1)) as pipeline:
        translator = pipeline.translator
        assert isinstance(translator, MemoryLayer) and translator.inner.name == "ctranslate2"
