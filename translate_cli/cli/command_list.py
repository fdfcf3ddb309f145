"""The command list: every command's name and one-line summary, which the root's help shows
without importing the commands (``root.py``) and the commands take as their own (``commands.py``).
"""

from __future__ import annotations

# Every command and its line in the root's help, in the order listed there. The commands take
# their summaries from here, so the list and the commands cannot disagree; whole lines
# on purpose: typer would cut a longer help to fit a narrow terminal ("...").
COMMANDS: dict[str, str] = {
    "segment": "Split articles into sentences; no model needed.",
    "translate": "Translate every sentence, aligned with its source.",
    "summarize": "Bilingual summary; translates only the sentences it picks.",
    "run": "The whole report: bilingual summary and every sentence.",
    "extract": "The clean article of a web page; no model needed.",
    "batch": "Translate an archive of JSONL/Parquet records, resumably.",
    "brief": "The day in English: one entry per story, every outlet that carried it.",
    "eval": "Score models on parallel text: BLEU, chrF and speed.",
    "serve": "A local HTTP server: LibreTranslate's API, the model loaded once.",
    "models": "List, download and remove cached models.",
    "memory": "The translation memory: stats, clear, export.",
}


__all__ = ["COMMANDS"]
