"""translate-cli: Indonesian news → English, sentence by sentence, with a bilingual summary.

Import-light on purpose: torch and transformers load only when a model is used.
"""

__version__ = "0.1.0"
