"""Language identification (segment/language.py) and what a run does with it: English
sentences of an Indonesian article kept as written, a notice for a document in another
language, ``meta.language`` and per-sentence ``language`` in JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.doubles import fake_translation
from tests.helpers import ARTICLE, RecordingHooks, invoke
from translate_cli import Pipeline
from translate_cli.engines import quality
from translate_cli.segment import language, segment

REPO = Path(__file__).resolve().parents[2]
QUOTE = '"We are committed to making this city a smart city for everyone," he said.'
# An English quote planted in the sample article, and an Indonesian line with English words.
MIXED = (
    f"{ARTICLE}\n\n{QUOTE}\n\nProgram ini merupakan pilot project untuk smart city di Semarang.\n"
)
ENGLISH = (
    "Floods hit the northern coast of the city on Monday morning. Thousands of residents left "
    "their homes as the sea rose into the streets. The mayor said the government would build "
    "a stronger sea wall next year."
)
MALAY = (
    "Kerajaan negeri akan membina taman baharu pada tahun hadapan. Menteri berkata projek itu "
    "akan siap dalam tempoh dua tahun. Penduduk kampung gembira dengan berita tersebut kerana "
    "mereka tidak mempunyai tempat beriadah."
)
JAVANESE = (
    "Aku arep lunga menyang pasar karo ibuku sesuk esuk. Wong-wong padha teka ing omahe pak "
    "lurah wingi sore. Banyune kali gedhe banget nganti mlebu ing omah-omah warga."
)


def _languages(text: str) -> language.Languages:
    return language.identify([s.text for s in segment(text).sentences])


# --- identification ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "code"),
    [(ARTICLE, "id"), (ENGLISH, "en"), (MALAY, "ms"), (JAVANESE, "jv")],
)
def test_a_documents_language(text: str, code: str) -> None:
    found = _languages(text)
    assert found.document == code
    assert set(found.sentences) == {code}


def test_an_english_sentence_of_an_indonesian_article_is_english_and_the_rest_indonesian() -> None:
    document = segment(MIXED)
    found = _languages(MIXED)
    assert found.document == "id"
    english = [
        s.text for s, code in zip(document.sentences, found.sentences, strict=True) if code == "en"
    ]
    assert english == [QUOTE]  # "pilot project untuk smart city" stays Indonesian


def test_a_short_sentence_takes_the_documents_language() -> None:
    # Too little evidence: "Smart city" and "Selamat pagi" alone are not trusted.
    assert language.identify(["Smart city", "Selamat pagi"]) == language.Languages(
        "id", ("id", "id")
    )
    found = language.identify([*(s.text for s in segment(ENGLISH).sentences), "Selamat pagi"])
    assert found.sentences[-1] == "en"


def test_notices() -> None:
    assert language.notice("id") is None
    assert "close enough to Indonesian" in (language.notice("ms") or "")
    assert "English (en), not Indonesian" in (language.notice("en") or "")
    assert "Javanese" in (language.notice("jv") or "")


def test_identification_stays_offline(tmp_path: Path) -> None:
    # A fresh process whose sockets all fail: the model is read from the installed package.
    script = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('no network in this test')\n"
        "socket.socket = refuse; socket.create_connection = refuse\n"
        "from translate_cli.segment import language\n"
        "words = ['This is a sentence written in plain English words.']\n"
        "print(language.identify(words).document)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "en"


def test_the_cached_model_decides_as_the_bundled_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRANSLATE_CLI_CACHE_DIR", str(tmp_path))
    assert language._cached_model() is None  # nothing cached yet: the bundled model is read
    language.identify(["warm up"])
    bundled = language._model[0]
    language._save(bundled)
    cached = language._cached_model()
    assert cached is not None
    for text in (ARTICLE, ENGLISH, MALAY, JAVANESE, QUOTE, "Selamat pagi"):
        assert cached.classify(text) == bundled.classify(text)


# --- the pipeline -----------------------------------------------------------------------------
def test_an_english_sentence_is_kept_flagged_and_not_sent_to_the_engine() -> None:
    hooks = RecordingHooks()
    report = Pipeline(engine="fake", hooks=hooks).translate(MIXED)
    quote = next(item for item in report.sentences if item.sentence.text == QUOTE)
    assert quote.translation == QUOTE  # not "EN …": the engine never saw it
    assert quote.flags == (quality.KEPT_ENGLISH,)
    assert quote.language == "en"
    others = [item for item in report.sentences if item is not quote]
    assert all(item.translation == fake_translation(item.sentence.text) for item in others)
    assert all(quality.KEPT_ENGLISH not in item.flags for item in others)
    assert hooks.notices == []  # an Indonesian article: nothing to say


def test_translate_all_sends_the_english_sentence_to_the_engine() -> None:
    report = Pipeline(engine="fake", translate_all=True).translate(MIXED)
    quote = next(item for item in report.sentences if item.sentence.text == QUOTE)
    assert quote.translation == fake_translation(QUOTE)
    assert quality.KEPT_ENGLISH not in quote.flags


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        (ENGLISH, "en", "English (en), not Indonesian"),
        (JAVANESE, "jv", "Javanese (jv), not Indonesian"),
        (MALAY, "ms", "close enough to Indonesian to translate"),
    ],
)
def test_another_language_is_noticed_once_and_still_translated(
    text: str, code: str, words: str
) -> None:
    hooks = RecordingHooks()
    report = Pipeline(engine="fake", hooks=hooks).run(text)
    assert len(hooks.notices) == 1 and words in hooks.notices[0]
    assert report.language == code
    # Processed as asked: every sentence through the engine (an English article too).
    assert all(
        item.translation == fake_translation(item.sentence.text) for item in report.sentences
    )
    assert not any(item.flags for item in report.sentences)


def test_a_summary_keeps_an_english_pick_as_written_and_says_so() -> None:
    hooks = RecordingHooks()
    # --ratio 1: every candidate is a pick, the planted English quote too.
    report = Pipeline(engine="fake", hooks=hooks).summarize(MIXED, ratio=1.0)
    assert report.language == "id" and hooks.notices == []
    assert report.summary is not None
    pick = next(item for item in report.summary if item.source == QUOTE)
    assert pick.translation == QUOTE  # not "EN …": the engine never saw it
    quote = next(item for item in report.sentences if item.sentence.text == QUOTE)
    assert (quote.translation, quote.flags, quote.language) == (
        QUOTE,
        (quality.KEPT_ENGLISH,),
        "en",
    )
    others = [item for item in report.summary if item.source != QUOTE and item.index is not None]
    assert others and all(item.translation == fake_translation(item.source) for item in others)
    assert {item.language for item in report.sentences if item is not quote} == {"id"}
    whole = Pipeline(engine="fake", translate_all=True).summarize(MIXED, ratio=1.0)
    assert whole.summary is not None
    sent = next(item for item in whole.summary if item.source == QUOTE)
    assert sent.translation == fake_translation(QUOTE)


@pytest.mark.parametrize("translate", [True, False])
def test_a_summary_of_an_english_article_is_noticed(translate: bool) -> None:
    hooks = RecordingHooks()
    # No model for --no-translate: the language model is not the translation model.
    pipeline = Pipeline(
        engine="fake" if translate else "ctranslate2", model="/nowhere", hooks=hooks
    )
    report = pipeline.summarize(ENGLISH, translate=translate)
    assert len(hooks.notices) == 1 and "English (en), not Indonesian" in hooks.notices[0]
    assert report.language == "en"
    assert {item.language for item in report.sentences} == {"en"}
    assert report.summary
    expected = [fake_translation(i.source) if translate else None for i in report.summary]
    assert [item.translation for item in report.summary] == expected


# --- the command line -------------------------------------------------------------------------
def test_json_has_meta_language_and_each_sentences_language(tmp_path: Path) -> None:
    source = tmp_path / "mixed.txt"
    source.write_text(MIXED, encoding="utf-8")
    result = invoke("translate", str(source), "-f", "json", "--engine", "fake")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["meta"] == {"language": "id"}
    by_source = {s["source"]: s for s in out["sentences"]}
    assert by_source[QUOTE]["language"] == "en"
    assert by_source[QUOTE]["translation"] == QUOTE
    assert by_source[QUOTE]["flags"] == [quality.KEPT_ENGLISH]
    assert {s["language"] for s in out["sentences"] if s["source"] != QUOTE} == {"id"}
    sent = json.loads(
        invoke("translate", str(source), "-f", "json", "--engine", "fake", "--translate-all").stdout
    )
    quote = next(s for s in sent["sentences"] if s["source"] == QUOTE)
    assert quote["translation"] == fake_translation(QUOTE) and quote["flags"] == []


def test_an_english_article_gets_one_notice_line_on_stderr(tmp_path: Path) -> None:
    source = tmp_path / "english.txt"
    source.write_text(ENGLISH, encoding="utf-8")
    result = invoke("translate", str(source), "-f", "jsonl", "--engine", "fake")
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "not Indonesian" in line]
    assert len(lines) == 1 and "English" in lines[0]
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["translation"] for r in records] == [fake_translation(r["source"]) for r in records]


def test_ranked_gives_the_likeliest_languages_best_first() -> None:
    found = language.ranked(
        "Presiden Joko Widodo meresmikan jalan tol baru di Jawa Tengah pada hari Senin."
    )
    assert found[0][0] == "id"
    assert len(found) == 3
    assert all(code in language.CANDIDATES for code, _ in found)
    probabilities = [p for _, p in found]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0 < sum(probabilities) <= 1.0 + 1e-9
    english = language.ranked(
        "The president opened a new toll road in Central Java on Monday.", most=1
    )
    assert [code for code, _ in english] == ["en"]
