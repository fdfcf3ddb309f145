"""Abstractive summaries: prompt a language model for an abstract in Indonesian and in English.

The model is reached through ``translate_cli.llm`` (an OpenAI-compatible server or a local
transformers model); this module holds only what is particular to summaries: the template
values, the token budget, the length check and ``LLMSummarizer``.

``summarize_with_llm`` renders the prompts (see ``translate_cli.prompts``), asks the model once
per language and returns an ``LLMSummary``; its ``summary_items()`` fit ``Report.summary`` like
an extractive summary's (``source`` = Indonesian, ``translation`` = English), ``index`` None.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from translate_cli.document import Document
from translate_cli.errors import InputError, RuntimeFailure, UsageError
from translate_cli.llm import ChatMessage, LLMClient, clean_answer, make_client
from translate_cli.prompts import (
    SHIPPED_NAMES,
    SUMMARY_EN,
    SUMMARY_ID,
    SYSTEM,
    PromptTemplate,
    load_prompts,
    parse_prompt_options,
)
from translate_cli.report import SummaryItem
from translate_cli.summarize import SummaryRequest, SummaryResult

if TYPE_CHECKING:
    from translate_cli.config import Settings

__all__ = [
    "MAX_CHARS_PER_TOKEN",
    "LLMSummarizer",
    "LLMSummary",
    "abstract_token_budget",
    "clean_answer",
    "max_abstract_chars",
    "prompt_values",
    "summarize_with_llm",
]

# An abstract longer than its token budget times this, in characters, did not come from a
# model that kept to max_tokens (a token is rarely more than a dozen characters): it is refused
# rather than printed as a "summary".
MAX_CHARS_PER_TOKEN = 16


# --- the summary ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LLMSummary:
    """An abstract in Indonesian and (unless not asked for) English, written by ``model``."""

    source: str  # Indonesian
    translation: str | None  # English; None when only Indonesian was asked for
    model: str

    def summary_items(self) -> tuple[SummaryItem, ...]:
        """The report's ``summary``: one item, ``index`` None as it quotes no sentence."""
        return (SummaryItem(index=None, source=self.source, translation=self.translation),)


def abstract_token_budget(sentences: int) -> int:
    """Most tokens an abstract of ``sentences`` sentences may take (Indonesian runs long)."""
    return 64 + 96 * sentences


def max_abstract_chars(max_tokens: int) -> int:
    """The longest abstract, in characters, accepted for a budget of ``max_tokens``."""
    return max_tokens * MAX_CHARS_PER_TOKEN


def prompt_values(
    document: Document, translations: Sequence[str] | None, sentences: int
) -> dict[str, object]:
    """The template variables (``translate_cli.prompts.VARIABLES``) for ``document``."""
    if translations is not None and len(translations) != len(document.sentences):
        raise ValueError(
            f"{len(translations)} translations for {len(document.sentences)} sentences"
        )
    paragraphs = list(document.paragraphs())
    # Sentences rejoined per paragraph: the model sees the article's layout, and the
    # translation lines up with it paragraph by paragraph.
    article = "\n\n".join(" ".join(s.text for s in p) for p in paragraphs)
    translation = ""
    if translations is not None:
        translation = "\n\n".join(" ".join(translations[s.index] for s in p) for p in paragraphs)
    return {"article": article, "translation": translation, "sentences": sentences}


def summarize_with_llm(
    document: Document,
    translations: Sequence[str] | None,
    client: LLMClient,
    *,
    prompt_en: PromptTemplate,
    prompt_id: PromptTemplate,
    sentences: int,
    system: PromptTemplate | None = None,
    english: bool = True,
    max_tokens: int | None = None,
) -> LLMSummary:
    """Ask ``client`` for an Indonesian and (if ``english``) an English abstract of ``document``.

    ``translations`` (one per sentence, or None when translation is off) fills ``$translation``
    so the English abstract can borrow the translation's wording.
    """
    if sentences < 1:
        raise UsageError(f"the abstract needs at least 1 sentence, not {sentences}")
    if not document.sentences:
        raise InputError("nothing to summarise: the input has no sentences")
    values = prompt_values(document, translations, sentences)
    budget = max_tokens or abstract_token_budget(sentences)
    # An empty system template means "send no system message" (some models reject one).
    system_text = system.render(values) if system is not None else ""

    def ask(template: PromptTemplate) -> str:
        messages: list[ChatMessage] = []
        if system_text:
            messages.append({"role": "system", "content": system_text})
        messages.append({"role": "user", "content": template.render(values)})
        answer = client.complete(messages, max_tokens=budget)
        limit = max_abstract_chars(budget)
        if len(answer) > limit:
            raise RuntimeFailure(
                f"{client.name} wrote {len(answer)} characters for an abstract of at most "
                f"{budget} tokens (the limit is {limit}): not used as a summary; "
                "does the server ignore max_tokens?"
            )
        return answer

    source = ask(prompt_id)
    translation = ask(prompt_en) if english else None
    return LLMSummary(source=source, translation=translation, model=client.name)


class LLMSummarizer:
    """What ``summarize --summarizer llm`` needs, set up (and checked) once per run."""

    def __init__(self, client: LLMClient, prompts: Mapping[str, PromptTemplate]) -> None:
        self.client = client
        self.prompts = dict(prompts)

    @classmethod
    def from_options(
        cls,
        url: str | None,
        model: str | None,
        *,
        timeout: float | None = None,
        prompt_options: Sequence[str] = (),
        device: str = "auto",
    ) -> LLMSummarizer:
        """Build from the CLI options; bad options or templates fail here, before any work.
        ``timeout`` defaults to ``Settings.llm_timeout``."""
        prompts = load_prompts(SHIPPED_NAMES, parse_prompt_options(prompt_options))
        return cls(make_client(url, model, timeout=timeout, device=device), prompts)

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMSummarizer:
        """The registry's factory: the LLM settings (flags > env > config file)."""
        return cls.from_options(
            settings.llm_url or None,
            settings.llm_model or None,
            timeout=settings.llm_timeout,
            prompt_options=settings.prompts,
            device=settings.device,
        )

    # The English abstract is written from the English article: the pipeline translates the
    # whole article first when an English summary is wanted.
    needs_translations = True

    def summarize(self, document: Document, request: SummaryRequest) -> SummaryResult:
        """The abstract as one item (``index`` None) with its English when asked for, and the
        article's own title, found as the extractive summariser finds it.

        An empty document (a blank line in batch input) gets an empty summary, like the
        extractive path, without asking the model.
        """
        if not document.sentences:
            return SummaryResult(None, ())
        from translate_cli.summarize.prepare import prepare

        # The article's headline, found as the extractive summariser finds it (no scoring).
        found = prepare(document).title
        title = SummaryItem(found.index, found.text, None) if found else None
        sentences = request.sentences
        if request.ratio is not None:
            # Same rounding as the extractive summariser's ratio.
            sentences = max(1, math.floor(request.ratio * len(document.sentences) + 0.5))
        summary = summarize_with_llm(
            document,
            request.translations,
            self.client,
            prompt_en=self.prompts[SUMMARY_EN],
            prompt_id=self.prompts[SUMMARY_ID],
            system=self.prompts[SYSTEM],
            sentences=sentences,
            english=request.english,
        )
        return SummaryResult(title, summary.summary_items())
