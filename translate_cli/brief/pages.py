"""The reading page of each article a briefing lists: a record (what ``batch`` wrote) made a
``Report`` again and rendered by ``translate_cli.render.html``, so the briefing can link to it.
"""

from __future__ import annotations

import json
from typing import Any

from translate_cli.brief import Source
from translate_cli.document import Sentence
from translate_cli.report import Report, SummaryItem, TranslatedSentence


def page_key(source: Source) -> str:
    """What names one record across folders: its id and its link."""
    return json.dumps([source.id, source.url], ensure_ascii=False, default=str)


def report_from_record(record: dict[str, Any]) -> Report:
    """The ``Report`` a record's JSON (``Report.to_dict`` with its id) was written from: what
    the reading page needs (sentences, translations, scores, flags, title, summary, meta)."""
    translated = "model" in record
    sentences = tuple(
        TranslatedSentence(
            Sentence(
                int(item.get("index", n)), int(item.get("paragraph", 0)), 0, 0, str(item["source"])
            ),
            _text(item.get("translation")) if translated else None,
            item.get("score") if isinstance(item.get("score"), int | float) else None,
            tuple(str(flag) for flag in item.get("flags") or () if isinstance(flag, str)),
            item.get("language") if isinstance(item.get("language"), str) else None,
        )
        for n, item in enumerate(record.get("sentences") or [])
        if isinstance(item, dict) and isinstance(item.get("source"), str)
    )
    summary = record.get("summary")
    meta = record.get("meta")
    return Report(
        sentences,
        translated=translated,
        model=str(record["model"]) if translated else None,
        title=_item(record.get("title")),
        summary=(
            tuple(i for i in (_item(x) for x in summary) if i is not None)
            if isinstance(summary, list)
            else None
        ),
        target_lang="en" if translated else None,
        meta=dict(meta) if isinstance(meta, dict) else None,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _item(value: Any) -> SummaryItem | None:
    if not isinstance(value, dict) or not isinstance(value.get("source"), str):
        return None
    index = value.get("index")
    return SummaryItem(
        index if isinstance(index, int) else None, value["source"], _text(value.get("translation"))
    )


def reading_page(record: dict[str, Any]) -> str:
    from translate_cli.render.html import page

    return page(report_from_record(record))
