"""Names, numbers and dates in the sentence."""

from __future__ import annotations

import math

from translate_cli.summarize.features.article import Article
from translate_cli.summarize.features.family import Family, flag
from translate_cli.summarize.tokens import mentions_date, stopwords

__all__ = ["DATES", "NAMES_AND_NUMBERS", "NAME_START"]

NAMES_AND_NUMBERS = Family("names and numbers")
DATES = Family("dates")
NAME_START = Family("opens with a name")


@NAMES_AND_NUMBERS.feature("ne_ratio")
def _ne_ratio(article: Article, i: int) -> float:
    return article.capitalised(i) / article.n_words(i)


@NAMES_AND_NUMBERS.feature("ne_count_log")
def _ne_count_log(article: Article, i: int) -> float:
    return math.log1p(article.capitalised(i))


@NAMES_AND_NUMBERS.feature("has_number")
def _has_number(article: Article, i: int) -> float:
    return flag(article.numbers(i))


@NAMES_AND_NUMBERS.feature("number_ratio")
def _number_ratio(article: Article, i: int) -> float:
    return article.numbers(i) / article.n_words(i)


@DATES.feature("date_mention")
def _date_mention(article: Article, i: int) -> float:
    return flag(mentions_date(article.texts[i]))


@NAME_START.feature("name_start")
def _name_start(article: Article, i: int) -> float:
    """Opens with a capitalised content word and another follows: "Ketua MPR Zulkifli …"."""
    raw = article.texts[i].split()[:3]
    if len(raw) < 2 or not raw[0][:1].isupper() or raw[0].lower() in stopwords():
        return 0.0
    return flag(raw[1][:1].isupper())
