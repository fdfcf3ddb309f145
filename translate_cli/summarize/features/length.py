"""How long the sentence is, and the article."""

from __future__ import annotations

import math
from collections.abc import Sequence

from translate_cli.summarize.features.article import Article
from translate_cli.summarize.features.family import Family, flag

__all__ = ["BANDS", "DOCUMENT_SIZE", "LENGTH"]

LENGTH = Family("length")
BANDS = Family("length bands")
DOCUMENT_SIZE = Family("article size")


@LENGTH.feature("len_log")
def _len_log(article: Article, i: int) -> float:
    return math.log1p(len(article.tokens[i]))


@LENGTH.feature("len_short")
def _len_short(article: Article, i: int) -> float:
    return flag(len(article.tokens[i]) <= 7)


@LENGTH.feature("len_long")
def _len_long(article: Article, i: int) -> float:
    return flag(len(article.tokens[i]) >= 35)


@LENGTH.feature("len_over_30")
def _len_over_30(article: Article, i: int) -> float:
    return len(article.tokens[i]) / 30.0


@LENGTH.feature("len_rel")
def _len_rel(article: Article, i: int) -> float:
    return len(article.tokens[i]) / article.mean_len


@LENGTH.feature("doc_len_log_x_pos_inv")
def _doc_len_log_x_pos_inv(article: Article, i: int) -> float:
    return math.log(article.n) / (i + 1)


@BANDS.features("len_1_10", "len_11_20", "len_21_30", "len_31_45", "len_46_plus")
def _length_band(article: Article, i: int) -> Sequence[float]:
    length = len(article.tokens[i])
    bands = [0.0] * 5
    bands[
        0
        if length <= 10
        else 1
        if length <= 20
        else 2
        if length <= 30
        else 3
        if length <= 45
        else 4
    ] = 1.0
    return bands


@DOCUMENT_SIZE.features("doc_short", "doc_long")
def _document_size(article: Article, i: int) -> Sequence[float]:
    """Articles of at most 6 candidates, of at least 20."""
    return flag(article.n <= 6), flag(article.n >= 20)
