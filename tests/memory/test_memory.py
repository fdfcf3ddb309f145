"""The translation memory: invisible in the output, skips the engine on a hit, keyed by what
decides a translation, safe with many processes, and never a reason for a run to fail."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CORPUS
from tests.doubles import FakeTranslator, fake_translation
from tests.helpers import EXAMPLE, invoke, jsonl
from translate_cli.config import Settings
from translate_cli.engines import open_translator
from translate_cli.engines.base import ProgressCallback, Translation, translations
from translate_cli.memory import (
    MemoryLayer,
    MemoryStore,
    default_path,
    model_fingerprint,
    with_memory,
)
from translate_cli.memory import layer as memory_layer
from translate_cli.models import files as model_files
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


class WithModel(Counting):
    """The counting fake engine with a model folder (as the real engines have)."""

    def __init__(self, model_dir: Path) -> None:
        super().__init__()
        self.model_dir = model_dir


def _overwrite_keeping_size_and_mtime(path: Path, offset: int) -> None:
    """Other bytes at ``offset``, the same size, the old modification time restored."""
    info = path.stat()
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (info.st_size, info.st_mtime_ns)


def test_model_fingerprint_is_content_based(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"d_model": 16}')
    (model / "model.safetensors").write_bytes(b"\x01" * 1000)
    (model / ".hidden").write_text("not part of the model")
    first = model_fingerprint(model)
    copy = tmp_path / "copy"
    shutil.copytree(model, copy)
    assert model_fingerprint(copy) == first  # another path, same content
    (copy / ".hidden").write_text("still not part of it")
    assert model_fingerprint(copy) == first
    (copy / "model.safetensors").write_bytes(b"\x02" * 1000)
    assert model_fingerprint(copy) != first


@pytest.mark.parametrize("sampled", [False, True])
def test_weights_overwritten_with_same_size_and_mtime_are_another_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sampled: bool
) -> None:
    """The memory must not serve the old weights' translations for new weights that a copy
    tool (or a restore) left with the old size and modification time."""
    if sampled:  # a "big" file: only sampled blocks are read (the last one always)
        monkeypatch.setattr(model_files, "_FULL_HASH_BYTES", 1024)
        monkeypatch.setattr(model_files, "_SAMPLE_BYTES", 64)
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"d_model": 16}')
    (model / "model.safetensors").write_bytes(bytes(range(256)) * 40)
    settings = Settings(engine="fake")
    first = with_memory(WithModel(model), settings)
    assert isinstance(first, MemoryLayer)
    list(first.translate(["Satu."]))
    first.close()
    _overwrite_keeping_size_and_mtime(model / "model.safetensors", 256 * 40 - 1)
    inner = WithModel(model)
    again = with_memory(inner, settings)
    assert isinstance(again, MemoryLayer)
    assert again.fingerprint != first.fingerprint and again.model_key != first.model_key
    list(again.translate(["Satu."]))
    assert inner.seen == ["Satu."]  # translated by the new model, not answered from the memory
    again.close()


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


# Rows as no run of ours writes them (edited by hand, damaged): column = value for every row.
MALFORMED = {
    "flags not JSON": ("flags", "[not json"),
    "flags a number": ("flags", "5"),
    "flags an object": ("flags", '{"split": 1}'),
    "flags not strings": ("flags", "[1, null]"),
    "score text": ("score", "high"),
    "score bytes": ("score", b"\x00\x01"),
    "translation bytes": ("translation", b"\xff\xfe"),
}


@pytest.mark.parametrize("column, value", MALFORMED.values(), ids=list(MALFORMED))
def test_a_malformed_row_is_a_miss_and_is_replaced(
    tmp_path: Path, column: str, value: object, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "m.sqlite3"
    args = ("translate", str(EXAMPLE), "--engine", "fake", "-f", "jsonl")
    clean = invoke(*args, "--no-memory")
    assert invoke(*args, "--memory", str(path)).exit_code == 0
    db = sqlite3.connect(path)
    with db:
        rows = db.execute(f"UPDATE entries SET {column} = ?", (value,)).rowcount
    db.close()
    assert rows > 0
    with caplog.at_level("WARNING", logger="translate_cli"):
        result = invoke(*args, "--memory", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == clean.stdout  # translated again, not a crash, not wrong flags
    assert [f"{rows} malformed entries dropped" in r.getMessage() for r in caplog.records] == [True]
    again = invoke(*args, "--memory", str(path))  # the bad rows were replaced by good ones
    assert again.stdout == clean.stdout and again.stderr == ""
    stats = json.loads(invoke("memory", "stats", "-f", "json", "--memory", str(path)).stdout)
    assert stats["entries"] == rows and stats["hits"] == rows


@pytest.mark.parametrize("column, value", MALFORMED.values(), ids=list(MALFORMED))
def test_export_skips_a_malformed_row(tmp_path: Path, column: str, value: object) -> None:
    path = _fill(tmp_path)
    db = sqlite3.connect(path)
    total = db.execute("SELECT count(*) FROM entries").fetchone()[0]
    with db:
        db.execute(
            f"UPDATE entries SET {column} = ? WHERE source = ?", (value, "Kalimat <b>&amp; lain.")
        )
    db.close()
    for fmt in ("jsonl", "tmx"):
        result = invoke("memory", "export", "-f", fmt, "--memory", str(path))
        assert result.exit_code == 0, result.stderr
        assert "skipped 1 malformed" in result.stderr
        if fmt == "jsonl":
            rows = jsonl(result.stdout)
            assert len(rows) == total - 1
            assert all(r["translation"] == fake_translation(r["source"]) for r in rows)
        else:
            assert len(ET.fromstring(result.stdout).findall("body/tu")) == total - 1


def test_export_skips_a_model_with_a_malformed_descriptor(tmp_path: Path) -> None:
    path = _fill(tmp_path)
    db = sqlite3.connect(path)
    with db:
        db.execute("UPDATE models SET descriptor = '{broken' WHERE model = 'other'")
    db.close()
    result = invoke("memory", "export", "-f", "jsonl", "--memory", str(path))
    assert result.exit_code == 0 and "skipped 1 malformed" in result.stderr
    assert {r["model"] for r in jsonl(result.stdout)} == {"Helsinki-NLP/opus-mt-id-en"}


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


def _sentences(count: int) -> list[str]:
    """``count`` distinct sentences of varied lengths, from the test corpus's words."""
    words = " ".join(CORPUS).split()
    found = [
        " ".join(words[(i * 7) % (len(words) - 20) :][: 3 + i % 14]).rstrip(".,!?") + "."
        for i in range(count)
    ]
    assert len(set(found)) == count
    return found


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["ctranslate2", "transformers"])
def test_partial_hits_keep_the_documented_promise(
    tiny_model: Path, tmp_path: Path, engine: str
) -> None:
    """Sentences 31-90 go into the memory, then 1-60 are translated with it: half hits.

    Every hit is the stored translation (text, score, flags); every miss is what the engine
    gives for the batch of misses. With the transformers engine a sentence's translation does
    not depend on its batch neighbours, so the result is also exactly the run without the
    memory; with CTranslate2 (batched int8 or float32 decoding) it may differ from it in the
    last bits of a score or, on a near tie, a word: the documented promise."""
    texts = _sentences(90)
    earlier, now = texts[30:90], texts[0:60]
    settings = Settings(model=str(tiny_model), engine=engine, memory=str(tmp_path / "m.sqlite3"))
    first = with_memory(open_translator(settings), settings)
    stored = dict(zip(earlier, translations(first, earlier), strict=True))
    first.close()
    layer = with_memory(open_translator(settings), settings)
    assert isinstance(layer, MemoryLayer)
    out = list(translations(layer, now))
    assert (layer.hits, layer.misses) == (30, 30)
    misses = [text for text in now if text not in stored]
    fresh = dict(zip(misses, translations(layer.inner, misses), strict=True))
    assert out == [stored[text] if text in stored else fresh[text] for text in now]
    if engine == "transformers":
        assert out == list(translations(layer.inner, now))
    layer.close()
