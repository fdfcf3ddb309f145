"""How the sentence opens and ends, and what it is made of (stopwords, web addresses)."""

from __future__ import annotations

from translate_cli.summarize.features.article import Article
from translate_cli.summarize.features.family import Family, flag
from translate_cli.summarize.tokens import phrase_list, stopwords, word_list

__all__ = ["SHAPE"]

SHAPE = Family("how the sentence opens and ends")


@SHAPE.feature("lowercase_start")
def _lowercase_start(article: Article, i: int) -> float:
    return flag(article.texts[i][:1].islower())


@SHAPE.feature("connective_start")
def _connective_start(article: Article, i: int) -> float:
    lowered = article.texts[i].lower()
    return flag(any(_starts_with(lowered, c) for c in phrase_list("connectives")))


@SHAPE.feature("pronoun_start")
def _pronoun_start(article: Article, i: int) -> float:
    ws = article.tokens[i]
    return flag(ws and ws[0] in word_list("pronouns"))


@SHAPE.feature("question")
def _question(article: Article, i: int) -> float:
    return flag(article.texts[i].endswith("?"))


@SHAPE.feature("exclamation")
def _exclamation(article: Article, i: int) -> float:
    return flag(article.texts[i].endswith("!"))


@SHAPE.feature("colon_end")
def _colon_end(article: Article, i: int) -> float:
    return flag(article.texts[i].endswith(":"))


@SHAPE.feature("has_paren")
def _has_paren(article: Article, i: int) -> float:
    return flag("(" in article.texts[i])


@SHAPE.feature("stopword_ratio")
def _stopword_ratio(article: Article, i: int) -> float:
    stop = stopwords()
    return sum(1 for w in article.tokens[i] if w in stop) / article.n_words(i)


@SHAPE.feature("web_marker")
def _web_marker(article: Article, i: int) -> float:
    text = article.texts[i]
    lowered = text.lower()
    return flag("http" in lowered or "www." in lowered or "@" in text)


def _starts_with(lowered: str, phrase: str) -> bool:
    return lowered.startswith(phrase) and (
        len(lowered) == len(phrase) or not lowered[len(phrase)].isalnum()
    )
