"""Checks of a finished translation against its source: numbers, names, glossary terms, echoes.

Each check answers with the terms it found missing, so a flag can name them
(``{"number-mismatch": ("2,5",)}``). Numbers are compared as values, not as text: the source
is read the Indonesian way (``2,5`` = 2.5, ``1.500`` = 1500, ``Rp 2,5 miliar`` = 2.5 or 2.5e9),
the English both ways and with its scale words and month names (``1,500``, ``1500``,
``2.5 billion``, ``February 26`` for ``26/2``), so every valid rewriting passes and a changed,
dropped or invented-over number does not. Plain Python on short strings: microseconds a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from translate_cli.engines import quality

Findings = dict[str, tuple[str, ...]]

# A number as written: digits with dot/comma groups ("1.500.000,75", "2,5", "2019",
# "Rp229,68"), or a clock time ("13:30").
_NUMBER = re.compile(r"(?<!\d)\d+(?:[.,]\d+)*(?::\d\d)?")
_TIME = re.compile(r"^([01]?\d|2[0-3])[.:]([0-5]\d)$")
_THOUSANDS_DOT = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d+)?$")  # 1.500 / 1.500.000,5
_THOUSANDS_COMMA = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")  # 1,500 / 1,500,000.5
_SCALE_WORD = re.compile(r"\s*([A-Za-z]+)")
_WORD = re.compile(r"[a-z]+")

SCALES = {
    # Indonesian
    "ribu": 1e3,
    "rb": 1e3,
    "juta": 1e6,
    "jt": 1e6,
    "miliar": 1e9,
    "milyar": 1e9,
    "triliun": 1e12,
    # English
    "thousand": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
}
MONTHS: tuple[str, ...] = ("january", "february", "march", "april", "may", "june", "july")
MONTHS += ("august", "september", "october", "november", "december")
MONTH_NUMBERS = {name: number for number, name in enumerate(MONTHS, start=1)}
MONTH_NUMBERS |= {name[:3]: number for name, number in MONTH_NUMBERS.items()} | {"sept": 9}
# English number words a model may write for a small number ("3 orang" -> "three people").
_SMALL: tuple[str, ...] = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)
_SMALL += ("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen")
_SMALL += ("eighteen", "nineteen", "twenty")
NUMBER_WORDS: dict[str, float] = {word: value for value, word in enumerate(_SMALL)}
NUMBER_WORDS |= {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70}
NUMBER_WORDS |= {"eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12, "half": 0.5}
NUMBER_WORDS |= {"once": 1, "twice": 2, "first": 1, "second": 2, "third": 3, "fourth": 4}


def _value(digits: str, decimal: str) -> float | None:
    """``digits`` read with ``decimal`` as the decimal mark and the other mark as grouping."""
    group = "," if decimal == "." else "."
    if digits.count(decimal) > 1:
        return None
    try:
        return float(digits.replace(group, "").replace(decimal, "."))
    except ValueError:
        return None


def _readings(digits: str, *, indonesian: bool) -> set[float]:
    """The values ``digits`` can mean: one where its grouping is unambiguous, else both."""
    if _THOUSANDS_DOT.match(digits) and indonesian:
        found = {_value(digits, ",")}
    elif _THOUSANDS_COMMA.match(digits) and not indonesian:
        found = {_value(digits, ".")}
    elif "," in digits and indonesian:
        found = {_value(digits, ",")}
    else:
        found = {_value(digits, ","), _value(digits, ".")}
    return {round(v, 6) for v in found if v is not None}


def _scaled(text: str, end: int, values: set[float]) -> set[float]:
    """``values`` times the scale word that follows (``2,5 miliar``), if one does."""
    word = _SCALE_WORD.match(text, end)
    scale = SCALES.get(word.group(1).casefold()) if word else None
    return {round(v * scale, 6) for v in values} if scale else set()


def source_numbers(source: str) -> list[tuple[str, set[float], tuple[int, int] | None]]:
    """Each number of the source: as written, the values it may mean, and (hour, minute) when
    it reads as a clock time (``08.00``, ``13:30``)."""
    numbers = []
    for match in _NUMBER.finditer(source):
        digits = match.group(0)
        values = _readings(digits, indonesian=True)
        values |= _scaled(source, match.end(), values)
        time = _TIME.match(digits)
        clock = (int(time.group(1)), int(time.group(2))) if time else None
        numbers.append((digits, values, clock))
    # "26/2/2019" is three numbers: the regex splits on "/" already.
    return numbers


def english_values(english: str) -> set[float]:
    """Every value the English states: numbers read either way (a kept ``2,5`` too), scaled by
    a following scale word, month names (``February`` = 2) and small number words."""
    values: set[float] = set()
    for match in _NUMBER.finditer(english):
        digits = match.group(0)
        found = _readings(digits, indonesian=False) | _readings(digits, indonesian=True)
        values |= found | _scaled(english, match.end(), found)
        if ":" in digits:  # a clock time: its hour and minutes
            values |= {float(part) for part in re.split(r"[.,:]", digits)}
    for word in _WORD.findall(english.casefold()):
        if word in NUMBER_WORDS:
            values.add(float(NUMBER_WORDS[word]))
        elif word in MONTH_NUMBERS:
            values.add(float(MONTH_NUMBERS[word]))
    return values


def _clock_found(clock: tuple[int, int], values: set[float]) -> bool:
    hour, minute = clock
    hours = {float(hour), float(hour % 12 or 12)}
    return bool(hours & values) and (minute == 0 or float(minute) in values)


def missing_numbers(source: str, english: str) -> tuple[str, ...]:
    """The source's numbers that appear in no valid form in ``english``, as written."""
    numbers = source_numbers(source)
    if not numbers:
        return ()
    found = english_values(english)
    missing = [
        digits
        for digits, values, clock in numbers
        if not (values & found) and not (clock and _clock_found(clock, found))
    ]
    return tuple(dict.fromkeys(missing))


