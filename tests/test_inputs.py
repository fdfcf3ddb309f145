"""Reading inputs: decoding, several files, JSONL records and their per-line errors."""

from __future__ import annotations

import io
import json
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.web.server import Response, Server, serve
from translate_cli.errors import ExitStatus, InputError, UsageError
from translate_cli.inputs import (
    Record,
    _stream_lines,
    check_inputs,
    decode_text,
    parse_record,
    read_records,
)


def jsonl(data: str | bytes) -> list[Record]:
    raw = data.encode() if isinstance(data, str) else data
    return list(read_records(["-"], "jsonl", stdin=io.BytesIO(raw)))


class _Terminal(io.BytesIO):
    def isatty(self) -> bool:
        return True


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_any_utf8_text_round_trips_with_bom_and_crlf(text: str) -> None:
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        with pytest.raises(InputError):
            decode_text(text.encode(), "x")
        return
    assert decode_text(text.encode(), "x") == expected
    assert decode_text(b"\xef\xbb\xbf" + text.encode(), "x") == expected
    # The same text with CRLF line ends (from the normalised text: a lone CR in ``text`` would
    # become CR CR LF, which is two line ends, not one).
    crlf = expected.replace("\n", "\r\n").encode()
    assert decode_text(crlf, "x") == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"abc\x00def", "x: looks binary (NUL byte at byte offset 3); expected text"),
        (b"\xef\xbb\xbfab\xff", "x: not valid UTF-8 at byte offset 5"),
    ],
)
def test_bad_bytes_name_the_file_and_offset(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_text(data, "x")
    assert caught.value.message == message
    assert caught.value.exit_status == ExitStatus.BAD_INPUT


@given(st.lists(st.sampled_from(["", " ", "a", "é", "\r", "\n", "\r\n", "\ufeff", "\x00", "\xff"])))
@settings(max_examples=300, deadline=None)
def test_streamed_stdin_lines_match_whole_file_decoding(parts: list[str]) -> None:
    data = b"".join(b"\xff" if p == "\xff" else p.encode() for p in parts)
    try:
        whole = decode_text(data, "x").split("\n")
    except InputError:
        with pytest.raises(InputError):
            list(_stream_lines(io.BytesIO(data), "x"))
        return
    streamed = list(_stream_lines(io.BytesIO(data), "x"))

    def numbered(lines: list[str]) -> list[tuple[int, str]]:
        return [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]

    assert numbered(streamed) == numbered(whole)


def test_streamed_stdin_offsets_count_from_the_start() -> None:
    with pytest.raises(InputError, match="NUL byte at byte offset 9"):
        list(_stream_lines(io.BytesIO(b"\xef\xbb\xbfab\r\ncd\x00"), "x"))
    with pytest.raises(InputError, match="not valid UTF-8 at byte offset 4"):
        list(_stream_lines(io.BytesIO(b"ab\r\n\xff"), "x"))


def test_jsonl_records_keep_ids_and_skip_blank_lines() -> None:
    records = jsonl('{"id": "a", "text": "Satu."}\n\n{"text": "Dua."}\n')
    assert records == [Record("a", "Satu.", "<stdin>"), Record(3, "Dua.", "<stdin>")]


def test_jsonl_ids_are_kept_as_parsed() -> None:
    ids: list[Any] = ["x", 7, 2.5, None, [1, "a"], {"k": True}, -0.0, 10**30]
    lines = "\n".join(f'{{"id": {__import__("json").dumps(i)}, "text": "t"}}' for i in ids)
    records = jsonl(lines)
    assert [r.id for r in records] == ids
    assert all(r.error is None for r in records)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": 1}', 'line 1: expected a JSON object with a "text" string'),
        ('{"text": 5}', 'line 1: expected a JSON object with a "text" string'),
        ('"text"', 'line 1: expected a JSON object with a "text" string'),
        ("[1, 2]", 'line 1: expected a JSON object with a "text" string'),
        ("nope", "line 1: not valid JSON (Expecting value at column 1)"),
        ('{"text": "a"', "line 1: not valid JSON (Expecting ',' delimiter at column 13)"),
        ("[" * 100_000, "line 1: not valid JSON (nested too deeply)"),
    ],
)
def test_bad_jsonl_lines_become_error_records(line: str, message: str) -> None:
    (record,) = jsonl(line)
    assert isinstance(record.error, InputError)
    assert record.error.exit_status == ExitStatus.BAD_INPUT
    assert record.error.message == f"<stdin>: {message}"
    assert record.text == ""


def test_an_error_record_keeps_a_usable_id() -> None:
    records = jsonl('{"id": "k", "text": null}\n{"id": NaN, "text": "x"}\n')
    assert [r.id for r in records] == ["k", 2]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "[1, NaN]"])
