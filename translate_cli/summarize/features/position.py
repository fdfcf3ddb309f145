"""Where the sentence stands: in the article, in its paragraph, after a dateline."""

from __future__ import annotations

from collections.abc import Sequence

from translate_cli.summarize.features.article import Article
from translate_cli.summarize.features.family import Family, flag

__all__ = ["DATELINES", "PLACE", "WORD_SHARE"]

PLACE = Family("place in the article and in its paragraph")
DATELINES = Family("a dateline at the top")
WORD_SHARE = Family("share of the article's words before")


@PLACE.features(
    "pos_0", "pos_1", "pos_2", "pos_3", "pos_4", "pos_5", "pos_6", "pos_7", "pos_8_9", "pos_10_plus"
)  # fmt: skip
def _position(article: Article, i: int) -> Sequence[float]:
    slots = [0.0] * 10
    slots[i if i < 8 else (8 if i < 10 else 9)] = 1.0
    return slots


@PLACE.feature("pos_rel")
def _pos_rel(article: Article, i: int) -> float:
    return i / (article.n - 1) if article.n > 1 else 0.0


@PLACE.feature("pos_inv")
def _pos_inv(article: Article, i: int) -> float:
    return 1.0 / (i + 1)


@PLACE.features("para_0", "para_1", "para_2", "para_3_plus")
def _paragraph(article: Article, i: int) -> Sequence[float]:
    slots = [0.0] * 4
    slots[min(article.paragraph_rank[i], 3)] = 1.0
    return slots


@PLACE.feature("first_in_para")
def _first_in_para(article: Article, i: int) -> float:
    return flag(article.in_paragraph[i][0] == 0)


@PLACE.feature("last_in_para")
def _last_in_para(article: Article, i: int) -> float:
    place, size = article.in_paragraph[i]
    return flag(place == size - 1)


@PLACE.feature("single_para")
def _single_para(article: Article, i: int) -> float:
    return flag(article.in_paragraph[i][1] == 1)


@PLACE.feature("in_para_rel")
def _in_para_rel(article: Article, i: int) -> float:
    place, size = article.in_paragraph[i]
    return place / (size - 1) if size > 1 else 0.0


@DATELINES.features("dateline_x_pos_0", "dateline_x_pos_1", "dateline_x_pos_2")
def _dateline_x_position(article: Article, i: int) -> Sequence[float]:
    return [article.dateline * flag(i == k) for k in range(3)]


@DATELINES.feature("had_dateline")
def _had_dateline(article: Article, i: int) -> float:
    return flag(article.candidates[i].had_dateline)


@WORD_SHARE.feature("word_pos_rel")
def _word_pos_rel(article: Article, i: int) -> float:
    """Share of the article's words before this sentence."""
    return article.words_before[i] / max(article.words_before[-1] + len(article.tokens[-1]), 1)
