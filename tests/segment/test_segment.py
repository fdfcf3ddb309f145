"""Indonesian sentence segmentation: a table of cases (tests/data/segment_cases.txt) and
properties that hold for any input."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS, SHARED_DATA
from tests.helpers import invoke
from translate_cli.document import Document
from translate_cli.segment import segment, visible
from translate_cli.segment._lexicon import lexicon

CASES = Path(__file__).parents[1] / "data" / "segment_cases.txt"
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[trn])")
_SIMPLE = {"t": "\t", "r": "\r", "n": "\n"}


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return _SIMPLE.get(code) or chr(int(code[1:], 16))

    return _ESCAPE.sub(one, text)


def _load_cases() -> list[tuple[str, str, list[list[str]]]]:
    """``(name, text, paragraphs of expected sentences)`` from the case file."""
    cases = []
    blocks = re.split(r"^=== ", CASES.read_text(encoding="utf-8"), flags=re.M)[1:]
    for block in blocks:
        name, _, body = block.partition("\n")
        source, sep, expected = body.partition("\n---\n")
        assert sep, f"case {name!r} has no '---' line"
        paragraphs: list[list[str]] = [[]]
        for line in expected.strip("\n").split("\n"):
            if line == "¶":
                paragraphs.append([])
            elif line.strip():
                paragraphs[-1].append(_unescape(line))
        cases.append((name.strip(), _unescape(source), paragraphs))
    return cases


def _squash(text: str) -> str:
    return " ".join(text.split())


def _structure(doc: Document) -> list[list[str]]:
    return [[_squash(s.text) for s in paragraph] for paragraph in doc.paragraphs()]


_CASE_TABLE = _load_cases()


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in _CASE_TABLE], ids=[c[0] for c in _CASE_TABLE]
)
def test_case_table(text: str, expected: list[list[str]]) -> None:
    assert _structure(segment(text)) == [[_squash(s) for s in p] for p in expected]


def test_case_table_is_not_empty() -> None:
    assert len(_CASE_TABLE) >= 60


@pytest.mark.parametrize("abbreviation", sorted(lexicon().no_break))
def test_no_break_abbreviations_never_end_a_sentence(abbreviation: str) -> None:
    text = f"Surat itu untuk {abbreviation}. Budi Santoso di kantor."
    assert len(segment(text).sentences) == 1


@pytest.mark.parametrize("abbreviation", sorted(lexicon().closers))
def test_closers_end_a_sentence_only_before_a_capital(abbreviation: str) -> None:
    ends = f"Ada meja, kursi, {abbreviation}. Pasar ramai."
    goes_on = f"Ada meja, kursi, {abbreviation}. di pasar."
    assert len(segment(ends).sentences) == 2
    assert len(segment(goes_on).sentences) == 1


def test_real_article_title_lines_and_quotes() -> None:
    text = (
        "Kota Malang\n"
        "Telkom Gandeng Kota Malang Kuatkan Smart City Nusantara\n"
        "Menurut Sutiaji, kunjungan ini penting. “Kedepan, saya berharap Kota Malang mampu "
        "menjadi pilot project dalam rangka mengembangkan smart city dan kota yang kreatif” "
        "tutur Sutiaji.\n"
    )
    sentences = [s.text for s in segment(text).sentences]
    assert sentences[:3] == [
        "Kota Malang",
        "Telkom Gandeng Kota Malang Kuatkan Smart City Nusantara",
        "Menurut Sutiaji, kunjungan ini penting.",
    ]
    assert sentences[3].endswith("tutur Sutiaji.")
    assert len(sentences) == 4


def test_empty_and_blank_input() -> None:
    assert segment("").sentences == ()
    assert segment(" \n\n\t \u00a0\n").sentences == ()


def test_offsets_point_into_the_original_text() -> None:
    text = "  Ny. Davis datang.\n\nIa   pulang!  "
    doc = segment(text)
    assert [(s.paragraph, text[s.start : s.end]) for s in doc.sentences] == [
        (0, "Ny. Davis datang."),
        (1, "Ia   pulang!"),
    ]
    assert doc.paragraph_count == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Budi datang.\n\u0007\nIa pulang.", ["Budi datang.\n\u0007", "Ia pulang."]),
        ("\ufeff\nBudi datang. Ia pulang.", ["\ufeff\nBudi datang.", "Ia pulang."]),
        ("Budi datang.\n\n\u200b\n\nIa pulang.", ["Budi datang.\n\n\u200b", "Ia pulang."]),
        ("Budi datang. \u200b\u2060 Ia pulang.", ["Budi datang.", "\u200b\u2060 Ia pulang."]),
        ("Judul\n\u200b\nIsi berita.", ["Judul\n\u200b", "Isi berita."]),
        ("\ufeff", []),
        ("\u0007\n\n\u200b \ufeff", []),
    ],
    ids=["bel-line", "bom-first", "zwsp-paragraph", "inline", "after-heading", "bom", "only"],
)
def test_invisible_characters_join_a_neighbouring_sentence(text: str, expected: list[str]) -> None:
    assert [s.text for s in segment(text).sentences] == expected


# --- properties --------------------------------------------------------------------------

_PIECES = [
    "a", "b", "kata", "Ny.", "Dr.", "dll.", "PT.", "B.J.", "S.Kom.", "1.500", "14.30", "Rp",
    "(17/5)", "(Baca juga: x)", "www.x.id", "a@b.co", "’19", "...", "…", ". . .", "?", "!",
    ".", ",", ";", ":", "-", "–", '"', "'", "“", "”", "‘", "’", "(", ")", "[", "]", "Kota",
    "Ia", "Namun", "kata", "tutur", "1.", "- ", "•", " ", " ", " ", "\n", "\n\n", "\r\n",
    "\r", "\t", "\u00a0", "\u2028", "\u2029", "\x0c", "\x0b", "\x00", "\x07", "\u200b",
    "\ufeff", "\u200d", "\u2060", "\u3164", "\x07\n", "\n\ufeff\n", "\n\n\u200b\n\n",
]  # fmt: skip

pieces_text = st.lists(st.sampled_from(_PIECES), max_size=80).map("".join)
any_text = st.text(max_size=300)


def _check_invariants(text: str) -> None:
    doc = segment(text)
    position = 0
    last_paragraph = -1
    for i, sentence in enumerate(doc.sentences):
        assert sentence.index == i
        assert sentence.text == text[sentence.start : sentence.end]
        assert sentence.text and not sentence.text[0].isspace()
        assert not sentence.text[-1].isspace()
        assert text[position : sentence.start].isspace() or position == sentence.start
        assert sentence.paragraph in (last_paragraph, last_paragraph + 1)
        last_paragraph = sentence.paragraph
        position = sentence.end
        assert visible(sentence.text)  # never a sentence of invisible characters only
    assert not text[position:] or text[position:].isspace() or not visible(text)
    # Nothing lost: the sentences give back the text, whitespace aside (text with nothing
    # visible gives no sentences).
    joined = "".join("".join(s.text.split()) for s in doc.sentences)
    assert joined == ("".join(text.split()) if visible(text) else "")
    assert doc.paragraph_count == last_paragraph + 1


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces_text)
def test_nothing_lost_on_generated_news_like_text(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_nothing_lost_on_arbitrary_unicode(text: str) -> None:
    _check_invariants(text)


@settings(max_examples=100, deadline=None)
@given(pieces_text)
def test_blank_lines_always_separate_sentences(text: str) -> None:
    for sentence in segment(text).sentences:
        # Only invisible characters, attached to the sentence, may stand beyond a blank line.
        parts = re.split(r"\n[^\S\n]*\n", sentence.text)
        assert sum(1 for part in parts if visible(part)) == 1


_WORDS = ["rumah", "kota", "warga", "pasar", "harga", "naik", "turun", "besar", "baru", "itu"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8),
            st.sampled_from([".", "!", "?", "…"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_plain_sentences_are_recovered_exactly(parts: list[tuple[list[str], str]]) -> None:
    sentences = [" ".join(words).capitalize() + end for words, end in parts]
    assert [s.text for s in segment(" ".join(sentences)).sentences] == sentences


@pytest.mark.parametrize(
    "text",
    [
        "kata " * 20_000,  # 100k characters, no punctuation
        "." * 100_000,  # only punctuation
        '?!."”)' * 17_000,
        "A. " * 33_000,
        "Dr. " * 25_000,
        "Ab. " * 25_000,
        "http://" + "." * 100_000 + "x",
        "@" * 100_000,
        "a.a@" * 25_000,
        "(" * 100_000,
        "\n" * 100_000,
        "Judul\n" * 16_000,
        "x" * 100_000,
    ],
    ids=lambda text: repr(text[:12]),
)
def test_pathological_input(text: str) -> None:
    _check_invariants(text)


# --- text as it comes: one paragraph a line, or hard-wrapped ------------------------------

_SAMPLE = SHARED_DATA / "articles"


@pytest.mark.shared_data
def test_malang_sample_keeps_a_paragraph_a_line_if_present() -> None:
    path = _SAMPLE / "malang-smart-city.txt"
    if not path.exists():
        pytest.skip("shared data not available")
    text = path.read_text(encoding="utf-8")
    doc = segment(text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert doc.paragraph_count == len(lines) == 7
    paragraphs = [text[p[0].start : p[-1].end] for p in doc.paragraphs()]
    assert paragraphs == lines
    assert paragraphs[:2] == [
        "Kota Malang",
        "Telkom Gandeng Kota Malang Kuatkan Smart City Nusantara",
    ]


def _paragraph_groups(sentences: list[str], sizes: list[int]) -> list[list[str]]:
    groups, at = [], 0
    for size in sizes:
        if at < len(sentences):
            groups.append(sentences[at : at + size])
            at += size
    if at < len(sentences):
        groups.append(sentences[at:])
    return groups


# Distinct sentences, as in an article (one sentence over and over wraps the same way each
# time, which no text does).
_BODY = st.lists(st.sampled_from(CORPUS[:20]), min_size=3, max_size=12, unique=True)
_SIZES = st.lists(st.integers(min_value=1, max_value=3), min_size=12, max_size=12)
_HEADLINE = st.sampled_from(
    [
        "Telkom Gandeng Kota Malang Kuatkan Smart City Nusantara",
        "Masyarakat Makedonia pergi untuk memberikan suara pada referendum mengenai perubahan"
        " nama negara",
        "Apakah Kota Malang siap menjadi kota cerdas pertama di Jawa Timur?",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headline=_HEADLINE, body=_BODY, sizes=_SIZES)
def test_one_paragraph_a_line_keeps_every_line(
    headline: str, body: list[str], sizes: list[int]
) -> None:
    groups = _paragraph_groups(body, sizes)
    text = headline + "\n" + "\n".join(" ".join(g) for g in groups)
    _check_invariants(text)
    assert _structure(segment(text)) == [[headline], *groups]


# Sentences as long as news sentences (two of the corpus joined): text of sentences that each
# fit on one line of the wrap can't be told from text laid out one sentence a line.
_LONG = [
    f"{a[:-1]}, sementara {b[0].lower()}{b[1:]}"
    for a, b in zip(CORPUS[0:20:2], CORPUS[1:20:2], strict=True)
]
_LONG_BODY = st.lists(st.sampled_from(_LONG), min_size=3, max_size=10, unique=True)
_WRAPPED_SIZES = st.lists(st.integers(min_value=1, max_value=3), min_size=12, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headline=_HEADLINE, body=_LONG_BODY, sizes=_WRAPPED_SIZES, blank=st.booleans())
def test_hard_wrapped_text_joins_its_lines(
    headline: str, body: list[str], sizes: list[int], blank: bool
) -> None:
    """The same paragraphs wrapped at 70 columns give the same sentences; with blank lines
    between them, the same paragraphs too (the headline on top is one of its own)."""
    groups = _paragraph_groups(body, sizes)
    wrapped = ["\n".join(textwrap.wrap(" ".join(g), 70, break_on_hyphens=False)) for g in groups]
    text = headline + "\n" + ("\n\n" if blank else "\n").join(wrapped)
    _check_invariants(text)
    structure = _structure(segment(text))
    assert [s for p in structure for s in p] == [headline, *body]
    if blank:
        assert structure == [[headline], *groups]


@pytest.mark.shared_data
def test_translate_prints_a_paragraph_a_line_of_the_sample_if_present(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`translate` to a pipe: the sample article's 7 lines come out as 7 paragraphs, and its
    JSON numbers them 0 to 6."""
    path = _SAMPLE / "malang-smart-city.txt"
    if not path.exists():
        pytest.skip("shared data not available")
    monkeypatch.setenv("TRANSLATE_CLI_ENGINE", "fake")
    result = invoke("translate", str(path))
    assert result.exit_code == 0
    assert len(result.stdout.strip("\n").split("\n\n")) == 7
    records = json.loads(invoke("translate", str(path), "--format", "json").stdout)
    assert sorted({s["paragraph"] for s in records["sentences"]}) == list(range(7))
