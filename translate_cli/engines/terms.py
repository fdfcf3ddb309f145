"""Glossary terms and protected names, enforced around any translator (docs/terms.md).

A glossary is a UTF-8 TSV file, ``source<TAB>target`` a line (``#`` starts a comment; an empty
target or ``=`` keeps the source as written). Names are protected like "keep" entries unless
the glossary maps them: a capitalised name after an honorific or title (``H. Sutiaji``,
``Pak Budi``), an acronym (``OPD``), a capitalised word or run of words the document repeats.

``TermsLayer`` makes sure each target reaches the English, whatever the model:

1. the sentence goes to the model with every term already replaced by its target text;
2. a target missing from the output is repaired when the output holds it in another case or
   still holds the source term as written (a copied ``Pemkot``);
3. a sentence still missing a target is decoded again another way (the original sentence;
   for a kept name, which step 1 already sent as written, the name in quotation marks), and
   repaired the same way;
4. a target missing from both is flagged (``glossary-missed`` for a glossary term,
   ``name-changed`` for a protected name), named in the layer's ``missed`` record: never a
   silent miss.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translate_cli.engines.base import (
    EvidenceTranslator,
    ProgressCallback,
    Translation,
    Translator,
    TranslatorLayer,
    translations,
)
from translate_cli.engines.quality import GLOSSARY_MISSED, NAME_CHANGED
from translate_cli.errors import UsageError

if TYPE_CHECKING:
    from translate_cli.config import Settings

KEEP = "="  # a target that keeps the source as written


@dataclass(frozen=True)
class Term:
    """``source`` → ``target``; ``name`` marks a protected name rather than a glossary entry.

    An entry written in lower case matches in any case; one with a capital matches only as
    written (``Malang`` the city, not ``malang`` "unlucky"). A target is kept as written.
    """

    source: str
    target: str
    name: bool = False

    @property
    def case_sensitive(self) -> bool:
        return self.source != self.source.lower()

    @property
    def flag(self) -> str:
        return NAME_CHANGED if self.name else GLOSSARY_MISSED


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()
    digest: str | None = None  # the file's content hash; None without a glossary

    def maps(self, text: str) -> bool:
        """Does an entry cover ``text`` (so a name found there keeps the glossary's target)?"""
        return any(_pattern(t).search(text) for t in self.terms)


def parse_glossary(text: str, name: str = "glossary") -> Glossary:
    """The entries of a glossary file's text; ``UsageError`` names a line that is not one."""
    terms: dict[str, Term] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        source, tab, target = line.partition("\t")
        source, target = source.strip(), target.strip()
        if not tab or not source:
            raise UsageError(
                f"{name}: line {number}: expected source<TAB>target, got {line.strip()!r}"
            )
        terms[source] = Term(source, source if target in ("", KEEP) else target)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return Glossary(tuple(terms.values()), digest)


def load_glossary(path: str) -> Glossary:
    """The glossary file ``path`` names (``--glossary``); an empty path is no glossary."""
    if not path:
        return Glossary()
    try:
        text = Path(path).expanduser().read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"--glossary: {path} is not UTF-8 (bad byte at offset {error.start})"
        ) from None
    except OSError as error:
        raise UsageError(f"--glossary: cannot read {path}: {error.strerror or error}") from None
    return parse_glossary(text, path)


def glossary_digest(settings: Settings) -> str | None:
    """What the translation memory, a batch folder and eval key on: the glossary's content
    hash (None without one) and whether names are protected."""
    digest = load_glossary(settings.glossary).digest
    return f"{digest or 'none'}:names={'on' if settings.keep_names else 'off'}"


