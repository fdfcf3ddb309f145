"""Translation engines: the ``Translator`` interface, the registry of engines, and opening one.

An engine is a module with a factory ``open_xxx(settings, *, download_progress=False)`` that
returns a ``Translator``, plus one ``ENGINES.register`` line below; an optional module-level
``COMPUTE_TYPES`` tuple lists the compute types it accepts. Engine modules import their heavy
libraries inside functions, so importing this package, listing engines and checking settings
never loads torch or ctranslate2.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from translate_cli.engines.base import EngineFactory, Translator, TranslatorLayer
from translate_cli.errors import UsageError
from translate_cli.registry import Registry

if TYPE_CHECKING:
    from translate_cli.config import Settings

ENGINES: Registry[EngineFactory] = Registry("engine", option="engine")
ENGINES.register(
    "auto",
    "translate_cli.engines.auto:open_auto",
    help="ctranslate2 when it can run here, else transformers",
)
ENGINES.register(
    "ctranslate2",
    "translate_cli.engines.ctranslate2:open_ctranslate2",
    help="the model converted to CTranslate2 (fast; int8 on CPU)",
)
ENGINES.register(
    "transformers",
    "translate_cli.engines.transformers:open_transformers",
    help="the model through Hugging Face transformers (reference)",
)


def open_translator(settings: Settings, *, download_progress: bool = False) -> Translator:
    """The translator ``settings.engine`` names, with its model loaded (fetched if allowed).
    The pipeline puts the translation memory (``translate_cli.memory``) in front of it.

    Raises ``UsageError`` (exit 2) for settings that cannot work and ``ModelUnavailableError``
    (exit 3) when the model cannot be found, fetched or loaded.
    """
    factory = ENGINES.get(settings.engine)
    return factory(settings, download_progress=download_progress)


def compute_types(engine: str) -> tuple[str, ...] | None:
    """The compute types ``engine`` can ever accept; None when it takes any (or ignores it)."""
    factory = ENGINES.get(engine)  # imports the engine's module, which is light
    module = sys.modules.get(getattr(factory, "__module__", ""), None)
    types = getattr(module, "COMPUTE_TYPES", None)
    return tuple(types) if types is not None else None


def check_compute_type(engine: str, compute_type: str) -> None:
    """``UsageError`` for a compute type ``engine`` never accepts, listing the ones it does.

    Whether this device supports it (CTranslate2's list depends on the CPU or GPU) is checked
    when the engine loads.
    """
    valid = compute_types(engine)
    if valid is not None and compute_type not in valid:
        raise UsageError(
            f"compute type {compute_type!r} is not one the {ENGINES.check(engine)} engine knows",
            hint="choose one of " + ", ".join(valid),
        )


__all__ = [
    "ENGINES",
    "EngineFactory",
    "Translator",
    "TranslatorLayer",
    "check_compute_type",
    "compute_types",
    "open_translator",
]
