"""The outlet (house-style) classifier: run time, its use by the rankers, and its training."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.summarize.test_extractive import CONTENT, build
from translate_cli.segment import segment
from translate_cli.summarize.extractive import Summarizer, load_weights
from translate_cli.summarize.features import FEATURE_NAMES
from translate_cli.summarize.paragraphs import PARAGRAPH_ESTIMATES
from translate_cli.summarize.prepare import prepare
from translate_cli.summarize.styles import EDGE, StyleModel, gated, style_tokens

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import train_summarizer  # noqa: E402

STORED = {
    "outlets": ["alpha", "beta", "gamma"],
    "bias": [0.0, 0.5, -0.5],
    "tokens": {"^alpha": [4.0, 0.0, 0.0], "gol": [0.0, 2.0, -1.0], "$(red)": [0.0, 0.0, 0.0]},
}


def _softmax(scores: list[float]) -> list[float]:
    exps = [math.exp(s) for s in scores]
    return [e / sum(exps) for e in exps]


def test_tokens_are_words_and_marks_once_with_the_edges_marked() -> None:
    tokens = style_tokens("Alpha - Gol, gol! Sekali lagi gol (red)")
    assert {"alpha", "-", "gol", ",", "!", "(", "red", ")"} <= tokens
    assert {"^alpha", "^-", "^gol", "^,"} <= tokens and "^!" not in tokens  # the first EDGE
    assert {"$lagi", "$gol", "$(", "$red", "$)"} >= {t for t in tokens if t[0] == "$"}
    assert len([t for t in tokens if t[0] == "$"]) == EDGE
    assert style_tokens("") == set()


def test_probabilities_are_the_softmax_of_bias_plus_the_tokens_present() -> None:
    model = StyleModel(STORED)
    assert model.names == ("style:alpha", "style:beta", "style:gamma")
    assert model.probabilities("Tidak ada apa-apa.") == pytest.approx(_softmax([0.0, 0.5, -0.5]))
    # "^alpha" only where alpha is among the first EDGE tokens; "gol" counts once however often
    # it appears.
    assert model.probabilities("Alpha - gol gol gol.") == pytest.approx(_softmax([4.0, 2.5, -1.5]))
    assert model.probabilities("Kata mereka tadi soal alpha, gol.") == pytest.approx(
        _softmax([0.0, 2.5, -1.5])
    )


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=200))
def test_probabilities_always_sum_to_one(text: str) -> None:
    probabilities = StyleModel(STORED).probabilities(text)
    assert len(probabilities) == 3 and math.fsum(probabilities) == pytest.approx(1.0)
    assert all(0.0 <= p <= 1.0 for p in probabilities)


@pytest.mark.parametrize(
    "stored",
    [
        {**STORED, "outlets": ["alpha"], "bias": [0.0], "tokens": {}},  # one outlet
        {**STORED, "outlets": ["alpha", "alpha", "beta"]},  # repeated
        {**STORED, "bias": [0.0, 0.0]},
        {**STORED, "tokens": {"gol": [1.0, 2.0]}},
    ],
)
def test_a_malformed_style_model_is_refused(stored: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="summariser styles"):
        StyleModel(stored)


def test_body_is_the_text_after_the_heading_lines() -> None:
    text = "Banjir Rendam Jakarta\nAlpha - " + " ".join(CONTENT[:4])
    prepared = prepare(segment(text))
    assert prepared.title is not None and prepared.title.text == "Banjir Rendam Jakarta"
    assert prepared.body.strip() == text[len("Banjir Rendam Jakarta\n") :]
    # So the outlet's dateline is at the start of the body even under a title.
    assert "^alpha" in style_tokens(prepared.body)


def _styled_weights() -> dict[str, object]:
    """Rank the lead first for outlet alpha and the last sentence first otherwise (a tree on
    the style feature), with and without paragraph breaks."""
    alpha_tree = {
        "split": [["style:alpha", 0.5, 1, 2], ["pos_rel", 0.99, -1, -2], ["pos_0", 0.5, -3, -4]],
        "leaf": [0.0, 1.0, 0.0, 1.0],
    }

    def model(names: tuple[str, ...]) -> dict[str, object]:
        return {"weights": dict.fromkeys(names, 0.0), "trees": [alpha_tree]}

    styled = ("style:alpha", "style:beta", "style:gamma")
    return {
        "styles": STORED,
        "models": {"1": model((*FEATURE_NAMES, *styled))},
        "unparagraphed": {
            "breaks": [{"split": [], "leaf": [0.0]}],
            "models": {"1": model((*FEATURE_NAMES, *PARAGRAPH_ESTIMATES, *styled))},
        },
    }


@pytest.mark.parametrize("paragraphs", [[CONTENT[:3], CONTENT[3:6]], [CONTENT[:6]]])
def test_rankers_read_the_outlet_probabilities(paragraphs: list[list[str]]) -> None:
    summarizer = Summarizer(_styled_weights())
    plain = build(paragraphs)
    assert summarizer.style_probabilities(prepare(plain))[0] < 0.5
    assert [p.index for p in summarizer(plain, sentences=1).picks] == [5]
    dated = build([["Alpha - " + paragraphs[0][0], *paragraphs[0][1:]], *paragraphs[1:]])
    assert summarizer.style_probabilities(prepare(dated))[0] > 0.5
    assert [p.index for p in summarizer(dated, sentences=1).picks] == [0]


def test_models_must_name_the_style_features() -> None:
    weights = _styled_weights()
    with pytest.raises(ValueError, match="missing"):
        Summarizer({**weights, "models": {"1": {"weights": dict.fromkeys(FEATURE_NAMES, 0.0)}}})
    # And a model reading style features needs the classifier that makes them.
    del weights["styles"]
    with pytest.raises(ValueError, match="unknown"):
        Summarizer(weights)


def test_shipped_classifier_knows_the_datelines() -> None:
    weights = load_weights()
    summarizer = Summarizer(weights)
    outlets = StyleModel(weights["styles"]).outlets
    body = " ".join(CONTENT[:6])
    for dateline, outlet in [
        ("Jakarta, CNN Indonesia -- ", "cnn indonesia"),
        ("Merdeka.com - ", "merdeka"),
        ("Suara.com - ", "suara"),
        ("Jakarta (ANTARA News) - ", "antaranews"),
    ]:
        probabilities = summarizer.style_probabilities(prepare(segment(dateline + body)))
        assert outlets[probabilities.index(max(probabilities))] == outlet, dateline
    for group in ("models", "unparagraphed"):
        models = weights[group] if group == "models" else weights[group]["models"]
        for model in models.values():
            assert {f"style:{o}" for o in outlets} <= set(model["weights"])


# --- training ----------------------------------------------------------------------------------


def _outlet_texts(count: int) -> list[tuple[str, str]]:
    """Three outlets, each with its dateline and a word of its own, over shared sentences."""
    marks = {"alpha": ("Alpha -", "gawang"), "beta": ("Beta -", "saham"), "gamma": ("", "film")}
    pairs = []
    for k in range(count):
        outlet = sorted(marks)[k % 3]
        dateline, word = marks[outlet]
        body = " ".join(CONTENT[(k + j) % len(CONTENT)] for j in range(4))
        pairs.append((f"{dateline} {body} Soal {word} itu.".strip(), outlet))
    return pairs


def test_fit_styles_learns_the_outlets_and_stores_them_compactly() -> None:
    pytest.importorskip("scipy", reason="scipy comes with the dev extra (lightgbm)")
    pairs = _outlet_texts(60)
    stored = train_summarizer.fit_styles(pairs)
    assert stored is not None and stored["outlets"] == ["alpha", "beta", "gamma"]
    assert len(stored["tokens"]) <= train_summarizer.STYLE_TOKENS
    model = StyleModel(stored)
    for text, outlet in _outlet_texts(9):
        probabilities = model.probabilities(text.replace(CONTENT[0], CONTENT[-1]))
        assert model.outlets[probabilities.index(max(probabilities))] == outlet
    assert train_summarizer.fit_styles([(t, "alpha") for t, _ in pairs]) is None


def test_style_estimates_come_from_a_classifier_that_did_not_see_the_article() -> None:
    pytest.importorskip("scipy", reason="scipy comes with the dev extra (lightgbm)")
    pairs = _outlet_texts(30)
    estimates = train_summarizer.style_estimates(pairs, folds=4)
    for fold in range(4):  # every fold holds all three outlets (article k is outlet k % 3)
        stored = train_summarizer.fit_styles([p for k, p in enumerate(pairs) if k % 4 != fold])
        assert stored is not None
        model = StyleModel(stored)
        for k in range(fold, len(pairs), 4):
            assert estimates[k] == model.probabilities(pairs[k][0])


def test_row_outlets_need_every_source() -> None:
    rows = [{"paragraphs": [[s]], "text": s, "source": "alpha"} for s in CONTENT[:3]]
    assert [o for _, o in train_summarizer.row_outlets(rows)] == ["alpha"] * 3
    assert train_summarizer.row_outlets([*rows, {"paragraphs": [["x"]], "text": "x"}]) == []


# --- unseen outlets ----------------------------------------------------------------------------


def test_below_the_confidence_the_house_style_is_unknown() -> None:
    assert gated([0.2, 0.8], 0.9) == [0.0, 0.0]
    assert gated([0.05, 0.95], 0.9) == [0.05, 0.95]
    assert gated([0.5, 0.5], 0.0) == [0.5, 0.5]  # no confidence stored: always used
    sure = StyleModel({**STORED, "confidence": 0.9})
    dated = "Alpha - " + CONTENT[0]  # alpha's dateline: about 0.96 alpha
    assert max(sure.probabilities(dated)) >= 0.9
    assert sure.features(dated) == sure.probabilities(dated)
    plain = CONTENT[0]  # no outlet's mark: the bias alone, far from sure
    assert max(sure.probabilities(plain)) < 0.9
    assert sure.features(plain) == [0.0, 0.0, 0.0]
    assert StyleModel(STORED).features(plain) == StyleModel(STORED).probabilities(plain)


def test_rankers_see_no_house_style_when_the_classifier_is_unsure() -> None:
    weights = _styled_weights()
    summarizer = Summarizer({**weights, "styles": {**STORED, "confidence": 0.99}})
    dated = build([["Alpha - " + CONTENT[0], *CONTENT[1:3]], CONTENT[3:6]])
    assert summarizer.style_probabilities(prepare(dated))[0] > 0.9
    # Alpha at 0.95 is below 0.99: the alpha tree reads 0 and ranks the last sentence first.
    assert summarizer.style_features(prepare(dated)) == [0.0, 0.0, 0.0]
    assert [p.index for p in summarizer(dated, sentences=1).picks] == [5]
    assert [p.index for p in Summarizer(weights)(dated, sentences=1).picks] == [0]


def test_training_drops_the_house_style_of_unsure_and_some_sure_articles() -> None:
    pytest.importorskip("lightgbm", reason="lightgbm comes with the dev extra")
    rows = [
        {
            "id": f"a{k}",
            "paragraphs": [[f"{'Alpha - ' if k % 2 else 'Beta - '}{CONTENT[k % 6]}"], CONTENT[6:9]],
            "summary_text": CONTENT[k % 6],
            "source": "alpha" if k % 2 else "beta",
        }
        for k in range(24)
    ]
    for row in rows:
        row["text"] = "\n\n".join(" ".join(p) for p in row["paragraphs"])
    seen: list[list[list[float]]] = []
    real = train_summarizer._scorer

    def spy(examples, l2, trees, names):  # type: ignore[no-untyped-def]
        seen.append([e.features[0][-2:] for e in examples])
        return real(examples, l2, trees, names)

    train_summarizer._scorer = spy
    try:
        weights = train_summarizer.fit(
            {3: [train_summarizer.article_example(r) for r in rows]},
            trees=0,
            outlets=train_summarizer.row_outlets(rows),
            style_confidence=0.5,
            style_dropout=3,
        )
    finally:
        train_summarizer._scorer = real
    assert weights["styles"]["confidence"] == 0.5
    styles = seen[0]
    assert all(styles[k] == [0.0, 0.0] for k in range(0, 24, 3))  # one in three dropped
    kept = [s for k, s in enumerate(styles) if k % 3]
    assert kept and all(s == [0.0, 0.0] or max(s) >= 0.5 for s in kept)
    assert any(max(s) >= 0.5 for s in kept)
