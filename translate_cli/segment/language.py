"""Which language a document and each of its sentences are in (py3langid's bundled model).

The model ships inside the ``py3langid`` package: nothing is downloaded. It takes about a
second to decompress, so the first load keeps its arrays (cut down to ``CANDIDATES``)
uncompressed in the cache folder, and ``prefetch()`` loads in a thread while the translation
model loads; ``identify`` waits for it.

Short sentences are hard to tell apart (``Selamat pagi`` reads as Malay, a name list as
anything), so a sentence gets a language of its own only with enough evidence: at least
``MIN_WORDS`` words and a confidence of at least ``MIN_CONFIDENCE``. Otherwise it takes the
document's language. The document needs the same evidence over its whole text, else it is
taken to be Indonesian.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from translate_cli.paths import cache_dir

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

__all__ = [
    "ENGLISH",
    "INDONESIAN",
    "MALAY",
    "Languages",
    "identify",
    "notice",
    "prefetch",
    "ranked",
]

INDONESIAN = "id"
ENGLISH = "en"
MALAY = "ms"
# Languages a text given to an Indonesian translator plausibly is: restricting the model to
# them keeps short Indonesian text from reading as some distant language.
CANDIDATES = ("id", "ms", "jv", "en", "nl", "de", "fr", "es", "pt", "it", "tl", "ar", "zh")
NAMES = {
    "id": "Indonesian",
    "ms": "Malay",
    "jv": "Javanese",
    "en": "English",
    "nl": "Dutch",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "pt": "Portuguese",
    "it": "Italian",
    "tl": "Tagalog",
    "ar": "Arabic",
    "zh": "Chinese",
}
MIN_WORDS = 4
MIN_CONFIDENCE = 0.9
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Languages:
    """A document's language and one per sentence (ISO 639-1 codes)."""

    document: str
    sentences: tuple[str, ...]


def identify(texts: Sequence[str]) -> Languages:
    """The languages of a document given as its sentences' texts."""
    model = _identifier()
    document = _decide(model, " ".join(texts), INDONESIAN)
    return Languages(document, tuple(_decide(model, text, document) for text in texts))


def ranked(text: str, most: int = 3) -> list[tuple[str, float]]:
    """The ``most`` likeliest of the ``CANDIDATES`` for ``text`` with their probabilities
    (0 to 1), best first: what a caller that reports confidence (a server's ``/detect``)
    shows; ``identify`` decides with the same model."""
    return [(str(code), float(p)) for code, p in _identifier().rank(text)[:most]]


def notice(language: str) -> str | None:
    """The one line a run prints about a document in ``language``; None for Indonesian."""
    if language == INDONESIAN:
        return None
    name = NAMES.get(language, language)
    if language == MALAY:
        return f"the text looks {name} (ms): close enough to Indonesian to translate"
    return f"the text looks {name} ({language}), not Indonesian; translating it as asked"


def prefetch() -> None:
    """Start loading the model in the background (idempotent)."""
    with _lock:
        if _loader[0] is None:
            thread = threading.Thread(target=_load_quietly, name="language-model", daemon=True)
            _loader[0] = thread
            thread.start()


def _decide(model: LanguageIdentifier, text: str, fallback: str) -> str:
    if len(_WORD.findall(text)) < MIN_WORDS:
        return fallback
    language, confidence = model.classify(text)
    return str(language) if confidence >= MIN_CONFIDENCE else fallback


_lock = threading.Lock()
_loader: list[threading.Thread | None] = [None]
_model: list[LanguageIdentifier] = []


def _load() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    cached = _cached_model()
    if cached is not None:
        _model.append(cached)
        return
    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(list(CANDIDATES))
    _model.append(model)
    with contextlib.suppress(OSError):  # a read-only cache only costs the next run time
        _save(model)


# The bundled model is xz-compressed (about a second to read); its arrays, cut down to the
# CANDIDATES, are kept uncompressed in the cache folder and read back in a few hundredths.
def _cache_file() -> Path:
    from importlib.metadata import version

    key = f"py3langid-{version('py3langid')}-{'-'.join(CANDIDATES)}.npz"
    return cache_dir() / "language" / key


def _save(model: LanguageIdentifier) -> None:
    import numpy as np

    path = _cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.npz")
    np.savez(
        partial,
        ptc=np.asarray(model.nb_ptc),
        pc=np.asarray(model.nb_pc),
        classes=np.array(model.nb_classes),
        nextmove=np.frombuffer(model.tk_nextmove, dtype=model.tk_nextmove.typecode),
        row=np.frombuffer(model.tk_row, dtype=model.tk_row.typecode),
        output=np.asarray(model.tk_output, dtype=np.int32),
    )
    os.replace(partial, path)


def _cached_model() -> LanguageIdentifier | None:
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    try:
        with np.load(_cache_file(), allow_pickle=False) as data:
            nextmove, row = data["nextmove"], data["row"]
            return LanguageIdentifier(
                data["ptc"],
                data["pc"],
                data["classes"].tolist(),
                array(nextmove.dtype.char, nextmove.tobytes()),
                data["output"].tolist(),
                norm_probs=True,
                tk_row=array(row.dtype.char, row.tobytes()),
            )
    except (OSError, KeyError, ValueError):  # absent or unreadable: read the bundled model
        return None


def _load_quietly() -> None:
    # A failure here shows again in identify(), which then loads in the caller's thread.
    with contextlib.suppress(Exception):
        _load()


def _identifier() -> LanguageIdentifier:
    prefetch()
    thread = _loader[0]
    assert thread is not None
    thread.join()
    if not _model:  # the thread failed: load here, so that its error surfaces
        _load()
    return _model[0]
