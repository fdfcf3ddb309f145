"""The evaluation protocols of ``benchmarks/summary.py`` and the fixed held-out split of
``tools/train_summarizer.py`` (issue 28): what trains on what, and what is scored."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT / "tools", ROOT / "benchmarks"):
    sys.path.insert(0, str(extra))

import summary  # noqa: E402
import train_summarizer  # noqa: E402

ROWS = [{"id": f"{k:04d}-berita", "source": "abcde"[k % 5]} for k in range(400)]


def test_the_held_out_split_is_a_fixed_fifth_by_id() -> None:
    held = [r for r in ROWS if train_summarizer.held_out(r)]
    assert 50 < len(held) < 110  # about one in five
    for row in ROWS:  # the rule, spelled out: the order and the rest of the row do not matter
        digest = int(hashlib.sha256(row["id"].encode()).hexdigest(), 16)
        assert train_summarizer.held_out({"id": row["id"]}) == (digest % 5 == 0)
    training = train_summarizer.part_of(ROWS, "training")
    held_out = train_summarizer.part_of(list(reversed(ROWS)), "held-out")
    assert {r["id"] for r in training} | {r["id"] for r in held_out} == {r["id"] for r in ROWS}
    assert not {r["id"] for r in training} & {r["id"] for r in held_out}
    assert train_summarizer.part_of(ROWS, "all") == ROWS
    with pytest.raises(ValueError, match="unknown part"):
        train_summarizer.part_of(ROWS, "test")


def test_fixed_split_scores_only_the_held_out_part() -> None:
    names, assignment = summary.split(ROWS, "fixed-split", 5)
    assert names == ["held out"]
    assert [g == 0 for g in assignment] == [train_summarizer.held_out(r) for r in ROWS]
    assert set(assignment) == {0, None}  # None: trained on, never scored


def test_looo_scores_each_outlet_with_a_model_that_never_saw_it() -> None:
    names, assignment = summary.split(ROWS, "looo", 5)
    assert names == ["a", "b", "c", "d", "e"]
    for row, group in zip(ROWS, assignment, strict=True):
        assert group is not None and names[group] == row["source"]
    # The model for an outlet trains on every row it does not score: the other outlets.
    for k, name in enumerate(names):
        trained = {r["source"] for r, g in zip(ROWS, assignment, strict=True) if g != k}
        assert name not in trained and len(trained) == 4


def test_folds_deal_every_row_to_one_fold() -> None:
    names, assignment = summary.split(ROWS, "folds", 4)
    assert len(names) == 4
    assert sorted({g for g in assignment if g is not None}) == [0, 1, 2, 3]
    assert all(abs(assignment.count(k) - 100) <= 1 for k in range(4))
