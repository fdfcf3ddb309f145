"""The features of what a sentence brings (``features/information.py``): first mentions, the
article's main names, decisions and targets, speakers and roll calls."""

from __future__ import annotations

import pytest

from tests.summarize.test_extractive import build
from translate_cli.summarize.features import FEATURE_NAMES, feature_table
from translate_cli.summarize.features.article import Article, names_in
from translate_cli.summarize.prepare import prepare
from translate_cli.summarize.tokens import word_list

SENTENCES = [
    "Walikota Malang Sutiaji berkunjung ke kantor Telkom di Jakarta pada Selasa.",
    "Sekretaris Daerah Wasto, Kepala Dinas Zulkifli, dan Kabag Nurwidianto turut mendampingi.",
    "Pemkot Malang dan Telkom menandatangani nota kesepahaman soal kota pintar.",
    "Sutiaji menargetkan seluruh layanan berbasis teknologi pada tahun 2020.",
    "“Kami ingin Malang jadi contoh,” kata Sutiaji.",
    "“Ini baru awal,” tukasnya.",
]


@pytest.fixture(scope="module")
def table() -> list[dict[str, float]]:
    return feature_table(prepare(build([SENTENCES[:2], SENTENCES[2:4], SENTENCES[4:]])))


def test_information_features_are_registered_at_the_end() -> None:
    names = (
        "new_names_log",
        "main_name_coverage",
        "decision_verb",
        "year_mention",
        "quote_named_speaker",
        "presence",
        "name_list",
    )
    assert set(names) <= set(FEATURE_NAMES)
    # New features go after the old ones: the shipped weights name their columns.
    assert FEATURE_NAMES.index("new_names_log") > FEATURE_NAMES.index("mostly_quoted")


def test_names_are_capitalised_words_after_the_first() -> None:
    assert names_in("Walikota Malang, H. Sutiaji memenuhi undangan PT. Telkom.") == {
        "malang",
        "h",
        "sutiaji",
        "pt",
        "telkom",
    }
    assert names_in("menurut Sutiaji, itu baik.") == {"sutiaji"}  # lowercase start: all count
    assert names_in("Dia pergi ke pasar.") == set()


def test_first_mentions(table: list[dict[str, float]]) -> None:
    # The lead introduces every name it has; the quote's speaker was introduced before.
    assert table[0]["new_name_share"] == 1.0
    assert table[0]["new_names_log"] > 0
    assert table[4]["new_name_share"] == 0.0
    assert table[3]["new_numbers_log"] > 0  # 2020, first seen here
    assert table[5]["new_numbers_log"] == 0


def test_main_names_are_the_most_repeated(table: list[dict[str, float]]) -> None:
    article = Article(prepare(build([SENTENCES])))
    assert {"malang", "telkom", "sutiaji"} <= article.main_names
    assert "wasto" not in article.main_names  # named once
    assert table[0]["main_names_new"] >= 3  # the lead introduces them
    assert table[2]["main_names_new"] == 0  # Malang and Telkom again
    assert table[2]["main_name_coverage"] > table[1]["main_name_coverage"]


def test_decisions_targets_and_years(table: list[dict[str, float]]) -> None:
    assert {"menargetkan", "menandatangani", "mengumumkan"} <= word_list("decision_verbs")
    assert table[2]["decision_verb"] == 1.0  # menandatangani
    assert table[3]["decision_verb"] == 1.0 and table[3]["year_mention"] == 1.0
    assert table[1]["decision_verb"] == 0.0 and table[1]["year_mention"] == 0.0


def test_speakers_and_roll_calls(table: list[dict[str, float]]) -> None:
    assert table[4]["quote_named_speaker"] == 1.0  # "kata Sutiaji"
    assert table[5]["quote_named_speaker"] == 0.0
    assert table[5]["quote_pronoun_speaker"] == 1.0  # "tukasnya"
    assert table[1]["presence"] == 1.0  # turut mendampingi
    assert table[0]["presence"] == 0.0
    assert table[1]["name_list"] > table[3]["name_list"]  # names between commas