# --- protected names ----------------------------------------------------------------------
_UPPER = "A-ZÀ-Ý"
_ABBREVIATED = r"(?:H|Hj|Dr|Ir|Drs|Dra|Prof|KH|St)\."
_TITLES = (
    r"(?:Pak|Bu|Bapak|Ibu|Walikota|Wali Kota|Wakil Walikota|Bupati|Gubernur|Camat|Lurah"
    r"|Menteri|Presiden|Kepala Dinas|Kadis|Sekda|Direktur)\s+"
)
_HONORIFICS = rf"(?:(?<!\w){_ABBREVIATED}\s*|(?<!\w){_TITLES})"
_WORD = rf"(?!{_ABBREVIATED})[{_UPPER}][\w'’]*+"
_NAME = rf"{_WORD}(?:\s+{_WORD})*"
_AFTER_TITLE = re.compile(rf"{_HONORIFICS}((?:{_HONORIFICS})*{_NAME})")
_ACRONYM = re.compile(rf"(?<!\w)[{_UPPER}]{{2,}}\w*(?!\w)")
_CAPITALISED = re.compile(rf"(?<!\w){_NAME}(?!\w)")
# Capitalised words that are not names: calendar words and titles the model should translate.
_NOT_NAME_WORDS = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember "
    "Senin Selasa Rabu Kamis Jumat Sabtu Minggu Kota Kabupaten Provinsi Dinas Kepala Pak Bu "
    "Bapak Ibu Walikota Wali Wakil Bupati Gubernur Pemerintah Ketua Menurut Selain Namun "
    "Sementara"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


def protected_names(texts: Iterable[str]) -> tuple[str, ...]:
    """The names to keep in ``texts`` (a document's sentences): a capitalised name after an
    honorific or title, an acronym, a capitalised word or run of words used twice or more
    away from a sentence's start; longest first."""
    found: set[str] = set()
    repeated: Counter[str] = Counter()
    for text in texts:
        for match in _AFTER_TITLE.finditer(text):
            found.add(_strip_titles(match.group(1)))
        found.update(m.group(0) for m in _ACRONYM.finditer(text))
        first = re.search(r"\w", text)
        for match in _CAPITALISED.finditer(text):
            words = match.group(0).split()
            if first is not None and match.start() == first.start() and len(words) == 1:
                continue  # a sentence's first word is capitalised anyway
            while words and words[0] in _NOT_NAMES:
                words = words[1:]
            if words:
                repeated[" ".join(words)] += 1
    found.update(name for name, count in repeated.items() if count >= 2)
    kept = {n for n in found if n and n not in _NOT_NAMES}
    return tuple(sorted(kept, key=lambda n: (-len(n), n)))


def _strip_titles(name: str) -> str:
    while True:
        match = re.match(_HONORIFICS, name)
        if match is None:
            return name
        name = name[match.end() :]


# --- matching -----------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _pattern(term: Term) -> re.Pattern[str]:
    # Word boundaries, so "OPD" is not found in "OPDs" and clitics stay on the source side:
    # "Pemkot-nya" holds "Pemkot" and its "-nya", "di Disperkim" holds "Disperkim".
    flags = 0 if term.case_sensitive else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(term.source)}(?!\w)", flags)


@functools.lru_cache(maxsize=4096)
def _target_pattern(term: Term) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(term.target)}(?!\w)")


@dataclass(frozen=True)
class Found:
    term: Term
    start: int
    end: int


def find_terms(text: str, terms: Iterable[Term]) -> list[Found]:
    """The terms in ``text``, in order; the longest wins where two overlap, then the first
    listed (glossary entries come before names)."""
    candidates = [
        Found(term, m.start(), m.end()) for term in terms for m in _pattern(term).finditer(text)
    ]
    candidates.sort(key=lambda f: (-(f.end - f.start), f.start))
    chosen: list[Found] = []
    for found in candidates:
        if all(found.end <= c.start or found.start >= c.end for c in chosen):
            chosen.append(found)
    return sorted(chosen, key=lambda f: f.start)


def with_targets(text: str, found: list[Found]) -> str:
    """``text`` with each found term replaced by its target text."""
    parts, position = [], 0
    for item in found:
        parts += [text[position : item.start], item.term.target]
        position = item.end
    return "".join([*parts, text[position:]])


def has_target(output: str, term: Term) -> bool:
    return _target_pattern(term).search(output) is not None


