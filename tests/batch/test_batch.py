"""The batch command: the records `--input-format jsonl` prints, unique ids, resume after a
`kill -9` with every id exactly once, errors files, Parquet in and out, and the executors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPUS
from tests.helpers import invoke, jsonl

ROOT = Path(__file__).resolve().parents[2]
FAKE = ("--engine", "fake")


def write_records(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def articles(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"id": f"a{i}" if i % 3 else i, "text": " ".join(CORPUS[i % len(CORPUS) : i % 7 + 3])}
        for i in range(start, start + count)
    ]


def shard_lines(folder: Path, suffix: str = ".jsonl") -> list[str]:
    lines: list[str] = []
    for path in sorted(folder.glob(f"part-*{suffix}")):
        if not path.name.endswith(".errors.jsonl"):
            lines += path.read_text("utf-8").splitlines()
    return lines


def by_id(lines: list[str]) -> dict[str, str]:
    return {json.dumps(json.loads(line)["id"]): line for line in lines}


def test_batch_writes_what_input_format_jsonl_prints(tmp_path: Path) -> None:
    data = write_records(tmp_path / "in" / "a.jsonl", articles(7))
    write_records(tmp_path / "in" / "sub" / "b.jsonl", articles(5, start=7))
    out = tmp_path / "out"
    result = invoke("batch", str(tmp_path / "in"), "-o", str(out), "--shard-size", "3", *FAKE)
    assert result.exit_code == 0, result.stderr
    expected = invoke(
        "translate",
        "--input-format",
        "jsonl",
        str(data),
        str(tmp_path / "in" / "sub" / "b.jsonl"),
        *FAKE,
    ).stdout.splitlines()
    lines = shard_lines(out)
    assert sorted(lines) == sorted(expected) and len(lines) == 12
    assert sorted(p.name for p in out.glob("part-*")) == [f"part-{n:05d}.jsonl" for n in range(4)]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"] == {"records": 12, "done": 12, "failed": 0}
    assert manifest["status"] == "complete"
    assert manifest["model_fingerprint"] == "no-model:fake"
    assert manifest["identity"]["engine"] == "fake"
    assert "12 documents written" in result.stderr.splitlines()[-1]


def test_summary_and_run_commands(tmp_path: Path) -> None:
    data = write_records(tmp_path / "a.jsonl", articles(4))
    for command in ("summarize", "run"):
        out = tmp_path / command
        extra = ("-n", "2")
        assert (
            invoke(
                "batch", str(data), "-o", str(out), "--command", command, *extra, *FAKE
            ).exit_code
            == 0
        )
        expected = invoke(command, "--input-format", "jsonl", str(data), *extra, *FAKE).stdout
        assert sorted(shard_lines(out)) == sorted(expected.splitlines())


def test_duplicate_ids_are_named_before_any_work(tmp_path: Path) -> None:
    a = write_records(
        tmp_path / "a.jsonl", [{"id": 1, "text": "Satu."}, {"id": "x", "text": "Dua."}]
    )
    b = write_records(tmp_path / "b.jsonl", [{"id": 1, "text": "Tiga."}, {"id": "2", "text": "E."}])
    c = write_records(tmp_path / "c.jsonl", [{"id": 2, "text": "Empat."}, {"id": "x", "text": "."}])
    out = tmp_path / "out"
    result = invoke("batch", str(a), str(b), str(c), "-o", str(out), *FAKE)
    assert result.exit_code == 4
    assert "2 id(s) are not unique" in result.stderr
    assert f"1 ({a}, {b})" in result.stderr and f'"x" ({a}, {c})' in result.stderr
    assert not out.exists()  # 2 and "2" are different ids; nothing was started


def test_failed_records_go_to_an_errors_file_and_are_retried(tmp_path: Path) -> None:
    data = tmp_path / "a.jsonl"
    data.write_text(
        '{"id": 1, "text": "Satu."}\n{"id": 2, "text": 5}\n{"id": 3, "text": "Tiga."}\n'
    )
    out = tmp_path / "out"
    result = invoke("batch", str(data), "-o", str(out), *FAKE)
    assert result.exit_code == 4
    errors = jsonl((out / "part-00000.errors.jsonl").read_text())
    assert [e["id"] for e in errors] == [2] and "text" in errors[0]["error"]["message"]
    assert sorted(json.loads(line)["id"] for line in shard_lines(out)) == [1, 3]
    data.write_text(
        '{"id": 1, "text": "Satu."}\n{"id": 2, "text": "Dua."}\n{"id": 3, "text": "Tiga."}\n'
    )
    again = invoke("batch", str(data), "-o", str(out), *FAKE)
    assert again.exit_code == 0 and "1 documents written, 2 already done" in again.stderr
    assert not list(out.glob("*.errors.jsonl"))
    assert sorted(json.loads(line)["id"] for line in shard_lines(out)) == [1, 2, 3]


def test_a_rerun_with_other_options_is_refused(tmp_path: Path) -> None:
    data = write_records(tmp_path / "a.jsonl", articles(2))
    out = tmp_path / "out"
    assert invoke("batch", str(data), "-o", str(out), *FAKE).exit_code == 0
    result = invoke("batch", str(data), "-o", str(out), "--beam-size", "2", *FAKE)
    assert result.exit_code == 2 and "beam_size: 4 then, 2 now" in result.stderr
    # Options that do not change the output may change.
    assert invoke("batch", str(data), "-o", str(out), "--threads", "1", *FAKE).exit_code == 0


def test_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = write_records(tmp_path / "a.jsonl", articles(1))
    out = str(tmp_path / "out")
    for args, words in [
        (("--command", "segment"), "--command: 'segment' is not one of translate, summarize, run"),
        (("--executor", "spark"), "--executor: 'spark' is not one of local, ray"),
        (("--workers", "3"), "--workers needs --executor ray"),
        (("--output-format", "csv"), "--output-format: 'csv' is not one of jsonl, parquet"),
    ]:
        result = invoke("batch", str(data), "-o", out, *args, *FAKE)
        assert result.exit_code == 2 and words in result.stderr, (args, result.stderr)
    assert invoke("batch", "-", "-o", out, *FAKE).exit_code == 2
    assert invoke("batch", str(tmp_path / "none.jsonl"), "-o", out, *FAKE).exit_code == 4
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    result = invoke("batch", str(data), "-o", out, "--executor", "ray", *FAKE)
    assert result.exit_code == 2
    assert "pip install 'translate-cli[ray]'" in result.stderr


def test_parquet_in_and_out(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = [r for r in articles(5) if isinstance(r["id"], str)]
    source = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist(records), source)
    jsonl_copy = write_records(tmp_path / "same.jsonl", records)
    out = tmp_path / "out"
    result = invoke("batch", str(source), "-o", str(out), "--output-format", "parquet", *FAKE)
    assert result.exit_code == 0, result.stderr
    table = pq.read_table(out / "part-00000.parquet")
    expected = invoke("translate", "--input-format", "jsonl", str(jsonl_copy), *FAKE).stdout
    assert table.column("record").to_pylist() == expected.splitlines()
    assert [json.loads(i) for i in table.column("id").to_pylist()] == [r["id"] for r in records]
    # A rerun finds them done; the shard format of a folder cannot change.
    again = invoke("batch", str(source), "-o", str(out), "--output-format", "parquet", *FAKE)
    assert again.exit_code == 0
    assert f"0 documents written, {len(records)} already done" in again.stderr
    mixed = invoke("batch", str(source), "-o", str(out), *FAKE)
    assert mixed.exit_code == 2 and "parquet" in mixed.stderr


def test_partial_shards_never_count(tmp_path: Path) -> None:
    data = write_records(tmp_path / "a.jsonl", articles(4))
    out = tmp_path / "out"
    out.mkdir()
    partial = out / ".part-00000.jsonl.tmp-99999"
    partial.write_text(shard_lines_of(data)[0])  # a crash while writing the first shard
    assert invoke("batch", str(data), "-o", str(out), *FAKE).exit_code == 0
    assert not partial.exists()
    assert len(shard_lines(out)) == 4


def shard_lines_of(data: Path) -> list[str]:
    return invoke("translate", "--input-format", "jsonl", str(data), *FAKE).stdout.splitlines()


def test_resume_after_kill_9_writes_every_id_exactly_once(tmp_path: Path) -> None:
    records = articles(1500)
    data = write_records(tmp_path / "a.jsonl", records)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "translate_cli", "batch", str(data), "-o", str(out)]
    command += ["--shard-size", "1", *FAKE]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (out / "part-00002.jsonl").exists():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.001)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    written = len(shard_lines(out))
    assert 3 <= written < len(records)  # killed in the middle
    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{written} already done" in rerun.stderr
    lines = shard_lines(out)
    ids = [json.dumps(json.loads(line)["id"]) for line in lines]
    assert len(ids) == len(set(ids)) == len(records)
    assert by_id(lines) == by_id(shard_lines_of(data))
    assert not [p for p in out.iterdir() if ".tmp-" in p.name]


@pytest.mark.slow
def test_real_model_batch_equals_jsonl_and_reuses_the_memory(
    tiny_model: Path, tmp_path: Path
) -> None:
    data = write_records(tmp_path / "a.jsonl", articles(6))
    model = ("--model", str(tiny_model), "--threads", "1")
    expected = invoke("run", "--input-format", "jsonl", str(data), *model, "--no-memory").stdout
    first = invoke("batch", str(data), "-o", str(tmp_path / "one"), "--command", "run", *model)
    assert first.exit_code == 0, first.stderr
    assert sorted(shard_lines(tmp_path / "one")) == sorted(expected.splitlines())
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert len(manifest["model_fingerprint"]) == 64
    second = invoke("batch", str(data), "-o", str(tmp_path / "two"), "--command", "run", *model)
    assert second.exit_code == 0
    assert sorted(shard_lines(tmp_path / "two")) == sorted(expected.splitlines())
    stats = json.loads(invoke("memory", "stats", "-f", "json").stdout)
    assert stats["hits"] > 0


def _ray_available() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.ray
@pytest.mark.slow
@pytest.mark.skipif(not _ray_available(), reason="Ray is not installed (pip install '.[ray]')")
def test_ray_executor_gives_the_local_records(tiny_model: Path, tmp_path: Path) -> None:
    import ray as ray_module

    data = write_records(tmp_path / "a.jsonl", articles(9))
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"id": "bad", "text": null}\n')
    model = ("--model", str(tiny_model), "--threads", "1", "--command", "run", "--no-memory")
    local = invoke("batch", str(data), str(bad), "-o", str(tmp_path / "local"), *model)
    assert local.exit_code == 4
    ray_module.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}},
    )
    try:
        result = invoke(
            "batch",
            str(data),
            str(bad),
            "-o",
            str(tmp_path / "ray"),
            *model,
            "--executor",
            "ray",
            "--workers",
            "2",
            "--shard-size",
            "3",
        )
    finally:
        ray_module.shutdown()
    assert result.exit_code == 4, result.stderr
    assert sorted(shard_lines(tmp_path / "ray")) == sorted(shard_lines(tmp_path / "local"))
    expected = invoke("run", "--input-format", "jsonl", str(data), *model[:4]).stdout
    assert sorted(shard_lines(tmp_path / "ray")) == sorted(expected.splitlines())
    errors = jsonl((tmp_path / "ray" / "part-00003.errors.jsonl").read_text())
    assert [e["id"] for e in errors] == ["bad"]
    manifests = [json.loads((tmp_path / n / "manifest.json").read_text()) for n in ("local", "ray")]
    assert manifests[0]["model_fingerprint"] == manifests[1]["model_fingerprint"]


def test_html_records_keep_their_page_metadata(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Banjir di Semarang - Warta</title>"
        '<meta property="og:site_name" content="Warta"></head><body><article>'
        "<h1>Banjir di Semarang</h1><p>Banjir rob kembali merendam kawasan pesisir utara "
        "Kota Semarang pada Senin pagi. Warga diminta waspada.</p><p>Pemerintah kota "
        "menyiapkan bantuan beras dan air bersih bagi para pengungsi.</p></article></body></html>"
    )
    data = write_records(tmp_path / "in.jsonl", [{"id": "p", "html": page}, *articles(2)])
    out = tmp_path / "out"
    result = invoke("batch", str(data), "-o", str(out), *FAKE)
    assert result.exit_code == 0, result.stderr
    expected = invoke("translate", "--input-format", "jsonl", str(data), *FAKE).stdout
    assert sorted(shard_lines(out)) == sorted(expected.splitlines())
    (record,) = [json.loads(line) for line in shard_lines(out) if '"id": "p"' in line]
    assert record["meta"]["title"] == "Banjir di Semarang"
    assert record["sentences"][0]["source"] == "Banjir di Semarang"


def test_the_choices_come_from_the_registries(capsys: pytest.CaptureFixture[str]) -> None:
    from translate_cli.batch import COMMANDS, EXECUTORS
    from translate_cli.batch.shards import OUTPUT_FORMATS
    from translate_cli.pipeline import TASKS

    assert COMMANDS.names() == tuple(n for n in TASKS.names() if TASKS.get(n).archive)
    assert EXECUTORS.names() == ("local", "ray") and OUTPUT_FORMATS.names() == ("jsonl", "parquet")
    assert invoke("batch", "--help").exit_code == 0
    help_text = " ".join(capsys.readouterr().out.split())  # click prints help itself
    assert "translate, summarize, run (default: translate)" in help_text
    assert "local, ray (default: local)" in help_text and "jsonl, parquet" in help_text


def test_a_partly_failed_batch_exits_with_its_worst_failure() -> None:
    from translate_cli.batch import BatchSummary
    from translate_cli.batch.shards import ShardResult
    from translate_cli.batch.sources import from_item
    from translate_cli.errors import ExitStatus

    # The status travels with a record read by the driver, and back in the shard's error lines.
    record = from_item({"id": 1, "error": {"status": 3, "message": "gone"}})
    assert record.error is not None and record.error.exit_status == ExitStatus.MODEL_UNAVAILABLE
    errors = [
        '{"id": 1, "error": {"status": 4, "message": "a"}}\n',
        '{"id": 2, "error": {"status": 3, "message": "b"}}\n',
    ]
    shard = ShardResult(0, [], errors)
    assert shard.failure_statuses() == [4, 3]
    summary = BatchSummary(3, 0, 1, shard.failure_statuses(), 1, 0.1, None)
    assert summary.failed == 2 and summary.exit_status == 4
    assert BatchSummary(1, 0, 1, [], 1, 0.1, None).exit_status == 0


# --- the folder's identity: every option that changes a record ------------------------------
@pytest.mark.parametrize(
    ("first", "option", "words"),
    [
        ((), ("--no-guard",), "guard: True then, False now"),
        ((), ("--flag-below", "-0.5"), "flag_below: -1.0 then, -0.5 now"),
        ((), ("--command", "summarize"), "command: 'translate' then, 'summarize' now"),
        ((), ("--device", "cpu"), "device: 'auto' then, 'cpu' now"),
        ((), ("--ocr",), "ocr: False then, True now"),
        (
            ("--command", "summarize"),
            ("--command", "summarize", "--no-translate"),
            "task_options: {} then, {'translate': False} now",
        ),
    ],
)
def test_a_rerun_with_an_option_that_changes_records_is_refused(
    tmp_path: Path, first: tuple[str, ...], option: tuple[str, ...], words: str
) -> None:
    data = write_records(tmp_path / "a.jsonl", articles(2))
    out = tmp_path / "out"
    assert invoke("batch", str(data), "-o", str(out), *first, *FAKE).exit_code == 0
    result = invoke("batch", str(data), "-o", str(out), *option, *FAKE)
    assert result.exit_code == 2, result.stderr
    assert words in result.stderr
    assert json.loads((out / "manifest.json").read_text())["options"]["guard"] is True


def test_options_that_do_not_change_a_record_may_change_on_a_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = write_records(tmp_path / "a.jsonl", articles(2))
    out = tmp_path / "out"
    assert invoke("batch", str(data), "-o", str(out), *FAKE).exit_code == 0
    for option in (
        ("--threads", "1"),
        ("--batch-size", "8"),
        ("--timeout", "5"),
        ("--no-memory",),
        ("--memory", str(tmp_path / "other.sqlite3")),
        ("--shard-size", "7"),
    ):
        result = invoke("batch", str(data), "-o", str(out), *option, *FAKE)
        assert result.exit_code == 0, (option, result.stderr)
    monkeypatch.setenv("TRANSLATE_CLI_LLM_TIMEOUT", "9")
    assert invoke("batch", str(data), "-o", str(out), *FAKE).exit_code == 0


# --- URL records: the timeout setting, and each page fetched only while its record is left ---
PAGE = (
    "<html><head><title>Banjir {n}</title></head><body><article><h1>Banjir {n}</h1>"
    "<p>Banjir rob kembali merendam kawasan pesisir utara Kota Semarang pada Senin pagi. "
    "Warga diminta waspada.</p><p>Pemerintah kota menyiapkan bantuan beras dan air bersih "
    "bagi para pengungsi.</p></article></body></html>"
)


def test_url_records_honour_the_timeout_and_are_fetched_only_while_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.web.server import Response, serve

    routes = {
        "/a": Response(PAGE.format(n=1).encode(), headers={"Content-Type": "text/html"}),
        "/b": Response(PAGE.format(n=2).encode(), headers={"Content-Type": "text/html"}),
        "/slow": Response(PAGE.format(n=3).encode(), delay=3.0),
    }
    with serve(routes) as server:
        data = write_records(
            tmp_path / "urls.jsonl",
            [{"id": name, "url": server.url(f"/{name}")} for name in ("a", "b", "slow")],
        )
        out = tmp_path / "out"

        def fetched() -> list[str]:
            return [r["path"] for r in server.requests]

        monkeypatch.setenv("TRANSLATE_CLI_TIMEOUT", "0.5")
        started = time.monotonic()
        first = invoke("batch", str(data), "-o", str(out), *FAKE)
        assert time.monotonic() - started < 2.9  # not the 30 s default, not even the delay
        assert first.exit_code == 4, first.stderr
        assert sorted(fetched()) == ["/a", "/b", "/slow"]
        (error,) = jsonl((out / "part-00000.errors.jsonl").read_text())
        assert error["id"] == "slow" and "within 0.5 s" in error["error"]["message"]

        # A refused rerun fetches nothing; an accepted one fetches only the failed record.
        refused = invoke("batch", str(data), "-o", str(out), "--beam-size", "2", *FAKE)
        assert refused.exit_code == 2 and len(fetched()) == 3
        monkeypatch.delenv("TRANSLATE_CLI_TIMEOUT")
        again = invoke("batch", str(data), "-o", str(out), "--timeout", "10", *FAKE)
        assert again.exit_code == 0, again.stderr
        assert sorted(fetched()) == ["/a", "/b", "/slow", "/slow"]
        assert "1 documents written, 2 already done" in again.stderr
        # A finished batch fetches nothing at all.
        assert invoke("batch", str(data), "-o", str(out), *FAKE).exit_code == 0
        assert len(fetched()) == 4
    assert sorted(json.loads(line)["id"] for line in shard_lines(out)) == ["a", "b", "slow"]


# --- Parquet ids of other types -------------------------------------------------------------
def _parquet_ids() -> list[tuple[str, Any]]:
    import datetime
    import decimal

    import pyarrow as pa

    return [
        ("timestamp", pa.array([datetime.datetime(2024, 1, 1), datetime.datetime(2024, 1, 2)])),
        ("binary", pa.array([b"\x01", b"\x02"], pa.binary())),
        ("decimal", pa.array([decimal.Decimal("1.5"), decimal.Decimal("2.5")])),
        ("NaN", pa.array([1.0, float("nan")])),
        ("list", pa.array([[1], [2]])),
    ]


@pytest.mark.parametrize("kind", ["timestamp", "binary", "decimal", "NaN", "list"])
def test_parquet_ids_of_other_types_are_refused_naming_column_and_row(
    tmp_path: Path, kind: str
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = dict(_parquet_ids())[kind]
    source = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ids, "text": ["Satu.", "Dua."]}), source)
    out = tmp_path / "out"
    result = invoke("batch", str(source), "-o", str(out), *FAKE)
    assert result.exit_code == 4, result.stderr
    row = 2 if kind == "NaN" else 1
    assert f'{source}: column "id", row {row}:' in result.stderr, result.stderr
    assert "unexpected" not in result.stderr and result.stderr.count("\n") <= 2
    assert not out.exists()


def test_parquet_ids_of_json_types_are_kept(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = tmp_path / "in.parquet"
    table = pa.table({"id": pa.array([7, None, 9], pa.int64()), "text": ["A.", "B.", "C."]})
    pq.write_table(table, source)
    out = tmp_path / "out"
    assert invoke("batch", str(source), "-o", str(out), *FAKE).exit_code == 0
    assert sorted(map(str, (json.loads(line)["id"] for line in shard_lines(out)))) == [
        "7",
        "9",
        "None",
    ]


# --- wrong inputs and options, refused before any work ---------------------------------------
def test_a_file_that_is_not_jsonl_or_parquet_is_refused_before_the_folder(tmp_path: Path) -> None:
    text = tmp_path / "artikel.txt"
    text.write_text("Banjir di Semarang\n\nBanjir rob kembali merendam kawasan pesisir.\n")
    out = tmp_path / "out"
    result = invoke("batch", str(text), "-o", str(out), *FAKE)
    assert result.exit_code == 4, result.stderr
    assert f"{text}: not JSONL or Parquet" in result.stderr
    assert "written" not in result.stderr
    assert not out.exists()
    # JSONL under another name is read by its content.
    records = write_records(tmp_path / "records.json", articles(2))
    assert invoke("batch", str(records), "-o", str(out), *FAKE).exit_code == 0


@pytest.mark.parametrize(
    "option",
    [
        ("--workers", "2"),
        ("--workers", "3"),
        ("--num-cpus", "1"),
        ("--num-gpus", "0"),
        ("--ray-address", "auto"),
    ],
)
def test_every_ray_option_needs_executor_ray(tmp_path: Path, option: tuple[str, str]) -> None:
    data = write_records(tmp_path / "a.jsonl", articles(1))
    out = tmp_path / "out"
    result = invoke("batch", str(data), "-o", str(out), *option, *FAKE)
    assert result.exit_code == 2, result.stderr
    assert f"{option[0]} needs --executor ray" in result.stderr
    assert not out.exists()


# --- progress on a terminal: one archive line, moved per record ------------------------------
def test_progress_is_one_archive_line_moved_per_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from translate_cli.batch import progress
    from translate_cli.terminal import Environment

    monkeypatch.setattr(progress, "TTY_EVERY_S", 0.0)
    started: list[str] = []
    original = Environment.progress

    def spy(self: Environment, total: int, label: str) -> Any:
        started.append(label)
        return original(self, total, label)

    monkeypatch.setattr(Environment, "progress", spy)
    data = write_records(tmp_path / "a.jsonl", articles(5))
    result = invoke("batch", str(data), "-o", str(tmp_path / "out"), *FAKE, stderr_tty=True)
    assert result.exit_code == 0, result.stderr
    assert started == []  # no per-record "Translating" bar inside a batch
    shown = [part.strip() for part in result.stderr.split("\r\x1b[2K") if part.strip()]
    for done in range(1, 6):
        assert any(f"batch: {done}/5 documents" in part for part in shown), shown
    assert "Translating" not in result.stderr
    assert shown[-1].startswith("translate-cli: batch: 5 documents written")
    assert shown[-1].count("\n") == 0 and result.stderr.endswith("\n")


# --- an LLM server that rejects one record ---------------------------------------------------
LONG = "Kalimat yang terlalu panjang untuk model ini."


def _llm_records(path: Path) -> Path:
    return write_records(
        path,
        [
            {"id": "a", "text": CORPUS[0]},
            {"id": "b", "text": LONG},
            {"id": "c", "text": CORPUS[1]},
        ],
    )


def _rejecting(request: Any) -> Any:
    from tests.llm.test_http import Reply, by_language

    if LONG in request.user_prompt():
        message = "This model's maximum context length is 8192 tokens"
        return Reply(status=400, body={"error": {"message": message}})
    return by_language(request)


def _llm_batch(data: Path, out: Path, url: str, *extra: str) -> Any:
    llm = ("--summarizer", "llm", "--llm-url", url, "--llm-model", "stub", "--no-translate")
    return invoke("batch", str(data), "-o", str(out), "--command", "summarize", *llm, *extra)


def test_a_record_the_llm_server_rejects_fails_alone_and_is_tried_again(tmp_path: Path) -> None:
    from tests.llm.test_http import by_language, serve

    data = _llm_records(tmp_path / "a.jsonl")
    out = tmp_path / "out"
    with serve() as stub:
        stub.default = _rejecting
        first = _llm_batch(data, out, stub.url, "--shard-size", "2")
        assert first.exit_code == 4, first.stderr
        assert sorted(json.loads(line)["id"] for line in shard_lines(out)) == ["a", "c"]
        (error,) = jsonl((out / "part-00000.errors.jsonl").read_text())
        assert error["id"] == "b" and error["error"]["status"] == 4
        assert "HTTP 400" in error["error"]["message"]
        assert "maximum context length" in error["error"]["message"]
        # A rerun tries the failed record again, and only it.
        asked = len(stub.requests)
        again = _llm_batch(data, out, stub.url)
        assert again.exit_code == 4 and "0 documents written, 2 already done" in again.stderr
        assert len(stub.requests) == asked + 1
        stub.default = by_language  # the server now takes it
        fixed = _llm_batch(data, out, stub.url)
        assert fixed.exit_code == 0, fixed.stderr
        assert "1 documents written, 2 already done" in fixed.stderr
    assert sorted(json.loads(line)["id"] for line in shard_lines(out)) == ["a", "b", "c"]
    assert not list(out.glob("*.errors.jsonl"))


def test_an_llm_server_that_is_down_or_refuses_every_call_stops_the_batch(
    tmp_path: Path,
) -> None:
    from tests.llm.test_http import Reply, free_port_url, serve

    data = _llm_records(tmp_path / "a.jsonl")
    dead = _llm_batch(data, tmp_path / "dead", free_port_url())
    assert dead.exit_code == 1 and "connection refused" in dead.stderr
    with serve() as stub:
        for status in (401, 404):
            stub.default = lambda request, status=status: Reply(status=status, body=b"{}")
            result = _llm_batch(data, tmp_path / str(status), stub.url)
            assert result.exit_code == 1, result.stderr
            assert f"HTTP {status}" in result.stderr
            assert shard_lines(tmp_path / str(status)) == []


def test_the_prompts_content_is_part_of_the_folders_identity(tmp_path: Path) -> None:
    from tests.llm.test_http import by_language, serve

    data = write_records(tmp_path / "a.jsonl", [{"id": 1, "text": CORPUS[0]}])
    prompt = tmp_path / "summary-id.txt"
    prompt.write_text("Ringkas dalam Bahasa Indonesia: $article\n", encoding="utf-8")
    out = tmp_path / "out"
    with serve() as stub:
        stub.default = by_language
        first = _llm_batch(data, out, stub.url, "--prompt", str(prompt))
        assert first.exit_code == 0, first.stderr
        prompt.write_text("Tulis ringkasan dalam Bahasa Indonesia: $article\n", encoding="utf-8")
        changed = _llm_batch(data, out, stub.url, "--prompt", str(prompt))
    assert changed.exit_code == 2, changed.stderr
    assert "prompt" in changed.stderr
