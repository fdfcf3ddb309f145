"""The extractive summariser's features: one numeric vector per candidate sentence.

Each family module registers functions under the names of the features they compute
(:class:`~translate_cli.summarize.features.family.Family`); :data:`FAMILIES` below is the one
table that orders them, and :data:`FEATURE_NAMES` follows it. The model in
``summarize/data/weights.json`` refers to features by name and reads the columns in this
order, so a new feature goes at the end of the table (and the weights are retrained). The word
lists the features consult are plain text in ``summarize/data/``. The training script
(``tools/train_summarizer.py``) calls the same functions, so training and run time cannot drift
apart.
"""

from __future__ import annotations

from translate_cli.summarize.features import (
    entities,
    information,
    length,
    position,
    quotes,
    shape,
    similarity,
)
from translate_cli.summarize.features.article import Article
from translate_cli.summarize.features.family import Family
from translate_cli.summarize.prepare import Prepared

__all__ = ["FAMILIES", "FEATURE_NAMES", "Article", "feature_table", "featurize"]

# The column order of the shipped weights: the families as first written, then the features
# added since, each from its own family.
FAMILIES: tuple[Family, ...] = (
    position.PLACE,
    length.LENGTH,
    position.DATELINES,
    similarity.CONTENT,
    entities.NAMES_AND_NUMBERS,
    quotes.QUOTATION,
    quotes.ATTRIBUTION,
    entities.DATES,
    shape.SHAPE,
    similarity.ARTICLE,
    position.WORD_SHARE,
    length.BANDS,
    length.DOCUMENT_SIZE,
    entities.NAME_START,
    quotes.MOSTLY_QUOTED,
    information.FIRST_MENTIONS,
    information.MAIN_NAMES,
    information.DECISIONS,
    information.SPEAKERS,
)
_GROUPS = tuple(group for family in FAMILIES for group in family.groups)

FEATURE_NAMES: tuple[str, ...] = tuple(name for family in FAMILIES for name in family.names)
"""Every feature's name, in the order of :func:`featurize`'s rows."""

if len(set(FEATURE_NAMES)) != len(FEATURE_NAMES):
    raise ValueError("a feature name is registered twice")


def featurize(prepared: Prepared) -> list[list[float]]:
    """One feature vector per candidate, ordered as :data:`FEATURE_NAMES`."""
    article = Article(prepared)
    rows: list[list[float]] = []
    for i in range(article.n):
        row: list[float] = []
        for names, function in _GROUPS:
            values = function(article, i)
            if len(values) != len(names):
                raise ValueError(f"features {names} computed {len(values)} values")
            row.extend(float(v) for v in values)
        rows.append(row)
    return rows


def feature_table(prepared: Prepared) -> list[dict[str, float]]:
    """:func:`featurize` with each value under its feature's name (for inspection)."""
    return [dict(zip(FEATURE_NAMES, row, strict=True)) for row in featurize(prepared)]
