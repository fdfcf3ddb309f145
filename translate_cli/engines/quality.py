"""Evidence a translation carries: its confidence score, its flags, and the degeneration guard.

The score is the model's mean log-probability per output token (<= 0): the tokens the model
chose, ``</s>`` included when the model chose to stop; an output stopped by its length cap has
no ``</s>`` of the model's own, so only its text tokens count. A sentence translated in pieces
gets the token-weighted mean of its pieces (the sum of log-probabilities over the sum of tokens).

The guard looks for outputs that are not translations but loops: a span of words repeated three
or more times in a row (``I'm sorry I'm sorry I'm sorry``) that the source does not repeat, an
output that ran to its cap from a short source, or one far longer than its source. A window's
such pieces are decoded again together, greedily, with ``no_repeat_ngram_size`` and
``repetition_penalty``, and the better of the two outputs kept (see ``better``; the batching is
``Seq2SeqEngine._retry``). Everything here is plain Python on short strings: it costs
microseconds a sentence, nothing next to decoding.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# The documented set of flags, in the order they are shown.
LOW_CONFIDENCE = "low-confidence"
REPETITION = "repetition"
SPLIT = "split"
UNTRANSLATED = "untranslated"
TRUNCATED = "truncated-by-cap"
GLOSSARY_MISSED = "glossary-missed"
NAME_CHANGED = "name-changed"
NUMBER_MISMATCH = "number-mismatch"
KEPT_ENGLISH = "kept-english"
FLAGS = (
    LOW_CONFIDENCE,
    REPETITION,
    SPLIT,
    UNTRANSLATED,
    TRUNCATED,
    GLOSSARY_MISSED,
    NAME_CHANGED,
    NUMBER_MISMATCH,
    KEPT_ENGLISH,
)
FLAG_HELP = {
    LOW_CONFIDENCE: "the model was unsure (score below the --flag-below threshold)",
    REPETITION: "the output looped; the guard decoded it again and kept the better output",
    SPLIT: "longer than the model's input limit: translated in pieces",
    UNTRANSLATED: "the output is essentially the source copied",
    TRUNCATED: "the output hit its length cap and may be cut short",
    GLOSSARY_MISSED: "a glossary term's target is missing from the output",
    NAME_CHANGED: "a protected name of the source is missing from the output",
    NUMBER_MISMATCH: "a number of the source is missing from the output",
    KEPT_ENGLISH: "already English: kept as written, not translated",
}

# Decoding options of the guard's second try (both engines support them). Greedy: the retry
# only has to find an output that does not loop, and one greedy pass over every loop of a
# window costs a fraction of the first beam search (docs/confidence.md), where a beam search
# a loop made the guard's worst case 4.5x the unguarded run.
RETRY_BEAM_SIZE = 1
RETRY_NO_REPEAT_NGRAM = 3
RETRY_REPETITION_PENALTY = 1.2

_MIN_REPEATS = 3  # "a span repeated three or more times": "persen persen persen"
_LONGEST_SPAN = 8  # words in the repeated span
_SHORT_SOURCE_TOKENS = 24  # a source this short never needs its whole output cap
_WORD = re.compile(r"\w+", re.UNICODE)
# Inside a word (scripts without spaces, subword loops such as "katkatkatkat"): a 2-12
# character span repeated four or more times.
_CHAR_LOOP = re.compile(r"(\w{2,12}?)\1{3,}")


@dataclass(frozen=True)
class Hypothesis:
    """One decoded piece: its text, the sum of its tokens' log-probabilities and how many
    tokens that sum covers (None when the engine gives no scores), and whether it hit its cap."""

    text: str
    log_prob: float | None = None
    tokens: int = 0
    capped: bool = False
    # The engine's output tokens, kept only where the guard may score them again later.
    output: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def score(self) -> float | None:
        if self.log_prob is None:
            return None
        return self.log_prob / self.tokens if self.tokens else 0.0


def longest_loop(words: Sequence[str]) -> int:
    """Words covered by the longest run of one span repeated back to back (0 when none repeats
    ``_MIN_REPEATS`` times). Linear in the words for each span length up to ``_LONGEST_SPAN``."""
    best = 0
    n = len(words)
    for span in range(1, _LONGEST_SPAN + 1):
        # run[i]: how many words from i on continue the period-``span`` pattern.
        length = 0
        for i in range(n - span - 1, -1, -1):
            length = length + 1 if words[i] == words[i + span] else 0
            covered = length + span
            if covered // span >= _MIN_REPEATS:
                best = max(best, covered - covered % span)
    return best


def _char_loop(text: str) -> int:
    """Characters covered by the longest in-word loop (0 when none)."""
    return max((len(m.group(0)) for m in _CHAR_LOOP.finditer(text.casefold())), default=0)


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)] or text.split()


def degeneration(source: str, source_tokens: int, hypothesis: Hypothesis) -> str | None:
    """Why ``hypothesis`` looks degenerate (a short reason), or None when it looks fine."""
    out, src = _words(hypothesis.text), _words(source)
    loop = longest_loop(out)
    if loop and loop > longest_loop(src):
        return f"a span repeated over {loop} words"
    inner = _char_loop(hypothesis.text)
    if inner and inner > _char_loop(source):
        return f"a span repeated over {inner} characters"
    if hypothesis.capped and source_tokens <= _SHORT_SOURCE_TOKENS:
        return "ran to its length cap from a short source"
    if len(out) > 2 * len(src) + 8:
        return f"{len(out)} words from {len(src)}"
    return None


def better(first: Hypothesis, second: Hypothesis, source: str, source_tokens: int) -> Hypothesis:
    """The guard's choice between the first decoding and its retry: a non-degenerate output
    beats a degenerate one (a loop often scores well: the model is sure of its repetition);
    when both degenerated the first stays (the retry did not help, and the first is the
    model's own unpenalised choice); when neither did, the higher score wins, the first on a
    tie. So a retry's score is only compared when it is clean: the guard scores those alone
    under the model again (``Seq2SeqEngine.score_outputs``)."""
    first_bad = degeneration(source, source_tokens, first) is not None
    second_bad = degeneration(source, source_tokens, second) is not None
    if first_bad != second_bad:
        return second if first_bad else first
    if first_bad or first.score is None or second.score is None:
        return first
    return second if second.score > first.score else first


def untranslated(source: str, output: str) -> bool:
    """The output is essentially the source copied (names alone are left alone: a source of
    three words or fewer is never flagged, "Jakarta" translates to "Jakarta")."""
    src, out = _words(source), _words(output)
    if len(src) <= 3 or not out:
        return False
    return difflib.SequenceMatcher(None, src, out, autojunk=False).ratio() >= 0.8


def combine(pieces: Sequence[Hypothesis]) -> tuple[float | None, int, float | None]:
    """(sum of log-probabilities, tokens, token-weighted mean score) over a sentence's pieces."""
    if not pieces or any(p.log_prob is None for p in pieces):
        return None, 0, None
    total = sum(p.log_prob or 0.0 for p in pieces)
    tokens = sum(p.tokens for p in pieces)
    return total, tokens, (total / tokens if tokens else 0.0)


def sentence_flags(
    source: str, output: str, pieces: Sequence[Hypothesis], retried: bool
) -> tuple[str, ...]:
    """The engine's flags for one sentence (``low-confidence`` is the reader's threshold and
    is added by the pipeline, see ``with_threshold``)."""
    flags: list[str] = []
    if retried:
        flags.append(REPETITION)
    if len(pieces) > 1:
        flags.append(SPLIT)
    if untranslated(source, output):
        flags.append(UNTRANSLATED)
    if any(p.capped for p in pieces):
        flags.append(TRUNCATED)
    return tuple(flags)


def with_threshold(flags: Sequence[str], score: float | None, flag_below: float) -> tuple[str, ...]:
    """``flags`` plus ``low-confidence`` when ``score`` is below ``flag_below``, in FLAGS order."""
    found = set(flags)
    if score is not None and score < flag_below:
        found.add(LOW_CONFIDENCE)
    return tuple(f for f in FLAGS if f in found) + tuple(sorted(found - set(FLAGS)))