def test_non_finite_ids_are_record_errors(value: str) -> None:
    (record,) = jsonl(f'{{"id": {value}, "text": "Halo."}}')
    assert record.error is not None
    assert "line 1: non-finite id" in record.error.message
    assert record.id == 1


def test_a_lone_surrogate_fails_that_record_and_keeps_the_batch() -> None:
    data = (
        '{"id": 1, "text": "Satu."}\n'
        '{"id": 2, "text": "Halo \\ud800 dunia."}\n'
        '{"id": "\\udfff", "text": "Tiga."}\n'
        '{"id": 4, "text": "Empat \\ud83d\\ude00."}\n'
    )
    records = jsonl(data)
    assert [(r.id, r.error is None) for r in records] == [
        (1, True),
        (2, False),
        (3, False),
        (4, True),
    ]
    assert records[1].error is not None
    assert records[1].error.message.startswith('<stdin>: line 2: the "text" contains a lone')
    assert records[3].text == "Empat \U0001f600."
    for record in records:  # everything that is kept can be written as UTF-8
        record.text.encode("utf-8")


def test_parse_record_never_raises_and_names_the_file() -> None:
    record = parse_record("{", "batch.jsonl", 12)
    assert record.source == "batch.jsonl"
    assert record.error is not None
    assert record.error.message.startswith("batch.jsonl: line 12: not valid JSON")


