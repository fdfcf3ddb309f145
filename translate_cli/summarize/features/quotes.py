"""Quotation and attribution: quoted speech, verbs of saying, the first person."""

from __future__ import annotations

from translate_cli.summarize.features.article import Article
from translate_cli.summarize.features.family import Family, flag
from translate_cli.summarize.tokens import word_list

__all__ = ["ATTRIBUTION", "MOSTLY_QUOTED", "QUOTATION"]

_QUOTES = '"“”„«»'
QUOTATION = Family("quotation")
ATTRIBUTION = Family("attribution")
MOSTLY_QUOTED = Family("mostly quoted")


@QUOTATION.feature("quote_start")
def _quote_start(article: Article, i: int) -> float:
    return flag(article.texts[i][:1] in _QUOTES)


@QUOTATION.feature("quote_any")
def _quote_any(article: Article, i: int) -> float:
    return flag(any(q in article.texts[i] for q in _QUOTES))


@QUOTATION.feature("in_open_quote")
def _in_open_quote(article: Article, i: int) -> float:
    return flag(article.quotes[0][i])


@QUOTATION.feature("quote_frac")
def _quote_frac(article: Article, i: int) -> float:
    return article.quotes[1][i]


@ATTRIBUTION.feature("attribution")
def _attribution(article: Article, i: int) -> float:
    verbs = word_list("attribution_verbs")
    return flag(any(w in verbs for w in article.tokens[i]))


@ATTRIBUTION.feature("indirect_speech")
def _indirect_speech(article: Article, i: int) -> float:
    verbs = word_list("indirect_speech_verbs")
    return flag(any(w in verbs for w in article.tokens[i]))


@ATTRIBUTION.feature("first_person")
def _first_person(article: Article, i: int) -> float:
    pronouns = word_list("first_person")
    return flag(any(w in pronouns for w in article.tokens[i]))


@MOSTLY_QUOTED.feature("mostly_quoted")
def _mostly_quoted(article: Article, i: int) -> float:
    return flag(article.quotes[1][i] > 0.6)
