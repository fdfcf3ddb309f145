"""A vocabulary shortlist: for each source token, the target tokens a translation of it may use.

CTranslate2 can restrict the decoder's output layer, per batch, to the target tokens a
*vocabulary map* allows for the batch's source tokens (``translate_batch(use_vmap=True)``): on
an OPUS-MT model the output layer is 54,796 rows and over half of the decoder's work, so a
batch that may only choose among a few thousand tokens decodes faster. The map is a text file,
``vmap.txt`` in the converted model's folder, read when the model loads; each line is a source
n-gram, a tab, and the target tokens it allows, space-separated; the line whose source is empty
lists the tokens always allowed (CTranslate2 adds ``<unk>``, ``<s>`` and ``</s>`` itself).

``build`` makes one from Indonesian-English parallel text tokenised with the model's own
tokenizer: for each source token, the target tokens that co-occur with it most specifically
(Dice coefficient over sentence pairs), plus the token itself (names and numbers are copied),
plus the most frequent target tokens. No word alignment: co-occurrence is cheap, and its
errors only widen the list. A shortlist changes what the model may say, and its quality can
only be checked on a real model: it stays opt-in (``--shortlist``, docs/models.md).

The shortlist of a model is kept under the conversions folder, keyed by the checkpoint's
content (``<label>-<key>.vmap.txt``); an engine that uses it loads the conversion from a sibling
folder that adds it as ``vmap.txt`` (``install``).
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate_cli.errors import InputError, UsageError
from translate_cli.models.conversions import VMAP, model_label, temp_path
from translate_cli.models.files import content_digest
from translate_cli.paths import conversions_dir

PER_SOURCE = 30  # target tokens kept a source token (besides itself)
FREQUENT = 200  # target tokens always allowed
# Parallel text is read from outside: bounded per line and per file.
MAX_LINE_CHARS = 2_000
MAX_FILE_BYTES = 512 * 1024 * 1024


class ShortlistMissingError(UsageError):
    """``--shortlist`` asked for a model whose shortlist was never built."""


@dataclass(frozen=True)
class Shortlist:
    """Target tokens allowed for each source token, and those always allowed."""

    always: tuple[str, ...]
    by_source: dict[str, tuple[str, ...]]
    pairs: int  # sentence pairs it was built from

    def lines(self) -> Iterator[str]:
        """The ``vmap.txt`` lines (tokens holding a space or tab cannot be written: skipped)."""
        yield "\t" + " ".join(t for t in self.always if _writable(t))
        for source in sorted(self.by_source):
            if _writable(source):
                targets = [t for t in self.by_source[source] if _writable(t)]
                yield source + "\t" + " ".join(targets)

    def allowed(self, sources: Iterable[str]) -> set[str]:
        """What a batch with these source tokens may output (as CTranslate2 reads the map,
        unigram keys only, special tokens aside)."""
        found = set(self.always)
        for token in sources:
            found.update(self.by_source.get(token, ()))
        return found


def _writable(token: str) -> bool:
    return bool(token) and not any(c in token for c in " \t\n\r")


def read_parallel(paths: Sequence[Path]) -> Iterator[tuple[str, str]]:
    """Sentence pairs from each path: a ``.tsv`` of ``source<TAB>target`` lines, or a source
    file whose target is the file beside it with the ``.en`` suffix (``news.id`` and
    ``news.en``, line for line)."""
    for path in paths:
        if path.suffix == ".tsv":
            for line in _lines(path):
                source, tab, target = line.partition("\t")
                if tab and source.strip() and target.strip():
                    yield source.strip(), target.strip()
            continue
        english = path.with_suffix(".en")
        if english == path or not english.is_file():
            raise InputError(
                f"no English side for {path}",
                hint="give a .tsv of source<TAB>target lines, or NAME.id with NAME.en beside it",
            )
        for source, target in zip(_lines(path), _lines(english), strict=False):
            if source.strip() and target.strip():
                yield source.strip(), target.strip()


def _lines(path: Path) -> Iterator[str]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{path} is over {MAX_FILE_BYTES >> 20} MiB")
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                yield line.rstrip("\n")[:MAX_LINE_CHARS]
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None


class _TargetTokenizer:
    """English text to the model's target tokens: ``target.spm`` pieces for OPUS-MT (as
    ``MarianTokenizer`` tokenises targets), else the source codec's pieces (one shared
    sentencepiece model: NLLB-200, M2M100), without special or language tokens."""

    def __init__(self, model_dir: Path, codec: Any) -> None:
        self.codec = codec
        self.spm: Any = None
        vocab_file = model_dir / "vocab.json"
        if (model_dir / "target.spm").is_file() and vocab_file.is_file():
            import sentencepiece as spm

            self.spm = spm.SentencePieceProcessor(model_file=str(model_dir / "target.spm"))
            self.vocab = frozenset(json.loads(vocab_file.read_text(encoding="utf-8")))

    def vocabulary(self) -> frozenset[str]:
        """Every target token known here (OPUS-MT's shared ``vocab.json``; else none)."""
        return self.vocab if self.spm is not None else frozenset()

    def tokens(self, text: str) -> list[str]:
        if self.spm is not None:
            return [p for p in self.spm.encode(text, out_type=str) if p in self.vocab]
        return _content_tokens(self.codec.encode(text))


def _content_tokens(tokens: Sequence[str]) -> list[str]:
    """Tokens without ``</s>``, ``<unk>`` and language codes such as ``ind_Latn``/``__id__``."""
    return [t for t in tokens if not _special(t)]


def _special(token: str) -> bool:
    return (token.startswith("<") and token.endswith(">")) or _language(token)


def _language(token: str) -> bool:
    return (token.startswith("__") and token.endswith("__")) or (
        len(token) == 8 and token[3] == "_" and token[:3].isalpha() and token[:3].islower()
    )


def build(
    model_dir: Path,
    pairs: Iterable[tuple[str, str]],
    *,
    per_source: int = PER_SOURCE,
    frequent: int = FREQUENT,
) -> Shortlist:
    """The shortlist of ``model_dir`` from parallel ``pairs`` (see the module docstring)."""
    import numpy as np

    from translate_cli.models.family import open_family

    codec = open_family(model_dir).load_codec(model_dir)
    targets = _TargetTokenizer(model_dir, codec)
    ids: dict[str, int] = {}
    names: list[str] = []

    def index(token: str) -> int:
        found = ids.get(token)
        if found is None:
            found = ids[token] = len(names)
            names.append(token)
        return found

    keys: list[Any] = []  # source id * 2^32 + target id, once a sentence pair
    source_counts: dict[int, int] = {}
    target_counts: dict[int, int] = {}  # sentences holding the token
    target_total: dict[int, int] = {}  # occurrences, for the always-allowed list
    count = 0
    for source, target in pairs:
        source_ids = {index(t) for t in _content_tokens(codec.encode(source))}
        target_tokens = [index(t) for t in targets.tokens(target)]
        if not source_ids or not target_tokens:
            continue
        count += 1
        target_ids = set(target_tokens)
        for s in source_ids:
            source_counts[s] = source_counts.get(s, 0) + 1
        for t in target_ids:
            target_counts[t] = target_counts.get(t, 0) + 1
        for t in target_tokens:
            target_total[t] = target_total.get(t, 0) + 1
        s_array = np.fromiter(source_ids, dtype=np.int64)
        t_array = np.fromiter(target_ids, dtype=np.int64)
        keys.append((s_array[:, None] << 32 | t_array[None, :]).ravel())
    if not count:
        raise InputError("no sentence pairs found in the parallel text")
    unique, together = np.unique(np.concatenate(keys), return_counts=True)
    by_source: dict[int, list[tuple[float, int, int]]] = {}
    for key, both in zip(unique.tolist(), together.tolist(), strict=True):
        s, t = key >> 32, key & 0xFFFFFFFF
        dice = 2 * both / (source_counts[s] + target_counts[t])
        heap = by_source.setdefault(s, [])
        item = (dice, both, -t)  # ties: more co-occurrences, then the earlier token (-t)
        if len(heap) < per_source:
            heapq.heappush(heap, item)
        elif item > heap[0]:
            heapq.heapreplace(heap, item)
    always = heapq.nlargest(frequent, target_total, key=lambda t: (target_total[t], -t))
    shortlist = {
        names[s]: tuple(
            dict.fromkeys([names[s], *(names[-neg] for _, _, neg in sorted(heap, reverse=True))])
        )
        for s, heap in by_source.items()
    }
    # A source token the parallel text never showed may still be copied (a name, a number):
    # it allows itself.
    for token in targets.vocabulary():
        if token not in shortlist and not _special(token):
            shortlist[token] = (token,)
    return Shortlist(tuple(names[t] for t in always), shortlist, count)


# --- where a model's shortlist is kept ----------------------------------------------------------
def source_key(model_dir: Path) -> str:
    """The checkpoint's content (every file's name and digest): a re-downloaded or changed
    model needs its shortlist built again, a copy elsewhere does not."""
    digest = hashlib.sha256()
    for path in sorted(model_dir.iterdir()):
        if not path.name.startswith(".") and path.is_file():
            digest.update(f"\0{path.name}\0{content_digest(path)}".encode())
    return digest.hexdigest()[:16]


def shortlist_path(model_dir: Path) -> Path:
    return conversions_dir() / f"{model_label(model_dir)}-{source_key(model_dir)}.{VMAP}"


def save(model_dir: Path, shortlist: Shortlist) -> Path:
    """Write ``shortlist`` as ``model_dir``'s vocabulary map (atomically); its path."""
    final = shortlist_path(model_dir)
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path(final.parent, final.name)
    try:
        temp.write_text("\n".join(shortlist.lines()) + "\n", encoding="utf-8")
        os.replace(temp, final)
    finally:
        temp.unlink(missing_ok=True)
    return final


def remove_shortlist(model_dir: Path) -> int:
    """Delete ``model_dir``'s shortlist, if one was built; the bytes freed."""
    try:
        path = shortlist_path(model_dir)
        size = path.stat().st_size
        path.unlink()
    except OSError:
        return 0
    return size


def built_shortlist(model_dir: Path) -> Path:
    """Where ``model_dir``'s shortlist is; ``ShortlistMissingError`` when none was built."""
    built = shortlist_path(model_dir)
    if not built.is_file():
        raise ShortlistMissingError(
            f"no vocabulary shortlist was built for {model_dir}",
            hint="run: translate-cli models shortlist MODEL PARALLEL_TEXT...",
        )
    return built


def install(model_dir: Path, conversion: Path) -> Path:
    """A folder CTranslate2 loads ``conversion`` from with ``model_dir``'s shortlist as its
    ``vmap.txt`` (read at load time): a sibling of the conversion holding hard links to its
    files (copies where links cannot be made) and the map, made once per shortlist content.
    The conversion itself never holds a map, which CTranslate2 would parse at every load
    (a tenth of a second on a 2 MB map) with or without ``--shortlist``.
    ``ShortlistMissingError`` when no shortlist was built."""
    built = built_shortlist(model_dir)
    try:
        wanted = built.read_bytes()
        digest = hashlib.sha256(wanted).hexdigest()[:12]
        final = conversion.parent / f"{conversion.name}-shortlist-{digest}"
        if not (final / VMAP).is_file():
            temp = temp_path(conversion.parent, final.name)
            try:
                temp.mkdir()
                for file in conversion.iterdir():
                    if file.is_file():
                        _link_or_copy(file, temp / file.name)
                (temp / VMAP).write_bytes(wanted)
                # Whole or absent: a concurrent run's finished copy may already be there.
                with contextlib.suppress(OSError):
                    temp.rename(final)
            finally:
                shutil.rmtree(temp, ignore_errors=True)
        if (final / VMAP).read_bytes() != wanted:
            raise OSError(f"{final / VMAP} differs from {built}")
    except OSError as error:
        raise UsageError(
            f"cannot put the vocabulary shortlist beside {conversion}: "
            f"{getattr(error, 'strerror', None) or error}",
            hint="set TRANSLATE_CLI_CACHE_DIR to a writable folder, or drop --shortlist",
        ) from None
    return final


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


__all__ = [
    "FREQUENT",
    "PER_SOURCE",
    "VMAP",
    "Shortlist",
    "ShortlistMissingError",
    "build",
    "built_shortlist",
    "install",
    "read_parallel",
    "save",
    "shortlist_path",
]
