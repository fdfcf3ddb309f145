"""What a translation depends on: the vocabulary shortlist enters the descriptor by its
content, and only where the engine decodes with one."""

from __future__ import annotations

from pathlib import Path

from tests.doubles import FakeTranslator
from translate_cli.config import Settings
from translate_cli.memory.fingerprints import descriptor


class _Listed(FakeTranslator):
    def __init__(self, vmap_file: Path | None) -> None:
        super().__init__()
        self.vmap_file = vmap_file


def test_the_shortlist_is_part_of_the_descriptor_by_content(tmp_path: Path) -> None:
    settings = Settings()
    plain = descriptor(FakeTranslator(), settings)
    assert "shortlist" not in plain  # memories made without a shortlist keep their key
    vmap = tmp_path / "vmap.txt"
    vmap.write_text("\tthe a\nrumah\thouse home\n", encoding="utf-8")
    first = descriptor(_Listed(vmap), settings)
    assert first["shortlist"] and {k: v for k, v in first.items() if k != "shortlist"} == plain
    vmap.write_text("\tthe a\nrumah\thouse\n", encoding="utf-8")
    assert descriptor(_Listed(vmap), settings)["shortlist"] != first["shortlist"]
    assert descriptor(_Listed(None), settings) == plain
