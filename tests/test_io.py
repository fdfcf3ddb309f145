"""Input decoding and output writing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_cli.errors import InputError
from translate_cli.io import decode_text, open_output, read_records


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
    crlf = text.replace("\n", "\r\n").encode()
    assert decode_text(crlf, "x") == decode_text(text.encode(), "x")


def test_jsonl_records_keep_ids_and_skip_blank_lines() -> None:
    data = b'{"id": "a", "text": "Satu."}\n\n{"text": "Dua."}\n'
    records = list(read_records("-", "jsonl", stdin=io.BytesIO(data)))
    assert [(r.id, r.text) for r in records] == [("a", "Satu."), (3, "Dua.")]


@pytest.mark.parametrize("line", ['{"id": 1}', '{"text": 5}', "nope", '"text"'])
def test_jsonl_records_need_a_text_string(line: str) -> None:
    with pytest.raises(InputError, match="line 1"):
        list(read_records("-", "jsonl", stdin=io.BytesIO(line.encode())))


def test_output_file_appears_only_when_complete(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError), open_output(str(target)) as out:
        out.write("half")
        raise RuntimeError("crash mid-write")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    with open_output(str(target)) as out:
        out.write("whole")
    assert target.read_text() == "whole"
