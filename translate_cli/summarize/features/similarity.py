"""What the sentence shares with the rest: centrality, overlap with the lead, novelty."""

from __future__ import annotations

from collections import Counter

from translate_cli.summarize.features.article import Article, cosine
from translate_cli.summarize.features.family import Family, flag

__all__ = ["ARTICLE", "CONTENT"]

CONTENT = Family("centrality and overlap")
ARTICLE = Family("relation to the whole article and to its first paragraph")


@CONTENT.feature("centrality")
def _centrality(article: Article, i: int) -> float:
    return article.centrality[i]


@CONTENT.feature("centrality_rank_top3")
def _centrality_rank_top3(article: Article, i: int) -> float:
    return flag(i in article.central_top3)


@CONTENT.feature("sim_lead")
def _sim_lead(article: Article, i: int) -> float:
    return article.sims[i][0] if i > 0 else 0.0


@CONTENT.feature("sim_lead3")
def _sim_lead3(article: Article, i: int) -> float:
    others = article.lead3 - article.content[i] if i < 3 else article.lead3
    return cosine(article.content[i], others)


@CONTENT.feature("sim_prev")
def _sim_prev(article: Article, i: int) -> float:
    return article.sims[i][i - 1] if i > 0 else 0.0


@CONTENT.feature("sim_next")
def _sim_next(article: Article, i: int) -> float:
    return article.sims[i][i + 1] if i + 1 < article.n else 0.0


@CONTENT.feature("max_sim")
def _max_sim(article: Article, i: int) -> float:
    return max((s for j, s in enumerate(article.sims[i]) if j != i), default=0.0)


@CONTENT.feature("lead_containment")
def _lead_containment(article: Article, i: int) -> float:
    bag = article.content[i]
    if not bag or i == 0:
        return 0.0
    return sum(1 for w in bag if w in article.content[0]) / len(bag)


@CONTENT.feature("top_words")
def _top_words(article: Article, i: int) -> float:
    top = article.top_words
    return sum(1 for w in article.content[i] if w in top) / max(len(top), 1)


@CONTENT.feature("topic_words")
def _topic_words(article: Article, i: int) -> float:
    bag = article.content[i]
    if not bag:
        return 0.0
    return sum(article.doc_freq[w] - 1 for w in bag) / (len(bag) * max(article.n - 1, 1))


@ARTICLE.feature("sim_doc")
def _sim_doc(article: Article, i: int) -> float:
    """Cosine with the rest of the article's content words (a centrality without pairs)."""
    return article.sim_doc[i]


@ARTICLE.feature("sim_doc_rank")
def _sim_doc_rank(article: Article, i: int) -> float:
    """Rank of ``sim_doc`` among the article's sentences, 1 for the best, towards 0 for the last."""
    return 1.0 - article.sim_doc_rank[i] / article.n


@ARTICLE.feature("sim_first_para")
def _sim_first_para(article: Article, i: int) -> float:
    """Cosine with the first paragraph's content words, this sentence's own left out."""
    own = article.content[i] if article.paragraph_rank[i] == 0 else Counter()
    return cosine(article.content[i], article.first_paragraph - own)


@ARTICLE.feature("novelty")
def _novelty(article: Article, i: int) -> float:
    """Share of content words no earlier sentence has used."""
    bag = article.content[i]
    if not bag:
        return 0.0
    return sum(1 for w in bag if article.first_seen[w] == i) / len(bag)
