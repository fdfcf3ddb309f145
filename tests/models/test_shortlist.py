"""The vocabulary shortlist: read from parallel text, built with the model's own tokenizer,
written as CTranslate2's vocabulary map, kept beside the conversions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CORPUS
from translate_cli.errors import InputError
from translate_cli.models import shortlist
from translate_cli.models.marian_codec import MarianCodec

ENGLISH = [
    "The mayor of Malang attended an invitation in Jakarta.",
    "The city government plans to build a new park next year.",
    "The price of rice rose 3.5 percent to Rp 12,500 per kilogram in May.",
    "The president opened a 40 kilometre toll road on Wednesday.",
    "Floods submerged hundreds of houses in Sukajadi since Monday morning.",
    "According to Prof. Dr. Siti Aminah, the policy needs to be evaluated again.",
]


def _parallel(tmp_path: Path) -> Path:
    source = tmp_path / "news.id"
    source.write_text("\n".join(CORPUS[: len(ENGLISH)]) + "\n", encoding="utf-8")
    (tmp_path / "news.en").write_text("\n".join(ENGLISH) + "\n", encoding="utf-8")
    return source


def test_parallel_text_is_read_from_pairs_of_files_and_tsv(tmp_path: Path) -> None:
    pairs = list(shortlist.read_parallel([_parallel(tmp_path)]))
    assert pairs == list(zip(CORPUS[: len(ENGLISH)], ENGLISH, strict=True))
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("satu\tone\n\nno tab here\ndua\ttwo\n", encoding="utf-8")
    assert list(shortlist.read_parallel([tsv])) == [("satu", "one"), ("dua", "two")]
    lonely = tmp_path / "lonely.id"
    lonely.write_text("sendiri\n", encoding="utf-8")
    with pytest.raises(InputError, match="no English side"):
        list(shortlist.read_parallel([lonely]))


def test_a_shortlist_ranks_co_occurring_targets_and_lists_frequent_ones(
    tiny_model: Path, tmp_path: Path
) -> None:
    pairs = list(shortlist.read_parallel([_parallel(tmp_path)]))
    built = shortlist.build(tiny_model, pairs, per_source=3, frequent=4)
    assert built.pairs == len(ENGLISH) and len(built.always) == 4
    codec = MarianCodec(tiny_model)
    # A token of one sentence only: its own pieces first (copied names), then targets of the
    # one English sentence it appeared with.
    only_second = set(codec.encode(CORPUS[1])) - {
        t for s in CORPUS[: len(ENGLISH)] if s != CORPUS[1] for t in codec.encode(s)
    }
    token = sorted(only_second - {"</s>"})[0]
    targets = built.by_source[token]
    assert targets[0] == token and 1 < len(targets) <= 4
    english = set(shortlist._TargetTokenizer(tiny_model, codec).tokens(ENGLISH[1]))
    assert set(targets[1:]) <= english
    # Every vocabulary token allows at least itself, seen in the parallel text or not.
    assert all(built.by_source[t][0] == t for t in codec.vocab if not t.startswith("<"))


def test_the_vocabulary_map_file_is_ctranslate2s_format(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSLATE_CLI_CACHE_DIR", str(tmp_path / "cache"))
    built = shortlist.build(tiny_model, shortlist.read_parallel([_parallel(tmp_path)]))
    path = shortlist.save(tiny_model, built)
    assert path == shortlist.shortlist_path(tiny_model) and path.parent.name == "ct2"
    lines = path.read_text(encoding="utf-8").splitlines()
    # First the always-allowed tokens under the empty key, then "token<TAB>targets".
    assert lines[0] == "\t" + " ".join(built.always)
    for line in lines[1:]:
        key, tab, targets = line.partition("\t")
        assert tab and key and " " not in key and targets.split()[0] == key
    conversion = tmp_path / "conversion"
    conversion.mkdir()
    (conversion / "model.bin").write_bytes(b"weights")
    # The map goes into a sibling that links the conversion's files: the conversion itself
    # never holds one (CTranslate2 would parse it at every load, shortlist or not).
    folder = shortlist.install(tiny_model, conversion)
    assert folder.parent == tmp_path and folder != conversion
    assert (folder / "vmap.txt").read_bytes() == path.read_bytes()
    assert (folder / "model.bin").read_bytes() == b"weights"
    assert not (conversion / "vmap.txt").exists()
    assert shortlist.install(tiny_model, conversion) == folder  # made once


def test_a_missing_shortlist_is_a_usage_error_naming_the_command(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSLATE_CLI_CACHE_DIR", str(tmp_path / "empty"))
    with pytest.raises(shortlist.ShortlistMissingError) as caught:
        shortlist.install(tiny_model, tmp_path)
    assert "models shortlist" in (caught.value.hint or "")
