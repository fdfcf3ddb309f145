"""The translation memory: texts translated before, answered again without the model.

- ``store``: the SQLite database and its entries;
- ``fingerprints``: what decides a translation (model content, engine, options, versions);
- ``layer``: the memory as a ``TranslatorLayer`` in front of an engine (``with_memory``);
- ``export``: TMX and JSONL exports (``EXPORT_FORMATS``).
"""

from translate_cli.memory.fingerprints import descriptor, model_fingerprint
from translate_cli.memory.layer import MemoryLayer, fingerprint_of, with_memory
from translate_cli.memory.store import (
    Entry,
    MemoryStore,
    MemoryUnavailable,
    Stats,
    default_path,
    memory_path,
    open_store,
)

__all__ = [
    "Entry",
    "MemoryLayer",
    "MemoryStore",
    "MemoryUnavailable",
    "Stats",
    "default_path",
    "descriptor",
    "fingerprint_of",
    "memory_path",
    "model_fingerprint",
    "open_store",
    "with_memory",
]
