"""Exporting the translation memory: TMX 1.4 (what CAT tools import) and JSONL.

TMX lets a translator load our output into OmegaT, Trados or memoQ, correct it and reuse it;
each ``<tu>`` carries the model and engine as ``<prop>``s, and the score and flags when the
translator reported them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from xml.sax.saxutils import escape, quoteattr

from translate_cli.memory.store import Entry
from translate_cli.output import json_line
from translate_cli.registry import Registry
from translate_cli.version import __version__

Writer = Callable[[Iterable[Entry], Callable[[str], object]], int]
# Characters XML 1.0 cannot carry at all (not even escaped).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udfff]")


def _xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def _attr(text: str) -> str:
    return quoteattr(_NOT_XML.sub("", text))


def _tmx_date(seconds: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(seconds))


def write_tmx(entries: Iterable[Entry], write: Callable[[str], object]) -> int:
    """Write a TMX 1.4 document, one ``<tu>`` an entry; returns how many."""
    count = 0
    source_lang = "id"
    write('<?xml version="1.0" encoding="UTF-8"?>\n')
    write('<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4">\n')
    header_written = False
    for entry in entries:
        if not header_written:
            source_lang = entry.source_lang
            write(_header(source_lang, __version__))
            header_written = True
        props = [
            ("x-model", entry.model),
            ("x-engine", str(entry.descriptor.get("engine", ""))),
            ("x-fingerprint", str(entry.descriptor.get("fingerprint", ""))[:16]),
        ]
        if entry.score is not None:
            props.append(("x-score", f"{entry.score:.6g}"))
        if entry.flags:
            props.append(("x-flags", ",".join(entry.flags)))
        write(
            f'    <tu creationdate="{_tmx_date(entry.created)}" creationid="translate-cli" '
            f'usagecount="{entry.hits}">\n'
        )
        for name, value in props:
            write(f"      <prop type={_attr(name)}>{_xml_text(value)}</prop>\n")
        write(
            f"      <tuv xml:lang={_attr(entry.source_lang)}><seg>{_xml_text(entry.source)}"
            "</seg></tuv>\n"
        )
        write(
            f"      <tuv xml:lang={_attr(entry.target_lang)}><seg>"
            f"{_xml_text(entry.translation)}</seg></tuv>\n"
        )
        write("    </tu>\n")
        count += 1
    if not header_written:
        write(_header(source_lang, __version__))
    write("  </body>\n</tmx>\n")
    return count


def _header(source_lang: str, version: str) -> str:
    return (
        f'  <header creationtool="translate-cli" creationtoolversion={_attr(version)} '
        f'datatype="plaintext" segtype="sentence" adminlang="en" srclang={_attr(source_lang)} '
        f'o-tmf="translate-cli"/>\n  <body>\n'
    )


def write_jsonl(entries: Iterable[Entry], write: Callable[[str], object]) -> int:
    """One JSON object a line: source, translation, languages, model, engine, score, flags."""
    count = 0
    for entry in entries:
        write(
            json_line(
                {
                    "source": entry.source,
                    "translation": entry.translation,
                    "source_lang": entry.source_lang,
                    "target_lang": entry.target_lang,
                    "model": entry.model,
                    "engine": entry.descriptor.get("engine"),
                    "fingerprint": entry.descriptor.get("fingerprint"),
                    "score": entry.score,
                    "flags": entry.flags,
                    "hits": entry.hits,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(entry.created)),
                }
            )
        )
        count += 1
    return count


# ``memory export --format``: each writes the entries through ``write`` and returns their count.
EXPORT_FORMATS: Registry[Writer] = Registry("format")
EXPORT_FORMATS.register("tmx", write_tmx, help="TMX 1.4, what CAT tools import")
EXPORT_FORMATS.register("jsonl", write_jsonl, help="one JSON object a line")
