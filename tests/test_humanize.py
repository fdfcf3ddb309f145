"""Sizes and one-line values, as every message and table writes them."""

from __future__ import annotations

import pytest

from translate_cli.humanize import format_size, one_line


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (0, "0 bytes"),
        (1000, "1000 bytes"),
        (1024, "1 KB"),
        (1536, "1.5 KB"),
        (8 * 1024 * 1024, "8 MB"),
        (20 * 1024 * 1024, "20 MB"),
        (int(252.4 * 1024 * 1024), "252.4 MB"),
        (3 * 1024**3 // 2, "1.5 GB"),
    ],
)
def test_format_size(count: int, words: str) -> None:
    assert format_size(count) == words


def test_one_line() -> None:
    assert one_line(" a\n\tb\x1b[31m  c\x9b ") == "a b [31m c"
