"""The one loader of packaged data: word lists and sectioned pattern files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from translate_cli import resources


@pytest.fixture
def data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[Path]:
    """The ``data/`` folder of a package of its own per test (the loader caches by name)."""
    package = "data_package_" + request.node.name
    (tmp_path / package / "data").mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path / package / "data"
    sys.modules.pop(package, None)


def test_word_list_skips_comments_and_blank_lines(data: Path) -> None:
    (data / "words.txt").write_text("# a comment\nDan  Lain \n\nYang # trailing comment\n")
    package = data.parent.name
    assert resources.entries(package, "words.txt") == ("Dan Lain", "Yang")
    assert resources.word_list(package, "words.txt") == {"dan lain", "yang"}


def test_sections_keep_hashes_inside_patterns(data: Path) -> None:
    (data / "patterns.txt").write_text("# comment\n[one]\na#b\n\n[two]\n  c  \n[one]\nd\n")
    assert dict(resources.sections(data.parent.name, "patterns.txt")) == {
        "one": ("a#b", "d"),
        "two": ("c",),
    }


def test_a_line_outside_any_section_is_an_error(data: Path) -> None:
    (data / "patterns.txt").write_text("stray\n[one]\na\n")
    with pytest.raises(ValueError, match="outside any section: 'stray'"):
        resources.sections(data.parent.name, "patterns.txt")


@pytest.mark.parametrize("name", ["boilerplate.txt", "news_boilerplate.txt"])
def test_shipped_pattern_files_parse(name: str) -> None:
    assert all(resources.sections("translate_cli.web", name).values())
