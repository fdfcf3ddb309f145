"""Name → implementation tables for the pluggable stages (engines, summarisers, formats).

An entry is registered once, by name, as ``"module:attribute"`` so that listing the choices
(``--help``, config validation, error messages) imports nothing heavy; the implementation is
imported when it is first asked for. Adding an engine or a format is one module plus one
``register`` line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Generic, TypeVar, cast

from translate_cli.errors import UsageError

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    name: str
    target: str | object  # "package.module:attribute", or the object itself
    help: str = ""
    hidden: bool = False  # registered for tests or internal use: not offered as a choice


class Registry(Generic[T]):
    """One kind of pluggable thing; ``kind`` names it in messages (``engine``, ``format``)."""

    def __init__(self, kind: str, option: str | None = None) -> None:
        self.kind = kind
        self.option = option or f"--{kind}"
        self._entries: dict[str, Entry] = {}

    def register(self, name: str, target: str | T, *, help: str = "", hidden: bool = False) -> None:
        self._entries[name.lower()] = Entry(name.lower(), target, help, hidden)

    def unregister(self, name: str) -> None:
        self._entries.pop(name.lower(), None)

    def names(self, *, hidden: bool = False) -> tuple[str, ...]:
        return tuple(e.name for e in self._entries.values() if hidden or not e.hidden)

    def entries(self) -> Iterator[Entry]:
        return (e for e in self._entries.values() if not e.hidden)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._entries

    def check(self, name: str, origin: str | None = None) -> str:
        """The canonical (lower-case) name, or a UsageError that lists the choices."""
        key = name.strip().lower()
        if key not in self._entries:
            raise UsageError(
                f"{origin or self.option}: {name!r} is not one of {', '.join(self.names())}"
            )
        return key

    def get(self, name: str) -> T:
        """The implementation registered as ``name``, imported now if it was named by path."""
        entry = self._entries[self.check(name)]
        if isinstance(entry.target, str):
            module, _, path = entry.target.partition(":")
            found: object = import_module(module)
            for attribute in path.split("."):  # "Class.factory" is allowed
                found = getattr(found, attribute)
            return cast(T, found)
        return cast(T, entry.target)