def repaired(output: str, found: list[Found], source: str) -> str:
    """``output`` with each missing target put back where the model left it in another case
    (``city government`` for ``City Government``) or copied the source term as written."""
    for item in found:
        term = item.term
        if has_target(output, term):
            continue
        for written in (term.target, source[item.start : item.end]):
            pattern = re.compile(rf"(?<!\w){re.escape(written)}(?!\w)", re.IGNORECASE)
            literal = term.target.replace("\\", "\\\\")  # a replacement, not a template
            output, count = pattern.subn(literal, output, count=1)
            if count:
                break
    return output


def another_way(source: str, sent: str, found: list[Found], output: str) -> str:
    """The sentence to decode again when ``sent`` lost a term: the original sentence (the terms
    as the author wrote them) when ``sent`` differed from it, else ``sent`` with each lost
    term in quotation marks, which translation models tend to copy through."""
    if sent != source:
        return source
    lost = set(missing(output, found))
    quoted = [replace(f, term=replace(f.term, target=f'"{f.term.target}"')) for f in found]
    return with_targets(source, [q for q, f in zip(quoted, found, strict=True) if f.term in lost])


def unquoted(output: str, found: list[Found]) -> str:
    """``output`` without the quotation marks ``another_way`` put around a term."""
    for item in found:
        for mark in ('"', "“", "'"):
            close = "”" if mark == "“" else mark
            output = output.replace(f"{mark}{item.term.target}{close}", item.term.target)
    return output


def missing(output: str, found: list[Found]) -> list[Term]:
    return list(dict.fromkeys(f.term for f in found if not has_target(output, f.term)))


# --- the layer ----------------------------------------------------------------------------
class TermsLayer(EvidenceTranslator, TranslatorLayer):
    """Enforces the glossary and the protected names around ``inner`` (see the module).

    The protected names depend on the whole document: the pipeline calls ``use_document``
    with a document's sentences before translating them. ``missed`` holds, for each source
    text whose output lacks a target, the terms it lacks (``glossary-missed: Pemkot``).
    """

    def __init__(self, inner: Translator, glossary: Glossary, keep_names: bool) -> None:
        super().__init__(inner)
        self.glossary = glossary
        self.keep_names = keep_names
        self.names: tuple[Term, ...] = ()
        self.missed: dict[str, tuple[Term, ...]] = {}
        self.retried = 0

    def __getattr__(self, name: str) -> Any:
        # What describes the engine (model_dir, compute_type, device, …) is the inner one's:
        # the translation memory's descriptor reads it through this layer.
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def terms(self) -> tuple[Term, ...]:
        """The glossary's entries, then the current document's protected names."""
        return (*self.glossary.terms, *self.names)

    def use_document(self, texts: Iterable[str]) -> None:
        """Protect the names of the document made of ``texts`` (until the next document)."""
        self.missed.clear()  # only the current document's misses are kept
        if not self.keep_names:
            return
        names = protected_names(texts)
        self.names = tuple(Term(n, n, name=True) for n in names if not self.glossary.maps(n))

    def translate_with_evidence(
        self, texts: Iterable[str], progress: ProgressCallback | None = None
    ) -> Iterator[Translation]:
        """Each output as soon as the model gives it, read lazily like the engines read. Once
        a sentence has lost a term, it and the outputs after it are held (at most
        ``RETRY_WINDOW``) so that the second decodes go to the model as one batch."""
        terms = self.terms()
        read: deque[tuple[str, list[Found], str]] = deque()

        def sent() -> Iterator[str]:
            for text in texts:
                found = find_terms(text, terms) if terms else []
                read.append((text, found, with_targets(text, found)))
                yield read[-1][2]

        held: list[_Checked] = []
        for output in translations(self.inner, sent(), progress):
            checked = _checked(*read.popleft(), output)
            if not held and not checked.lacking:
                yield self._flagged(checked)
                continue
            held.append(checked)
            if len(held) >= RETRY_WINDOW:
                yield from self._settled(held)
                held = []
        yield from self._settled(held)

    def _settled(self, held: list[_Checked]) -> Iterator[Translation]:
        """``held`` in order, each sentence that lost a term decoded again (all in one call)
        and given the better of its two outputs."""
        again = [c for c in held if c.lacking]
        self.retried += len(again)
        retries = [another_way(c.text, c.sent, c.found, c.output.text) for c in again]
        seconds = iter(translations(self.inner, retries) if retries else ())
        for checked in held:
            if checked.lacking:
                checked = checked.better(next(seconds))
            yield self._flagged(checked)

    def _flagged(self, checked: _Checked) -> Translation:
        """The output, flagged for each term it still lacks (recorded in ``missed``)."""
        output, lacking = checked.output, checked.lacking
        if not lacking:
            return output
        self.missed[checked.text] = tuple(lacking)
        flags = tuple(dict.fromkeys((*output.flags, *(t.flag for t in lacking))))
        return replace(output, flags=flags)


