"""Clients for language models: one small interface, ``LLMClient``, and two ways to reach one.

- ``translate_cli.llm.http.HTTPChatClient``: any OpenAI-compatible chat-completions server
  (llama.cpp server, Ollama, vLLM, a hosted API) over stdlib HTTP.
- ``translate_cli.llm.local.LocalTextGenerationClient``: a transformers causal LM in this
  process; torch and transformers load on first use only.

Nothing here knows what the model is asked for: the summariser (``translate_cli.summarize.llm``)
and any later user (an LLM translation engine) bring their own prompts. ``make_client`` builds
the client that the ``--llm-url`` / ``--llm-model`` options describe. Importing this package
imports neither torch nor transformers, nor even the client modules.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Protocol, TypedDict

from translate_cli.errors import UsageError

# Longest llm_timeout accepted: beyond it the socket layer overflows, and no answer is worth
# waiting longer for.
MAX_TIMEOUT = 1e6

_THINKING = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)
# C0 controls but tab and newline, DEL and the C1 controls: a model's (or a hostile server's)
# answer must not move the cursor, recolour or retitle the terminal it is printed on.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


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


def one_line(value: object) -> str:
    """``value`` as one line for an error message: control characters and runs of space
    become one space."""
    return _SPACES.sub(" ", _ANY_CONTROL.sub(" ", str(value))).strip()


def check_timeout(timeout: float, option: str = "llm_timeout") -> float:
    """``timeout`` if it is a usable number of seconds, else a ``UsageError``."""
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        raise UsageError(f"{option} must be a number of seconds, not {timeout!r}") from None
    if not (math.isfinite(seconds) and 0 < seconds <= MAX_TIMEOUT):
        raise UsageError(
            f"{option} must be more than 0 and at most {MAX_TIMEOUT:g} seconds, not {timeout!r}"
        )
    return seconds


# --- choosing a client ------------------------------------------------------------------------
def _http_client(url: str | None, model: str, *, timeout: float, device: str) -> LLMClient:
    from translate_cli.llm.http import HTTPChatClient

    assert url is not None
    return HTTPChatClient(url, model, timeout=timeout)


def _local_client(url: str | None, model: str, *, timeout: float, device: str) -> LLMClient:
    from translate_cli.llm.local import LocalTextGenerationClient

    return LocalTextGenerationClient(model, device=device)


ClientFactory = Callable[..., LLMClient]

# Kind of client → how to build it from the options. "http" when llm_url is given.
CLIENT_KINDS: dict[str, ClientFactory] = {"http": _http_client, "local": _local_client}

_NO_MODEL = {
    "http": "llm_url needs llm_model NAME (servers that serve one model accept any name)",
    "local": "an LLM needs llm_model (a local model directory or cached hub name), "
    "or llm_url and llm_model for a server",
}


def make_client(
    url: str | None, model: str | None, *, timeout: float = 120.0, device: str = "auto"
) -> LLMClient:
    """The client the ``--llm-url`` / ``--llm-model`` options ask for; bad options fail here
    with a ``UsageError``, before any work."""
    kind = "http" if url else "local"
    if not model:
        raise UsageError(_NO_MODEL[kind])
    timeout = check_timeout(timeout)
    return CLIENT_KINDS[kind](url, model, timeout=timeout, device=device)
