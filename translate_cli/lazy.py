"""Names a package exports but imports on first use (PEP 562).

A package's ``__init__`` that imported what it exports would make every importer pay for it:
``import translate_cli.cli`` for ``--help`` would load the pipeline, and every command the
batch machinery. With ``__getattr__ = lazy_exports(__name__, {...})`` a name's module loads
when the name is first read.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: each name of ``homes`` (name → the module
    defining it) imported from there on first use, then kept in the package, so that later
    reads skip this function. Any other name is an ``AttributeError`` (a submodule of that name
    is then imported by ``from package import name``, as usual)."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(home), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__


__all__ = ["lazy_exports"]
