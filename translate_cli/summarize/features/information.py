"""What the sentence brings to the article, wherever it stands: names and numbers it is the
first to mention, the article's main names it covers, decisions and targets it reports, who
speaks its quote, and whether it only lists who was present.

These say what a sentence says rather than where it stands, so they carry over to outlets
whose habits the training data never showed (issue 28: leave-one-outlet-out evaluation).
A name is a capitalised word that does not open the sentence (lowercased; stopwords out).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from translate_cli.summarize.features.article import Article
from translate_cli.summarize.features.family import Family, flag
from translate_cli.summarize.tokens import word_list, words

__all__ = ["DECISIONS", "FIRST_MENTIONS", "MAIN_NAMES", "SPEAKERS"]

FIRST_MENTIONS = Family("names and numbers first mentioned")
MAIN_NAMES = Family("the article's main names")
DECISIONS = Family("decisions, targets and years")
SPEAKERS = Family("who speaks, who attends")

_NUMBER = re.compile(r"\d[\d.,]*")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_QUOTES = '"“”„«»'


@FIRST_MENTIONS.features("new_names_log", "new_name_share", "new_numbers_log", "new_words_share")
def _first_mentions(article: Article, i: int) -> Sequence[float]:
    names = article.names[i]
    before = article.words_earlier[i]
    # A name is new when some word of it appears in no earlier sentence, in any case.
    new = sum(1 for name in names if not set(words(name)) <= before)
    total = len(names)
    numbers = {n.strip(".,") for n in _NUMBER.findall(article.texts[i])}
    new_numbers = sum(1 for n in numbers if n and n not in before)
    content = article.content[i]
    fresh = sum(1 for w in content if w not in before) / len(content) if content else 0.0
    return (math.log1p(new), new / total if total else 0.0, math.log1p(new_numbers), fresh)


@MAIN_NAMES.features("main_name_coverage", "main_names_new", "main_name_count")
def _main(article: Article, i: int) -> Sequence[float]:
    main = article.main_names
    if not main:
        return (0.0, 0.0, 0.0)
    here = article.names[i] & main
    earlier: set[str] = set().union(*article.names[:i])
    return (len(here) / len(main), float(len(here - earlier)), float(len(here)))


@DECISIONS.features("decision_verb", "decision_count", "year_mention", "future")
def _decisions(article: Article, i: int) -> Sequence[float]:
    verbs = word_list("decision_verbs")
    hits = sum(1 for w in article.tokens[i] if w in verbs)
    tokens = article.tokens[i]
    return (
        flag(hits),
        math.log1p(hits),
        flag(_YEAR.search(article.texts[i])),
        flag("akan" in tokens or "bakal" in tokens),
    )


@SPEAKERS.features("quote_named_speaker", "quote_pronoun_speaker", "presence", "name_list")
def _speakers(article: Article, i: int) -> Sequence[float]:
    text = article.texts[i]
    tokens = article.tokens[i]
    quoted = any(q in text for q in _QUOTES) or article.quotes[0][i]
    attributed = any(w in word_list("attribution_verbs") for w in tokens)
    pronoun = any(w in word_list("speech_suffix_verbs") for w in tokens)
    names = len(article.names[i])
    # A roll call: names separated by commas ("Kepala Dinas …, Zulkifli; Kabag Humas, …").
    separators = text.count(",") + text.count(";")
    return (
        flag(quoted and attributed and not pronoun and names),
        flag(quoted and pronoun),
        flag(any(w in word_list("presence_words") for w in tokens)),
        min(separators, names) / article.n_words(i),
    )
