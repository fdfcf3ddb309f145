"""translate-cli: Indonesian news → English, sentence by sentence, with a bilingual summary.

The library API::

    from translate_cli import Pipeline, Settings

    report = Pipeline(model="/models/opus-mt-id-en", beam_size=5).run(text)
    report.to_dict()  # what `translate-cli run --format json` prints

Import-light on purpose: the names below load on first use (PEP 562), so ``import
translate_cli.cli`` for ``--help`` does not import the pipeline, and torch and transformers load
only when a model is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from translate_cli.lazy import lazy_exports
from translate_cli.version import __version__

if TYPE_CHECKING:
    from translate_cli.config import Settings
    from translate_cli.pipeline import BatchResult, Pipeline
    from translate_cli.report import Report, SummaryItem, TranslatedSentence

# Each public name and the module that defines it, loaded on first use.
__getattr__ = lazy_exports(
    __name__,
    {
        "BatchResult": "translate_cli.pipeline",
        "Pipeline": "translate_cli.pipeline",
        "Report": "translate_cli.report",
        "Settings": "translate_cli.config",
        "SummaryItem": "translate_cli.report",
        "TranslatedSentence": "translate_cli.report",
    },
)


__all__ = [
    "BatchResult",
    "Pipeline",
    "Report",
    "Settings",
    "SummaryItem",
    "TranslatedSentence",
    "__version__",
]