def missing_terms(terms: Iterable[str], english: str) -> tuple[str, ...]:
    """The terms not in ``english`` as whole words (case-insensitive; ``Pemkot`` matches
    ``Pemkot's``, not ``Pemkotnya``)."""
    folded = english.casefold()
    missing = []
    for term in dict.fromkeys(t for t in terms if t.strip()):
        pattern = rf"(?<!\w){re.escape(term.casefold())}(?!\w)"
        if not re.search(pattern, folded):
            missing.append(term)
    return tuple(missing)


def findings(
    source: str,
    translation: str,
    *,
    protected: Sequence[str] = (),
    glossary: Sequence[str] = (),
    echo: bool = True,
) -> Findings:
    """What ``translation`` lost of ``source``, flag by flag (only flags with a finding):
    ``number-mismatch`` (numbers), ``name-changed`` (``protected`` names, kept as written),
    ``glossary-missed`` (``glossary`` targets) and, with ``echo``, ``untranslated`` (the
    output is essentially the source copied, ``quality.untranslated``)."""
    found: Findings = {}
    if not translation.strip():
        return found
    if echo and quality.untranslated(source, translation):
        found[quality.UNTRANSLATED] = ()
    for flag, missing in (
        (quality.GLOSSARY_MISSED, missing_terms(glossary, translation)),
        (quality.NAME_CHANGED, missing_terms(protected, translation)),
        (quality.NUMBER_MISMATCH, missing_numbers(source, translation)),
    ):
        if missing:
            found[flag] = missing
    return found


def check(
    source: str,
    translation: str,
    *,
    protected: Sequence[str] = (),
    glossary: Sequence[str] = (),
    echo: bool = True,
) -> tuple[str, ...]:
    """The flag names of ``findings``, in ``quality.FLAGS`` order."""
    found = findings(source, translation, protected=protected, glossary=glossary, echo=echo)
    return tuple(flag for flag in quality.FLAGS if flag in found)