def test_jsonl_file_errors_name_the_path(tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_bytes(b'\xef\xbb\xbf{"text": "a"}\r\n\r\nbroken\r\n')
    records = list(read_records([str(batch)], "jsonl"))
    assert records[0] == Record(1, "a", str(batch))
    assert records[1].error is not None
    assert records[1].error.message.startswith(f"{batch}: line 3: not valid JSON")


def test_text_inputs_one_record_per_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("Satu.\r\n")
    second.write_text("Dua.")
    assert list(read_records([str(first)], "text")) == [Record(None, "Satu.\n", str(first))]
    several = list(read_records([str(first), "-", str(second)], "text", io.BytesIO(b"Tiga.")))
    assert several == [
        Record(str(first), "Satu.\n", str(first)),
        Record("-", "Tiga.", "<stdin>"),
        Record(str(second), "Dua.", str(second)),
    ]


def test_no_arguments_read_stdin_unless_it_is_a_terminal() -> None:
    assert list(read_records([], "text", io.BytesIO(b"Halo."))) == [
        Record(None, "Halo.", "<stdin>")
    ]
    with pytest.raises(UsageError, match="no input: give a file path, or '-'"):
        check_inputs([], _Terminal())
    with pytest.raises(UsageError, match="no input"):
        read_records([], "jsonl", _Terminal())
    # An explicit '-' reads a terminal too (the user asked for it).
    assert list(read_records(["-"], "text", _Terminal(b"x"))) == [Record(None, "x", "<stdin>")]


def test_stdin_can_be_named_only_once() -> None:
    with pytest.raises(UsageError, match="only once"):
        check_inputs(["-", "-"])


def test_every_path_is_checked_before_the_first_record(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Halo.")
    folder = tmp_path / "folder"
    folder.mkdir()
    with pytest.raises(InputError, match=r"typo\.txt: no such file"):
        read_records([str(good), str(good), str(tmp_path / "typo.txt")], "text")
    with pytest.raises(InputError, match="folder: is a directory"):
        check_inputs([str(good), str(folder)])
    with pytest.raises(InputError, match="no such file"):
        check_inputs([str(good / "x")])


def test_a_binary_file_is_still_an_input_error(tmp_path: Path) -> None:
    binary = tmp_path / "image.jpg"
    binary.write_bytes(b"\xff\xd8\xff\x00")
    records = read_records([str(binary)], "jsonl")  # passes the early check: it is readable
    with pytest.raises(InputError, match=r"image.jpg: looks binary \(NUL byte at byte offset 3\)"):
        list(records)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file without read permission")
def test_an_unreadable_file_fails_the_early_check(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    secret.chmod(0)
    with pytest.raises(InputError, match=r"secret\.txt: cannot read"):
        check_inputs([str(secret)])


def test_a_fifo_input_is_not_opened_by_the_check(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    check_inputs([str(fifo)])  # would block forever if it opened the FIFO

    def writer() -> None:
        with open(fifo, "wb") as handle:
            handle.write(b'{"text": "Halo."}\n')

    thread = threading.Thread(target=writer)
    thread.start()
    assert [r.text for r in read_records([str(fifo)], "jsonl")] == ["Halo."]
    thread.join()


def test_jsonl_from_stdin_streams_line_by_line() -> None:
    read_end, write_end = os.pipe()
    with open(read_end, "rb") as stdin, open(write_end, "wb", buffering=0) as producer:
        records = read_records(["-"], "jsonl", stdin)
        producer.write(b'{"id": "first", "text": "Satu."}\n')
        # The second line is not written yet: the first record must come anyway.
        assert next(records).id == "first"
        producer.write(b'{"id": "second", "text": "Dua."}\n')
        producer.close()
        assert [r.id for r in records] == ["second"]


def test_unknown_input_format_is_a_usage_error() -> None:
    with pytest.raises(
        UsageError, match="'csv' is not one of auto, text, html, pdf, docx, feed, jsonl"
    ):
        read_records(["-"], "csv", io.BytesIO(b""))


# --- waiting for a URL: the caller's status hook ----------------------------------------------
PAGE = (
    b"<html><body><article><p>Banjir melanda Semarang pada Senin pagi.</p></article></body></html>"
)


@contextmanager
def _page_server() -> Iterator[Server]:
    with serve({"/berita": Response(PAGE, headers={"Content-Type": "text/html"})}) as server:
        yield server


def test_a_url_is_fetched_under_the_status_hook_naming_its_host() -> None:
    shown: list[str] = []

    @contextmanager
    def status(label: str) -> Iterator[None]:
        shown.append(label)
        yield

    with _page_server() as server:
        url = server.url("/berita").replace("http://", "http://alice:Secret@")
        (record,) = read_records([url], "auto", status=status)
        records = list(read_records([url, "-"], "auto", io.BytesIO(b"Halo."), status=status))
    assert record.error is None and "Banjir" in record.text
    host = f"127.0.0.1:{server.port}"
    assert shown == [f"Fetching {host}…"] * 2  # once a URL, never for a file or stdin
    assert records[0].id == server.url("/berita")  # no user or password in the id either


def test_run_url_shows_a_spinner_on_stderr_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import fake_environment
    from translate_cli.cli import run

    env = fake_environment(stderr_tty=True)
    shown: list[str] = []
    real = env.status

    def status(label: str) -> AbstractContextManager[None]:
        shown.append(label)
        return real(label)

    monkeypatch.setattr(env, "status", status)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with _page_server() as server:
        code = run(["run", server.url("/berita"), "--engine", "fake", "-f", "json"], env)
    assert isinstance(env.stdout, io.BytesIO) and isinstance(env.stderr, io.StringIO)
    assert code == 0, env.stderr.getvalue()
    assert f"Fetching 127.0.0.1:{server.port}…" in shown
    stdout = env.stdout.getvalue().decode()
    assert "Fetching" not in stdout
    assert json.loads(stdout)["sentences"][0]["source"].startswith("Banjir")


# --- documents: by content, by media type, and "path" records ---------------------------------
def _docx() -> bytes:
    from tests.documents.builders import build_docx

    return build_docx()


def test_a_document_url_is_read_by_its_media_type_even_with_other_bytes() -> None:
    from translate_cli.documents import DOCX_MEDIA_TYPE

    routes = {
        "/surat": Response(_docx(), headers={"Content-Type": DOCX_MEDIA_TYPE}),
        "/bukan": Response(b"teks biasa", headers={"Content-Type": DOCX_MEDIA_TYPE}),
    }
    with serve(routes) as server:
        good, bad = read_records([server.url("/surat"), server.url("/bukan")], "auto")
    assert good.error is None and good.meta is not None
    assert good.meta["url"] == server.url("/surat") and good.meta["footer"]
    assert bad.error is not None and bad.error.exit_status == ExitStatus.BAD_INPUT
    assert "not a readable .docx" in bad.error.message


def test_a_path_record_is_not_read_from_a_jsonl_fetched_from_a_url(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("rahasia", encoding="utf-8")
    line = json.dumps({"id": 1, "path": str(secret)}) + "\n"
    with serve({"/batch.jsonl": Response(line.encode())}) as server:
        (record,) = read_records([server.url("/batch.jsonl")], "jsonl")
    assert record.text == "" and record.error is not None
    assert '"path" is not read in records fetched from a URL' in record.error.message


def test_a_path_record_reads_text_pages_and_documents_and_waits_when_asked(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.txt").write_text("Halo dunia.", encoding="utf-8")
    (tmp_path / "b.docx").write_bytes(_docx())
    line_a, line_b = (
        json.dumps({"id": n, "path": f"{n}.{ext}"}) for n, ext in (("a", "txt"), ("b", "docx"))
    )
    assert parse_record(line_a, "in.jsonl", 1, base=str(tmp_path)).text == "Halo dunia."
    document = parse_record(line_b, "in.jsonl", 2, base=str(tmp_path))
    assert document.error is None and document.meta is not None and document.meta["header"]
    waiting = parse_record(line_b, "in.jsonl", 2, base=str(tmp_path), fetch=False)
    assert (waiting.id, waiting.text, waiting.error) == ("b", "", None)
    missing = parse_record(line_a, "in.jsonl", 3, base=str(tmp_path / "nowhere"))
    assert missing.error is not None and missing.error.message.startswith("in.jsonl: line 3: ")
