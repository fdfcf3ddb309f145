"""Abstractive summaries: prompt a language model for an abstract in Indonesian and in English.

Two ways to reach a model, behind one small interface (``LLMClient``):

- ``HTTPChatClient``: any OpenAI-compatible chat-completions server (llama.cpp server, Ollama,
  vLLM, a hosted API), with stdlib HTTP only. Timeouts, retries with backoff on 429/5xx and
  dropped connections, and every failure as one ``RuntimeFailure`` line. The API key is read
  from the environment and never appears in a message.
- ``LocalTextGenerationClient``: a transformers causal LM from a directory or the local
  Hugging Face cache; torch and transformers load on first use only.

``summarize_with_llm`` renders the prompts (see ``translate_cli.prompts``), asks the model once
per language and returns an ``LLMSummary``; its ``summary_items()`` fit ``Report.summary`` like
an extractive summary's (``source`` = Indonesian, ``translation`` = English), ``index`` None.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import math
import os
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol, TypedDict

from translate_cli.document import Document
from translate_cli.errors import InputError, ModelUnavailableError, RuntimeFailure, UsageError
from translate_cli.models import cached_snapshot, looks_like_path
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

API_KEY_ENV = "TRANSLATE_CLI_LLM_API_KEY"
FALLBACK_API_KEY_ENV = "OPENAI_API_KEY"
USER_AGENT = "translate-cli"

# Status codes worth another try: rate limiting and transient server trouble. 501/505 say
# the server will never do it, so they fail at once like any other 4xx.
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 520, 522, 524, 529})
_THINKING = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)
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
        return client.complete(messages, max_tokens=budget)

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
        timeout: float = 120.0,
        prompt_options: Sequence[str] = (),
        device: str = "auto",
    ) -> LLMSummarizer:
        """Build from the CLI options; bad options or templates fail here, before any work."""
        prompts = load_prompts(SHIPPED_NAMES, parse_prompt_options(prompt_options))
        return cls(make_client(url, model, timeout=timeout, device=device), prompts)

    def summarize(
        self,
        document: Document,
        translations: Sequence[str] | None,
        *,
        sentences: int,
        ratio: float | None = None,
        english: bool = True,
    ) -> tuple[SummaryItem, ...]:
        """The abstract as ``Report.summary``; a ``ratio`` of the sentences beats ``sentences``.

        An empty document (a blank line in batch input) gets an empty summary, like the
        extractive path, without asking the model.
        """
        if not document.sentences:
            return ()
        if ratio is not None:
            # Same rounding as the extractive summariser's ratio.
            sentences = max(1, math.floor(ratio * len(document.sentences) + 0.5))
        summary = summarize_with_llm(
            document,
            translations,
            self.client,
            prompt_en=self.prompts[SUMMARY_EN],
            prompt_id=self.prompts[SUMMARY_ID],
            system=self.prompts[SYSTEM],
            sentences=sentences,
            english=english,
        )
        return summary.summary_items()


def clean_answer(text: str) -> str:
    """The abstract without a leading ``<think>`` block (reasoning models) or outer space.

    A ``<think>`` never closed means the token budget ran out while reasoning: no answer.
    """
    text = _THINKING.sub("", text, count=1).strip()
    return "" if text.startswith("<think>") else text


def make_client(
    url: str | None, model: str | None, *, timeout: float = 120.0, device: str = "auto"
) -> LLMClient:
    """The client the ``--llm-url`` / ``--llm-model`` options ask for."""
    if url:
        if not model:
            raise UsageError(
                "--llm-url needs --llm-model NAME (servers that serve one model accept any name)"
            )
        return HTTPChatClient(url, model, timeout=timeout)
    if not model:
        raise UsageError(
            "--summarizer llm needs --llm-model (a local model directory or cached hub name), "
            "or --llm-url and --llm-model for a server"
        )
    return LocalTextGenerationClient(model, device=device)


# --- over HTTP ------------------------------------------------------------------------------
class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def chat_completions_url(url: str) -> str:
    """The chat-completions endpoint for a server's base URL, ``.../v1`` or the full URL."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--llm-url must be an http:// or https:// URL, not {url!r}")
    path = parts.path.rstrip("/")
    if not path.endswith("/chat/completions"):
        path += "/chat/completions" if path.endswith("/v1") else "/v1/chat/completions"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _display_url(url: str) -> str:
    """``url`` fit for messages: no user:password, no query string (either may hold a key)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HTTPChatClient:
    """An OpenAI-compatible ``/v1/chat/completions`` server.

    ``retries`` more tries follow a 429, a retryable 5xx or a dropped connection, waiting
    ``backoff * 2**n`` seconds (at most ``max_wait``) or what ``Retry-After`` asks. A refused
    connection or a timeout fails at once: the server is down or the model too slow, and
    trying again would only make the user wait longer for the same message.
    """

    def __init__(
        self,
        url: str,
        model: str,
        *,
        api_key_env: str = API_KEY_ENV,
        timeout: float = 120.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        temperature: float | None = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = chat_completions_url(url)
        self.model = model
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.temperature = temperature
        self._sleep = sleep
        self._where = _display_url(self.endpoint)
        self._api_key = os.environ.get(api_key_env) or os.environ.get(FALLBACK_API_KEY_ENV) or ""
        host = urllib.parse.urlsplit(self.endpoint).hostname
        # A server on this machine is never behind the user's HTTP proxy.
        proxies = urllib.request.ProxyHandler({} if _is_loopback(host) else None)
        self._opener = urllib.request.build_opener(proxies)

    @property
    def name(self) -> str:
        return self.model

    def __repr__(self) -> str:  # the key must not leak through a debug print either
        return f"HTTPChatClient({self._where!r}, {self.model!r})"

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> str:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": list(messages),
            "max_tokens": max_tokens,
            "stream": False,
        }
        if self.temperature is not None:
            payload["temperature"] = self.temperature
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        attempt = 0
        while True:
            try:
                raw = self._post(body)
            except _Retryable as exc:
                wait = exc.retry_after
                if wait is None:
                    wait = min(self.max_wait, self.backoff * 2**attempt)
                elif wait > self.max_wait:
                    raise RuntimeFailure(
                        self._redact(f"{exc.message}; the server asks to wait {wait:.0f} s")
                    ) from None
                if attempt >= self.retries:
                    tries = f"{attempt + 1} tries" if attempt else "1 try"
                    raise RuntimeFailure(self._redact(f"{exc.message} ({tries})")) from None
                self._sleep(wait)
                attempt += 1
                continue
            return self._answer(raw)

    def _post(self, body: bytes) -> bytes:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        request = urllib.request.Request(self.endpoint, data=body, headers=headers, method="POST")
        where = self._where
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as exc:
            status = exc.code
            detail = self._error_detail(exc)
            message = f"LLM server {where} answered HTTP {status}{detail}"
            if status in _RETRY_STATUSES:
                raise _Retryable(message, _retry_after(exc.headers.get("Retry-After"))) from None
            if status in (401, 403):
                message += f"; check the API key in ${API_KEY_ENV}"
            elif status == 404:
                message += "; is this an OpenAI-compatible server, and is the model name right?"
            raise RuntimeFailure(self._redact(message)) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ConnectionRefusedError):
                raise RuntimeFailure(
                    f"cannot connect to LLM server {where}: connection refused; is it running?"
                ) from None
            if isinstance(reason, TimeoutError):
                raise RuntimeFailure(self._timeout_message()) from None
            if isinstance(reason, socket.gaierror):
                raise RuntimeFailure(
                    f"cannot connect to LLM server {where}: unknown host"
                ) from None
            if isinstance(reason, (ConnectionResetError, ConnectionAbortedError)):
                raise _Retryable(f"LLM server {where} dropped the connection") from None
            if isinstance(reason, ssl.SSLError):
                raise RuntimeFailure(
                    self._redact(f"TLS with LLM server {where} failed: {_one_line(reason)}")
                ) from None
            raise RuntimeFailure(
                self._redact(f"cannot connect to LLM server {where}: {_one_line(reason)}")
            ) from None
        except TimeoutError:
            raise RuntimeFailure(self._timeout_message()) from None
        except (ConnectionResetError, ConnectionAbortedError, http.client.IncompleteRead):
            # Includes RemoteDisconnected: a server restarting or a proxy cutting us off.
            raise _Retryable(f"LLM server {where} dropped the connection") from None
        except http.client.HTTPException as exc:
            raise RuntimeFailure(
                self._redact(f"LLM server {where} did not answer in HTTP: {_one_line(exc)}")
            ) from None
        except OSError as exc:
            raise RuntimeFailure(
                self._redact(f"cannot connect to LLM server {where}: {_one_line(exc)}")
            ) from None

    def _answer(self, raw: bytes) -> str:
        where = self._where
        try:
            data = json.loads(raw)
        except ValueError:
            snippet = _one_line(raw[:200].decode("utf-8", "replace")) or "an empty body"
            raise RuntimeFailure(
                self._redact(f"LLM server {where} answered something that is not JSON: {snippet}")
            ) from None
        content = _chat_content(data)
        if content is None:
            error = _server_error(data)
            why = f": {error}" if error else " (no choices[0].message.content)"
            raise RuntimeFailure(
                self._redact(f"LLM server {where} sent no chat completion{why}")
            ) from None
        answer = clean_answer(content)
        if not answer:
            raise RuntimeFailure(f"LLM server {where} returned an empty answer (or only reasoning)")
        return answer

    def _timeout_message(self) -> str:
        return (
            f"LLM server {self._where} sent no answer within {self.timeout:g} s; "
            "raise --llm-timeout if the model is just slow"
        )

    def _error_detail(self, exc: urllib.error.HTTPError) -> str:
        try:
            raw = exc.read(4096)
        except (OSError, http.client.HTTPException):
            return ""
        text = raw.decode("utf-8", "replace")
        try:
            error = _server_error(json.loads(text))
        except ValueError:
            error = text
        error = _one_line(error)[:200]
        return f": {error}" if error else ""

    def _redact(self, message: str) -> str:
        """``message`` with the API key blanked, in case a server echoes it back."""
        return message.replace(self._api_key, "***") if self._api_key else message


def _chat_content(data: object) -> str | None:
    """``choices[0].message.content`` of an OpenAI chat completion, or None if not one."""
    if not isinstance(data, dict):
        return None
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message")
    if not isinstance(message, dict):
        return None
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}, ...]
        texts = [p.get("text") for p in content if isinstance(p, dict)]
        return "".join(t for t in texts if isinstance(t, str))
    return None


def _server_error(data: object) -> str:
    """The message of an OpenAI-style error body (``{"error": {"message": ...}}`` and kin)."""
    if not isinstance(data, dict):
        return ""
    error = data.get("error", data.get("detail", data.get("message")))
    if isinstance(error, dict):
        error = error.get("message")
    return _one_line(error) if isinstance(error, str) else ""


def _retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _one_line(value: object) -> str:
    return _SPACES.sub(" ", str(value)).strip()


# --- in this process ------------------------------------------------------------------------
def resolve_local_model(name_or_dir: str) -> Path:
    """A model directory, or the cached snapshot of a hub model; never downloads."""
    path = Path(name_or_dir).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise ModelUnavailableError(f"--llm-model {name_or_dir}: a file, not a model directory")
    if looks_like_path(name_or_dir):
        raise ModelUnavailableError(f"--llm-model {name_or_dir}: no such directory")
    snapshot = cached_snapshot(name_or_dir)
    if snapshot is None:  # not cached, or not a valid hub name
        raise ModelUnavailableError(
            f"model {name_or_dir!r} is neither a directory nor in the local Hugging Face cache",
            hint=f"download it first (hf download {name_or_dir}) or pass a model directory",
        )
    return snapshot


class LocalTextGenerationClient:
    """A transformers causal LM in this process, decoding greedily.

    The tokenizer's chat template formats the messages when it has one; otherwise the
    messages are joined as plain text. The model loads on the first ``complete``.
    """

    def __init__(self, name_or_dir: str, *, device: str = "auto") -> None:
        self.model_name = name_or_dir
        self.device = device
        self.last_prompt_tokens = 0
        self.last_completion_tokens = 0
        self._loaded: tuple[Any, Any] | None = None

    @property
    def name(self) -> str:
        return self.model_name

    def _load(self) -> tuple[Any, Any]:
        if self._loaded is None:
            path = resolve_local_model(self.model_name)
            if not (path / "config.json").is_file():
                raise ModelUnavailableError(
                    f"{self.model_name}: no config.json, so not a transformers model folder"
                )
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as transformers_logging

            # Output goes to stdout and errors are one line: no loading bars or advice.
            transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
            transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
            try:
                tokenizer: Any = AutoTokenizer.from_pretrained(path)
                model: Any = AutoModelForCausalLM.from_pretrained(path)
            except (OSError, ValueError, KeyError) as exc:
                # ValueError: a model of another kind (e.g. MarianMT); OSError: files missing.
                raise ModelUnavailableError(
                    f"{self.model_name}: not a text-generation model ({_one_line(exc)[:160]})"
                ) from None
            if self.device == "auto":
                self.device = "cuda" if torch.cuda.is_available() else "cpu"
            try:
                model.to(self.device)
            except (RuntimeError, AssertionError) as exc:  # CPU-only torch asserts on "cuda"
                raise UsageError(f"cannot run on {self.device}: {_one_line(exc)[:160]}") from None
            model.eval()
            self._loaded = (tokenizer, model)
        return self._loaded

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> str:
        import torch

        tokenizer, model = self._load()
        prompt, special = _format_chat(tokenizer, messages)
        inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=special).to(self.device)
        prompt_tokens = int(inputs["input_ids"].shape[1])
        limit = _context_length(model.config)
        if limit is not None:
            if prompt_tokens >= limit:
                raise RuntimeFailure(
                    f"the prompt is {prompt_tokens} tokens; {self.model_name} reads at most "
                    f"{limit}: use a model with a longer context or a shorter article"
                )
            max_tokens = min(max_tokens, limit - prompt_tokens)
        pad_id = tokenizer.pad_token_id
        if pad_id is None:
            pad_id = tokenizer.eos_token_id
        try:
            with torch.inference_mode():
                output = model.generate(
                    **inputs, max_new_tokens=max_tokens, do_sample=False, pad_token_id=pad_id
                )
        except (RuntimeError, ValueError, IndexError) as exc:
            raise RuntimeFailure(
                f"{self.model_name}: text generation failed: {_one_line(exc)[:200]}"
            ) from None
        new_tokens = output[0, prompt_tokens:]
        self.last_prompt_tokens = prompt_tokens
        self.last_completion_tokens = int(new_tokens.shape[0])
        answer = clean_answer(tokenizer.decode(new_tokens, skip_special_tokens=True))
        if not answer:
            raise RuntimeFailure(f"{self.model_name} returned an empty answer (or only reasoning)")
        return answer


def _format_chat(tokenizer: Any, messages: Sequence[ChatMessage]) -> tuple[str, bool]:
    """The prompt text and whether the tokenizer should still add its special tokens."""
    if getattr(tokenizer, "chat_template", None):
        try:
            text = tokenizer.apply_chat_template(
                list(messages), tokenize=False, add_generation_prompt=True
            )
        except Exception:  # jinja raises anything; some templates forbid a "system" role
            try:
                text = tokenizer.apply_chat_template(
                    _without_system(messages), tokenize=False, add_generation_prompt=True
                )
            except Exception as exc:
                raise RuntimeFailure(
                    f"the model's chat template failed: {_one_line(exc)}"
                ) from None
        # The template already wrote BOS and friends; adding them again confuses models.
        return str(text), False
    return "\n\n".join(m["content"] for m in messages) + "\n\n", True


def _without_system(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """The system message folded into the first user message."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest: list[ChatMessage] = [
        {"role": m["role"], "content": m["content"]} for m in messages if m["role"] != "system"
    ]
    if system and rest:
        rest[0]["content"] = f"{system}\n\n{rest[0]['content']}"
    return rest


def _context_length(config: Any) -> int | None:
    for attribute in ("max_position_embeddings", "n_positions", "max_sequence_length"):
        value = getattr(config, attribute, None)
        if isinstance(value, int) and value > 0:
            return value
    return None
