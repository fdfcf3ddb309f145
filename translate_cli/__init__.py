"""translate-cli: Indonesian news → English, sentence by sentence, with a bilingual summary.

The library API::

    from translate_cli import Pipeline, Settings

    report = Pipeline(model="/models/opus-mt-id-en", beam_size=5).run(text)
    report.to_dict()  # what `translate-cli run --format json` prints

Import-light on purpose: torch and transformers load only when a model is used.
"""

from translate_cli.config import Settings
from translate_cli.pipeline import BatchResult, Pipeline
from translate_cli.report import Report, SummaryItem, TranslatedSentence
from translate_cli.version import __version__

__all__ = [
    "BatchResult",
    "Pipeline",
    "Report",
    "Settings",
    "SummaryItem",
    "TranslatedSentence",
    "__version__",
]
