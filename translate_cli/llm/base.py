"""What every LLM client shares: the chat message, the ``LLMClient`` interface and the cleaning
of an answer. The clients (``http``, ``local``) import this module, never the package."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypedDict

from translate_cli.humanize import one_line

__all__ = ["ChatMessage", "LLMClient", "clean_answer", "one_line"]

_THINKING = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)
# C0 controls but tab and newline, DEL and the C1 controls: a model's (or a hostile server's)
# answer must not move the cursor, recolour or retitle the terminal it is printed on.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class ChatMessage(TypedDict):
    role: str
    content: str


class LLMClient(Protocol):
    """Something that answers a chat: a server over HTTP or a model in this process."""

    @property
    def name(self) -> str:
        """The model, as shown to users (never a secret)."""
        ...

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> str:
        """The model's answer to ``messages``, at most ``max_tokens`` tokens; never empty."""
        ...


def clean_answer(text: str) -> str:
    """The answer without a leading ``<think>`` block (reasoning models), control characters
    (bar tab and newline; ``\\r\\n`` becomes ``\\n``) or outer space.

    A ``<think>`` never closed means the token budget ran out while reasoning: no answer.
    """
    text = _CONTROL.sub("", text.replace("\r\n", "\n"))
    text = _THINKING.sub("", text, count=1).strip()
    return "" if text.startswith("<think>") else text
