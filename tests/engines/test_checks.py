"""The checks of a finished translation (``engines/checks.py``): numbers kept in some valid
form, echoes and lost names flagged; through the CLI with an engine that mangles on purpose."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

import pytest

from tests.doubles import fake_translation
from tests.helpers import EXAMPLE, invoke
from translate_cli.config import Settings
from translate_cli.engines import ENGINES
from translate_cli.engines.base import ProgressCallback
from translate_cli.engines.checks import check, findings, missing_numbers
from translate_cli.render.marks import legend_lines

# (source, an English that keeps every number in a valid form)
KEPT = [
    ("Anggarannya Rp 2,5 miliar.", "The budget is IDR 2.5 billion."),
    ("Anggarannya Rp 2,5 miliar.", "The budget is Rp 2,500,000,000."),
    ("Anggarannya Rp 2.500.000.000.", "The budget is IDR 2.5 billion."),
    ("Sebanyak 1.500 warga hadir.", "As many as 1,500 residents attended."),
    ("Sebanyak 1.500 warga hadir.", "As many as 1500 residents attended."),
    ("Sebanyak 2.150 kepala keluarga.", "At least 2,150 families."),
    ("Naik 2,5 persen.", "Up 2.5 percent."),
    ("Naik 40%.", "Up 40 percent."),
    ("Pada tahun 2019.", "In 2019."),
    ("Pada 26/2 lalu.", "On February 26."),
    ("Pada 26 Februari 2019.", "On February 26, 2019."),
    ("Senin (4/3) pagi.", "Monday (4/3) morning."),
    ("Senin (4/3) pagi.", "Monday, March 4, in the morning."),
    ("Sejak pukul 05.30 WIB.", "Since 05.30 WIB."),
    ("Sejak pukul 13.30 WIB.", "Since 1:30 p.m. WIB."),
    ("Sejak pukul 08.00 WIB.", "Since 8 a.m. WIB."),
    ("Ada 3 orang.", "There were three people."),
    ("Dana 1,2 juta.", "Funds of 1.2 million."),
    ("Setinggi 60 hingga 80 sentimeter.", "60 to 80 centimetres high."),
    ("Utang Rp229,68 triliun.", "Debt of IDR 229.68 trillion."),
    ("Pukul 13:30 WIB.", "At 1:30 pm WIB."),
]

# (source, an English that changed, dropped or misread a number, the number named)
CHANGED = [
    ("Sebanyak 1.500 warga hadir.", "As many as 1,600 residents attended.", "1.500"),
    ("Sebanyak 1.500 warga hadir.", "As many as 1.5 residents attended.", "1.500"),
    ("Anggarannya Rp 2,5 miliar.", "The budget is IDR 25 billion.", "2,5"),
    ("Pada tahun 2019.", "In 2018.", "2019"),
    ("Naik 40 persen.", "Up sharply.", "40"),
    ("Pada 26 Februari 2019.", "On February 25, 2019.", "26"),
    ("Utang Rp229,68 triliun.", "Debt of IDR 229 trillion.", "229,68"),
    ("Pukul 13:30 WIB.", "At 2:30 pm WIB.", "13:30"),
]


@pytest.mark.parametrize(("source", "english"), KEPT)
def test_a_number_in_any_valid_form_passes(source: str, english: str) -> None:
    assert missing_numbers(source, english) == ()
    assert check(source, english) == ()


@pytest.mark.parametrize(("source", "english", "number"), CHANGED)
def test_a_changed_or_dropped_number_is_flagged_and_named(
    source: str, english: str, number: str
) -> None:
    assert findings(source, english) == {"number-mismatch": (number,)}
    assert check(source, english) == ("number-mismatch",)


def test_an_echoed_sentence_is_untranslated_a_short_name_is_not() -> None:
    source = "Banjir rob kembali merendam kawasan pesisir utara Kota Semarang."
    assert check(source, source) == ("untranslated",)
    assert check(source, source.upper().replace(".", "")) == ("untranslated",)
    assert check("Kota Semarang", "Kota Semarang") == ()
    # An engine that scores its outputs judges echoes itself (``quality.sentence_flags``).
    assert check(source, source, echo=False) == ()


def test_a_protected_name_or_glossary_target_missing_is_flagged_and_named() -> None:
    source = "Walikota H. Sutiaji meninjau Disperkim."
    english = "Mayor Sutiaji visited the housing agency."
    found = findings(source, english, protected=("Sutiaji", "Disperkim"), glossary=("Mayor",))
    assert found == {"name-changed": ("Disperkim",)}
    assert check(source, english, glossary=("City Government",)) == ("glossary-missed",)


# --- through the CLI -------------------------------------------------------------------------


def mangled(text: str) -> str:
    """What a bad model makes of ``text``: every number one more, the rest copied (an echo)."""
    return re.sub(r"\d+", lambda m: str(int(m.group(0)) + 1), text)


class ManglingTranslator:
    """A translate-only engine (no scores: the pipeline judges its echoes)."""

    name = "mangle"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def translate(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[str]:
        for text in texts:
            if progress is not None:
                progress(1)
            yield mangled(text)

    def close(self) -> None:
        pass


@pytest.fixture
def mangle_engine() -> Iterator[str]:
    ENGINES.register(
        "mangle",
        lambda settings, download_progress=False: ManglingTranslator(settings),
        hidden=True,
    )
    try:
        yield "mangle"
    finally:
        ENGINES.unregister("mangle")


def test_the_cli_flags_changed_numbers_and_echoes_in_json(mangle_engine: str) -> None:
    result = invoke("translate", str(EXAMPLE), "--engine", mangle_engine, "--format", "json")
    assert result.exit_code == 0, result.stderr
    sentences = json.loads(result.stdout)["sentences"]
    with_numbers = [s for s in sentences if re.search(r"\d", s["source"])]
    assert with_numbers
    for sentence in with_numbers:
        assert "number-mismatch" in sentence["flags"], sentence
        assert sentence["details"]["number-mismatch"], sentence
    echoes = [s for s in sentences if s["translation"] == s["source"]]
    long_echoes = [s for s in echoes if len(s["source"].split()) > 3]
    assert long_echoes
    assert all("untranslated" in s["flags"] for s in long_echoes)


def test_the_cli_shows_marks_and_legend_in_text(mangle_engine: str) -> None:
    result = invoke("translate", str(EXAMPLE), "--engine", mangle_engine, "--format", "text")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(re.search(r"\[!\w*M\w*\]$", line) for line in lines)
    assert any(re.search(r"\[!\w*U\w*\]$", line) for line in lines)
    for line in legend_lines(["untranslated", "number-mismatch"]):
        assert line in lines


def test_a_faithful_engine_gets_no_check_flags() -> None:
    result = invoke("translate", str(EXAMPLE), "--engine", "fake", "--format", "json")
    assert result.exit_code == 0, result.stderr
    sentences = json.loads(result.stdout)["sentences"]
    assert all(s["translation"] == fake_translation(s["source"]) for s in sentences)
    assert all("details" not in s for s in sentences)
    assert not {"number-mismatch", "untranslated"} & {f for s in sentences for f in s["flags"]}