# Outputs held behind a sentence waiting for its second decode. Decoded one at a time, the
# second decodes of a run that lost every name took 2.7x the run without name protection
# (benchmarks/checks.py, random weights); in batches of this many they cost what a batch does.
RETRY_WINDOW = 32


@dataclass(frozen=True)
class _Checked:
    """A sentence's output, repaired, with the terms it still lacks."""

    text: str  # the source sentence
    found: list[Found]
    sent: str  # what went to the model (the terms replaced by their targets)
    output: Translation
    lacking: list[Term]

    def better(self, second: Translation) -> _Checked:
        """This, or the second decode when it lacks fewer terms."""
        second_text = second.text
        if self.sent == self.text:  # the names were quoted: the quotes go again
            second_text = unquoted(second_text, self.found)
        second = replace(second, text=repaired(second_text, self.found, self.text))
        lacking = missing(second.text, self.found)
        if len(lacking) < len(self.lacking):
            return replace(self, output=second, lacking=lacking)
        return self


def _checked(text: str, found: list[Found], sent: str, output: Translation) -> _Checked:
    output = replace(output, text=repaired(output.text, found, text))
    return _Checked(text, found, sent, output, missing(output.text, found))


def with_terms(translator: Translator, settings: Settings) -> Translator:
    """``translator`` behind the glossary and the name protection the settings ask for, or as
    it is when neither is on."""
    glossary = load_glossary(settings.glossary)
    if not glossary.terms and not settings.keep_names:
        return translator
    return TermsLayer(translator, glossary, settings.keep_names)


def terms_layer(translator: Translator) -> TermsLayer | None:
    """The terms layer among ``translator``'s layers (the memory wraps it), if any."""
    layer: object = translator
    while isinstance(layer, TranslatorLayer):
        if isinstance(layer, TermsLayer):
            return layer
        layer = layer.inner
    return None


def use_document(translator: Translator, texts: Iterable[str]) -> None:
    """Tell ``translator``'s terms layer, if it has one, which document comes next."""
    layer = terms_layer(translator)
    if layer is not None:
        layer.use_document(texts)


def missed_terms(
    translator: Translator, source: str, english: str | None = None
) -> dict[str, tuple[str, ...]]:
    """The terms of ``source`` whose target ``english`` lacks, by flag (``glossary-missed``,
    ``name-changed``), each named as the source writes it. Checked on ``english`` itself, so
    an answer from the translation memory is checked too; without ``english``, what the
    layer recorded when it translated ``source``."""
    layer = terms_layer(translator)
    if layer is None:
        return {}
    if english is None:
        lacking: Iterable[Term] = layer.missed.get(source, ())
    else:
        lacking = missing(english, find_terms(source, layer.terms()))
    found: dict[str, tuple[str, ...]] = {}
    for term in lacking:
        found[term.flag] = (*found.get(term.flag, ()), term.source)
    return found


__all__ = [
    "Glossary",
    "Term",
    "TermsLayer",
    "find_terms",
    "glossary_digest",
    "load_glossary",
    "missed_terms",
    "parse_glossary",
    "protected_names",
    "terms_layer",
    "use_document",
    "with_terms",
]
