"""Clients for language models: one small interface, ``LLMClient``, and two ways to reach one.

- ``translate_cli.llm.http.HTTPChatClient``: any OpenAI-compatible chat-completions server
  (llama.cpp server, Ollama, vLLM, a hosted API), over the network layer,
  ``translate_cli.web.network``.
- ``translate_cli.llm.local.LocalTextGenerationClient``: a transformers causal LM in this
  process; torch and transformers load on first use only.

Nothing here knows what the model is asked for: the summariser (``translate_cli.summarize.llm``)
and any later user (an LLM translation engine) bring their own prompts. ``make_client`` builds
the client that the ``--llm-url`` / ``--llm-model`` options describe, through the ``CLIENTS``
registry. Importing this package imports neither torch nor transformers, nor the client modules.
"""

from __future__ import annotations

from collections.abc import Callable

from translate_cli.llm.base import ChatMessage, LLMClient, clean_answer, one_line
from translate_cli.registry import Registry

__all__ = ["CLIENTS", "ChatMessage", "LLMClient", "clean_answer", "make_client", "one_line"]

# (url, model, *, timeout, device) → a client; a bad option is a UsageError, raised here.
ClientFactory = Callable[..., LLMClient]

# Kinds of client; "http" when llm_url is given, else "local".
CLIENTS: Registry[ClientFactory] = Registry("LLM client", "llm client")
CLIENTS.register(
    "http",
    "translate_cli.llm.http:HTTPChatClient.from_options",
    help="an OpenAI-compatible chat-completions server at llm_url",
)
CLIENTS.register(
    "local",
    "translate_cli.llm.local:LocalTextGenerationClient.from_options",
    help="a transformers causal LM in this process",
)


def make_client(
    url: str | None, model: str | None, *, timeout: float | None = None, device: str = "auto"
) -> LLMClient:
    """The client the ``--llm-url`` / ``--llm-model`` options ask for; bad options fail here
    with a ``UsageError``, before any work. ``timeout`` (seconds for each answer, checked by
    ``Settings``) defaults to ``Settings.llm_timeout``."""
    kind = "http" if url else "local"
    return CLIENTS.get(kind)(url, model, timeout=timeout, device=device)
