"""Score our Indonesian sentence splitter against open peers on rebuilt running text.

Documents are rebuilt from the one-sentence-a-line parallel sets: FLORES-200 dev and devtest
(grouped by source URL in ``metadata_*.tsv``), NTREX-128 dev (``ntrex128-dev.docids``) and
TICO-19 test (``tico19-test.info``). Sentences are joined by one space, except that a sentence
without final punctuation (a headline) ends its line. Boundaries are compared as counts of
non-whitespace characters, so a splitter's whitespace handling does not matter.

Usage (from the repository root)::

    .venv/bin/python benchmarks/segmentation.py [--data ../shared/data/parallel]
        [--only ours,pysbd] [--errors ours --set ntrex --limit 30] [--indosum]

Prints, per set and splitter, boundary F1 (micro over all boundaries) and the share of
documents segmented exactly, plus the seconds each splitter took. Then our figures for NTREX dev
laid out as news text comes, the headline on the first line and then one paragraph a line
(``lay_out`` says how; ``--lines`` prints only these): boundary F1, paragraph breaks kept and
right, and how often the summariser's title is the headline. Peers that are not
installed are skipped (``pip install -e '.[bench]'``). ``--indosum`` adds IndoSum dev articles
as a rough extra check: their sentences were split by a tool that breaks after "Rp." or
"Sdr.", so its gold is not ours; paragraph breaks there are given, not scored.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from translate_cli.segment import segment  # noqa: E402

DEFAULT_DATA = REPO / ".." / "shared" / "data" / "parallel"
DEFAULT_INDOSUM = REPO / ".." / "shared" / "data" / "summarization" / "indosum-dev.jsonl"
_CLOSERS = "\"'”’»)]} \t"
_FINAL = ".!?…"


@dataclass(frozen=True)
class Doc:
    name: str
    text: str
    gold: frozenset[int]  # boundaries as non-whitespace characters before them
    given: frozenset[int] = frozenset()  # paragraph breaks: every splitter gets them, not scored


def build_doc(name: str, sentences: Iterable[str]) -> Doc:
    """Join sentences by a space; one without final punctuation (a headline) ends its line."""
    parts: list[str] = []
    gold: set[int] = set()
    count = 0
    for sentence in (s.strip() for s in sentences):
        if not sentence:
            continue
        if parts:
            gold.add(count)
            parts.append(" " if parts[-1].rstrip(_CLOSERS)[-1:] in _FINAL else "\n")
        parts.append(sentence)
        count += sum(1 for c in sentence if not c.isspace())
    return Doc(name, "".join(parts), frozenset(gold))


def build_paragraphs(name: str, paragraphs: list[list[str]]) -> Doc:
    """Paragraphs separated by a blank line, each built like ``build_doc``."""
    docs = [build_doc(name, p) for p in paragraphs if any(s.strip() for s in p)]
    text = "\n\n".join(d.text for d in docs)
    gold: set[int] = set()
    given: set[int] = set()
    offset = 0
    for doc in docs:
        if offset:
            given.add(offset)
        gold.update(offset + b for b in doc.gold)
        offset += sum(1 for c in doc.text if not c.isspace())
    return Doc(name, text, frozenset(gold), frozenset(given))


def load_indosum(path: Path) -> list[Doc]:
    """IndoSum articles: real Indonesian news with its paragraphs and (tool-made) sentences."""
    docs = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            article = json.loads(line)
            docs.append(build_paragraphs(f"indosum:{article['id']}", article["paragraphs"]))
    return docs


def _read_lines(path: Path) -> list[str]:
    # split("\n"), not splitlines(): the data holds U+2028 and friends inside sentences.
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


def _group(name: str, lines: list[str], keys: list[str]) -> list[Doc]:
    if len(lines) != len(keys):
        raise SystemExit(f"{name}: {len(lines)} sentences but {len(keys)} document keys")
    groups: dict[str, list[str]] = {}
    for line, key in zip(lines, keys, strict=True):
        groups.setdefault(key, []).append(line)
    return [build_doc(f"{name}:{key}", group) for key, group in groups.items()]


def load_sets(data: Path) -> dict[str, list[Doc]]:
    sets: dict[str, list[Doc]] = {}
    for split in ("dev", "devtest"):
        meta = _read_lines(data / f"metadata_{split}.tsv")[1:]
        urls = [row.split("\t", 1)[0] for row in meta]
        sets[f"FLORES {split}"] = _group(
            f"flores-{split}", _read_lines(data / f"flores200.{split}.id"), urls
        )
    docids = [line.strip() for line in _read_lines(data / "ntrex128-dev.docids")]
    sets["NTREX dev"] = _group("ntrex", _read_lines(data / "ntrex128-dev.id"), docids)
    info = [
        row.split("\t", 1)[0].rsplit(":", 1)[0] for row in _read_lines(data / "tico19-test.info")
    ]
    sets["TICO-19"] = _group("tico", _read_lines(data / "tico19-test.id"), info)
    return sets


# --- one paragraph a line: NTREX documents as news text is copied or scraped ------------------


@dataclass(frozen=True)
class Laid:
    """A document laid out for the line checks, with its gold structure."""

    text: str
    headline: str
    sentences: frozenset[int]  # sentence boundaries, as non-whitespace characters before them
    paragraphs: frozenset[int]  # paragraph breaks, the same way


def _flat(text: str) -> int:
    return sum(1 for c in text if not c.isspace())


def lay_out(sentences: list[str], layout: str) -> Laid:
    """The headline on the first line, then the body laid out as ``layout`` says.

    ``lines``: each sentence its own line (one paragraph a line, no blank lines);
    ``grouped``: sentences grouped into paragraphs of 1, 2, 3, 1, 2, 3… sentences joined by a
    space, a paragraph a line; ``wrapped``: the grouped paragraphs hard-wrapped at 70 columns,
    a blank line between paragraphs; ``wrapped-flat``: the same without blank lines (a
    paragraph break shows only where a paragraph's last line is short).
    """

    headline, body = sentences[0].strip(), [s.strip() for s in sentences[1:] if s.strip()]
    groups: list[list[str]] = []
    if layout == "lines":
        groups = [[s] for s in body]
    else:
        size, at = 1, 0
        while at < len(body):
            groups.append(body[at : at + size])
            at += size
            size = size % 3 + 1
    blocks = [" ".join(g) for g in groups]
    if layout.startswith("wrapped"):
        blocks = ["\n".join(textwrap.wrap(b, 70, break_on_hyphens=False)) for b in blocks]
    glue = "\n\n" if layout == "wrapped" else "\n"
    text = headline + "\n" + glue.join(blocks)
    cuts: set[int] = set()
    breaks: set[int] = set()
    count = _flat(headline)
    for group in groups:
        breaks.add(count)
        for sentence in group:
            cuts.add(count)
            count += _flat(sentence)
    return Laid(text, headline, frozenset(cuts), frozenset(breaks))


LAYOUTS = ("lines", "grouped", "wrapped", "wrapped-flat")


def line_scores(documents: list[list[str]], layout: str) -> dict[str, float]:
    """Boundary F1, paragraph breaks kept (recall) and right (precision), titles right."""
    from translate_cli.summarize.prepare import prepare

    tp = fp = fn = kept = found_breaks = gold_breaks = titles = 0
    for sentences in documents:
        laid = lay_out(sentences, layout)
        doc = segment(laid.text)
        flat = [i for i, c in enumerate(laid.text) if not c.isspace()]
        position = {offset: n for n, offset in enumerate(flat)}
        starts = {position[s.start]: s.paragraph for s in doc.sentences}
        cuts = frozenset(starts) - {0}
        ours = frozenset(at for at in cuts if starts[at] != starts.get(_previous(starts, at)))
        tp += len(cuts & laid.sentences)
        fp += len(cuts - laid.sentences)
        fn += len(laid.sentences - cuts)
        kept += len(ours & laid.paragraphs)
        found_breaks += len(ours)
        gold_breaks += len(laid.paragraphs)
        title = prepare(doc).title
        titles += title is not None and title.text == laid.headline
    return {
        "F1": 2 * tp / (2 * tp + fp + fn),
        "kept": kept / gold_breaks,
        "right": kept / found_breaks if found_breaks else 0.0,
        "titles": titles / len(documents),
    }


def _previous(starts: dict[int, int], at: int) -> int:
    return max(s for s in starts if s < at)


def ntrex_documents(data: Path) -> list[list[str]]:
    docids = [line.strip() for line in _read_lines(data / "ntrex128-dev.docids")]
    groups: dict[str, list[str]] = {}
    for line, key in zip(_read_lines(data / "ntrex128-dev.id"), docids, strict=True):
        groups.setdefault(key, []).append(line)
    return list(groups.values())


def print_line_scores(data: Path) -> None:
    documents = ntrex_documents(data)
    print(f"\nNTREX dev, headline then body ({len(documents)} documents)")
    print(f"{'layout':<14}{'boundary F1':>13}{'paras kept':>12}{'paras right':>13}{'titles':>9}")
    for layout in LAYOUTS:
        s = line_scores(documents, layout)
        paras = (f"{s['kept']:.1%}", f"{s['right']:.1%}")
        print(f"{layout:<14}{s['F1']:>13.3f}{paras[0]:>12}{paras[1]:>13}{s['titles']:>9.1%}")


# --- splitters: each returns sentence strings in order ---------------------------------------


def _ours(text: str) -> list[str]:
    return [s.text for s in segment(text).sentences]


_PLAIN = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")


def _plain(text: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _PLAIN.finditer(text):
        out.append(text[start : match.start()])
        start = match.start()
    out.append(text[start:])
    return out


def _peers() -> dict[str, Callable[[str], list[str]]]:
    peers: dict[str, Callable[[str], list[str]]] = {}
    try:
        import sentencex

        peers["sentencex (id)"] = lambda text: list(sentencex.segment("id", text))
    except ImportError:
        pass
    try:
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False)  # pysbd has no Indonesian
        peers["pysbd (en)"] = lambda text: list(seg.segment(text))
    except ImportError:
        pass
    try:
        import blingfire

        def _blingfire(text: str) -> list[str]:
            _, offsets = blingfire.text_to_sentences_and_offsets(text)
            return [text[a:b] for a, b in offsets]

        peers["blingfire"] = _blingfire
    except ImportError:
        pass
    try:
        from syntok import segmenter

        def _syntok(text: str) -> list[str]:
            return [
                "".join(t.spacing + t.value for t in sentence)
                for paragraph in segmenter.analyze(text)
                for sentence in paragraph
            ]

        peers["syntok"] = _syntok
    except ImportError:
        pass
    peers["plain regex"] = _plain
    return peers


def boundaries(text: str, sentences: list[str]) -> frozenset[int]:
    """Boundaries as non-whitespace counts before each sentence but the first.

    A splitter that drops or rewrites a character (blingfire does, rarely) is realigned by
    finding each sentence's opening characters in the text.
    """
    flat = "".join(text.split())
    found: set[int] = set()
    count = 0
    for sentence in sentences:
        piece = "".join(sentence.split())
        if not piece:
            continue
        if flat.startswith(piece[:20], count):
            at = count
        else:
            at = flat.find(piece[:20], max(0, count - 5))
            at = count if at == -1 else at
        if at:
            found.add(at)
        count = at + len(piece)
    return frozenset(found)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    exact: int = 0
    docs: int = 0
    seconds: float = 0.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


def score(split: Callable[[str], list[str]], docs: list[Doc]) -> Score:
    result = Score()
    predicted: list[list[str]] = []
    started = time.perf_counter()
    for doc in docs:
        predicted.append(split(doc.text))
    result.seconds = time.perf_counter() - started
    for doc, sentences in zip(docs, predicted, strict=True):
        found = boundaries(doc.text, sentences) - doc.given
        result.tp += len(found & doc.gold)
        result.fp += len(found - doc.gold)
        result.fn += len(doc.gold - found)
        result.exact += found == doc.gold
        result.docs += 1
    return result


def show_errors(docs: list[Doc], split: Callable[[str], list[str]], limit: int) -> None:
    """Print each missed (FN) or spurious (FP) boundary with some context."""
    shown = 0
    for doc in docs:
        found = boundaries(doc.text, split(doc.text)) - doc.given
        offsets = [i for i, c in enumerate(doc.text) if not c.isspace()]
        for kind, points in (("FN", doc.gold - found), ("FP", found - doc.gold)):
            for point in sorted(points):
                at = offsets[point]
                left = doc.text[max(0, at - 70) : at].replace("\n", "⏎")
                right = doc.text[at : at + 50].replace("\n", "⏎")
                print(f"{kind} {doc.name}: …{left} ‖ {right}…")
                shown += 1
                if shown >= limit:
                    return


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="parallel data folder")
    parser.add_argument(
        "--indosum",
        type=Path,
        nargs="?",
        const=DEFAULT_INDOSUM,
        help="also score IndoSum dev articles (sentences split by a tool: a rough check)",
    )
    parser.add_argument("--only", help="comma-separated splitter names (prefix match)")
    parser.add_argument("--errors", metavar="SPLITTER", help="print this splitter's errors")
    parser.add_argument("--set", dest="set_name", help="with --errors: set name (prefix match)")
    parser.add_argument("--limit", type=int, default=40, help="with --errors: how many")
    parser.add_argument(
        "--lines", action="store_true", help="only the one-paragraph-a-line NTREX figures"
    )
    args = parser.parse_args(argv)
    if args.lines:
        print_line_scores(args.data)
        return

    sets = load_sets(args.data)
    if args.indosum:
        sets["IndoSum dev*"] = load_indosum(args.indosum)
    splitters: dict[str, Callable[[str], list[str]]] = {"ours": _ours, **_peers()}
    if args.only:
        wanted = [w.strip().lower() for w in args.only.split(",")]
        splitters = {k: v for k, v in splitters.items() if any(k.startswith(w) for w in wanted)}
    if args.errors:
        name = next(k for k in splitters if k.startswith(args.errors))
        for set_name, docs in sets.items():
            if not args.set_name or set_name.lower().startswith(args.set_name.lower()):
                show_errors(docs, splitters[name], args.limit)
        return

    header = f"{'splitter':<16}" + "".join(f"{n:>22}" for n in sets) + f"{'seconds':>10}"
    print(f"{'':<16}" + "".join(f"{'F1 / exact docs':>22}" for _ in sets))
    print(header)
    print("-" * len(header))
    for name, split in splitters.items():
        cells = []
        seconds = 0.0
        for docs in sets.values():
            result = score(split, docs)
            seconds += result.seconds
            cells.append(f"{result.f1:.3f} / {result.exact / result.docs:5.1%}")
        print(f"{name:<16}" + "".join(f"{c:>22}" for c in cells) + f"{seconds:>10.2f}")
    print("documents per set: " + ", ".join(f"{k} {len(v)}" for k, v in sets.items()))
    print_line_scores(args.data)
    flores_dev = sets["FLORES dev"]
    best = min(score(_ours, flores_dev).seconds for _ in range(3))
    chars = sum(len(d.text) for d in flores_dev)
    print(
        f"\nours on FLORES dev: {len(flores_dev)} documents, {chars:,} characters, "
        f"{best:.3f} s (best of 3)"
    )
    # Linear in input size: one text of all FLORES dev documents, then the same eight times.
    whole = "\n\n".join(d.text for d in flores_dev)
    for times in (1, 8):
        text = "\n\n".join([whole] * times)
        started = time.perf_counter()
        segment(text)
        seconds = time.perf_counter() - started
        print(
            f"ours on one text of {len(text):,} characters: {seconds:.3f} s "
            f"({seconds / len(text) * 1e6:.2f} µs a character)"
        )


if __name__ == "__main__":
    main()
