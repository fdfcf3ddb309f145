"""House style: which of the training outlets an article's writing resembles.

IndoSum's reference summaries follow each outlet's habits: a CNN Indonesia or Juara.net
summary is mostly the first three sentences, a DailySocial one reaches far past them. Those
habits are visible in the text itself (``Jakarta, CNN Indonesia --`` and ``Suara.com -``
datelines, ``[tmi]`` editor tags, DailySocial's closing line, a sports or startup vocabulary),
so a small multinomial logistic regression over the article's tokens, trained with the
summariser (``tools/train_summarizer.py`` ``fit_styles``) and shipped in ``data/weights.json``,
gives the probability of each outlet, and the rankers read those probabilities as
article-level features (``style:<outlet>``). Cross-validated on IndoSum
(``benchmarks/summary.py``, three sentences, ROUGE-1 over LEAD-3) they took the summariser from
+4.97 to +5.18 with the data's paragraph breaks and from +4.65 to +5.09 without them. An
article from an outlet the data does not have gets a soft mix of the ones it resembles.

Unseen outlets. Trained with one outlet left out, the rankers that trusted these
probabilities lost most on that outlet (DailySocial +8.46 -> +3.00 ROUGE-1 over LEAD-3, issue
28): an article from elsewhere gets a mix of the outlets it resembles and is ranked by their
habits. So the classifier has a ``confidence``: when no outlet reaches it, :meth:`features`
gives all zeros, the "house style unknown" mode, and the rankers are trained with that mode
too (``tools/train_summarizer.py``: every article the out-of-fold classifier is unsure of,
and a fixed share of the others, its outlet dropped), so they rank by what the sentences say.

Tokens are the lowercased words and punctuation marks of the article body (after any heading
lines, so a title does not hide how the body starts), each counted once, plus the first and
last :data:`EDGE` of them marked ``^`` and ``$`` (where datelines and editor tags sit).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["EDGE", "StyleModel", "gated", "outlet_rows", "style_tokens"]

_TOKEN = re.compile(r"\w+|[^\w\s]")
EDGE = 4


def style_tokens(text: str) -> set[str]:
    """The classifier's tokens of ``text`` (see the module docstring)."""
    tokens = _TOKEN.findall(text.lower())
    return {*tokens, *("^" + t for t in tokens[:EDGE]), *("$" + t for t in tokens[-EDGE:])}


class StyleModel:
    """A stored outlet classifier: ``{"outlets": [...], "bias": [...], "tokens": {token:
    [weight per outlet]}}``; the score of an outlet is its bias plus the weights of the
    tokens present, and :meth:`probabilities` is their softmax."""

    def __init__(self, stored: Mapping[str, Any]) -> None:
        self.outlets = tuple(str(o) for o in stored["outlets"])
        width = len(self.outlets)
        if width < 2 or len(set(self.outlets)) != width:
            raise ValueError("summariser styles need at least two distinct outlets")
        self.bias = tuple(float(b) for b in stored["bias"])
        self.tokens = {
            str(token): tuple(float(w) for w in weights)
            for token, weights in stored["tokens"].items()
        }
        if len(self.bias) != width or any(len(w) != width for w in self.tokens.values()):
            raise ValueError("summariser styles: a weight vector does not match the outlets")
        # 0 (older weights): the probabilities are always used.
        self.confidence = float(stored.get("confidence", 0.0))

    @property
    def names(self) -> tuple[str, ...]:
        """The feature names of :meth:`probabilities`, one per outlet."""
        return tuple(f"style:{outlet}" for outlet in self.outlets)

    def probabilities(self, text: str) -> list[float]:
        """Per outlet, the probability that ``text`` is written in its house style."""
        scores = list(self.bias)
        for token in sorted(style_tokens(text) & self.tokens.keys()):
            for k, weight in enumerate(self.tokens[token]):
                scores[k] += weight
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = math.fsum(exps)
        return [e / total for e in exps]

    def features(self, text: str) -> list[float]:
        """What the rankers read: :meth:`probabilities`, or all zeros (house style unknown)
        when no outlet reaches the classifier's ``confidence``."""
        return gated(self.probabilities(text), self.confidence)


def gated(probabilities: Sequence[float], confidence: float) -> list[float]:
    """``probabilities``, or all zeros when their largest is below ``confidence``."""
    if probabilities and max(probabilities) >= confidence:
        return list(probabilities)
    return [0.0] * len(probabilities)


def outlet_rows(
    features: Sequence[Sequence[float]], probabilities: Sequence[float]
) -> list[list[float]]:
    """Each candidate's feature row with the article's outlet probabilities after it."""
    return [[*row, *probabilities] for row in features]
