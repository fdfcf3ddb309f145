"""Translation engines behind one interface (``Engine``) and the registry that picks one.

Each engine module is imported only when chosen, so neither torch nor ctranslate2 loads for
``--help`` or ``segment``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from translate_cli.engines.base import Engine, EngineOptions

ENGINE_NAMES = ("auto", "transformers", "ctranslate2")

logger = logging.getLogger(__name__)


def load_engine(name: str, model_dir: Path, options: EngineOptions) -> Engine:
    """Build the engine ``name`` for the model in ``model_dir``.

    ``auto`` is CTranslate2 (several times faster) when the package is installed, the
    checkpoint converts and the device runs it; otherwise it falls back to transformers and
    logs why. An engine named explicitly is never replaced: its failure is the error.
    """
    if name == "transformers":
        from translate_cli.engines.transformers import TransformersEngine

        return TransformersEngine(model_dir, options)
    if name in ("ctranslate2", "auto"):
        from translate_cli.engines.ct2_cache import EngineUnavailableError
        from translate_cli.engines.ctranslate2 import CTranslate2Engine, MissingPackageError

        try:
            return CTranslate2Engine(model_dir, options)
        except (EngineUnavailableError, MissingPackageError) as error:
            if name != "auto":
                raise
            logger.warning("CTranslate2 engine unavailable, using transformers: %s", error.message)
        from translate_cli.engines.transformers import TransformersEngine

        return TransformersEngine(model_dir, options)
    raise ValueError(f"unknown engine {name!r}")


__all__ = ["ENGINE_NAMES", "Engine", "EngineOptions", "load_engine"]
