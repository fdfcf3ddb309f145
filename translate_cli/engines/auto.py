"""Engine ``auto``: CTranslate2 when it can run here, else transformers, saying why."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from translate_cli.engines import ctranslate2 as ct2_engine
from translate_cli.engines import transformers as hf_engine
from translate_cli.engines.seq2seq import EngineOptions, Seq2SeqEngine

if TYPE_CHECKING:
    from translate_cli.config import Settings

COMPUTE_TYPES = tuple(dict.fromkeys((*ct2_engine.COMPUTE_TYPES, *hf_engine.COMPUTE_TYPES)))

logger = logging.getLogger("translate_cli")


def open_auto(settings: Settings, *, download_progress: bool = False) -> Seq2SeqEngine:
    from translate_cli.models import resolve_model

    model_dir = resolve_model(settings.model, progress=download_progress)
    return load_auto(model_dir, EngineOptions.from_settings(settings))


def load_auto(model_dir: Path, options: EngineOptions) -> Seq2SeqEngine:
    """CTranslate2 (several times faster) when the package is installed, the checkpoint
    converts and the device runs it; otherwise transformers, with a warning that says why.

    Only "CTranslate2 cannot run here" falls back; a damaged model or an impossible setting is
    the error either engine would give, and is raised.
    """
    from translate_cli.models.conversions import EngineUnavailableError

    try:
        return ct2_engine.CTranslate2Engine(model_dir, options)
    except (EngineUnavailableError, ct2_engine.MissingPackageError) as error:
        reason = error.message
    if options.compute_type not in hf_engine.COMPUTE_TYPES:
        # A CTranslate2-only precision (int8...) means nothing to torch: use its default.
        reason += f"; compute type {options.compute_type} does not apply, using auto"
        options = replace(options, compute_type="auto")
    if options.shortlist:
        reason += "; it has no vocabulary shortlist, --shortlist does not apply"
        options = replace(options, shortlist=False)
    logger.warning("CTranslate2 engine unavailable, using transformers: %s", reason)
    return hf_engine.TransformersEngine(model_dir, options)
