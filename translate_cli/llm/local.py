"""A transformers causal LM in this process; torch and transformers load on first use only."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from translate_cli.errors import ModelUnavailableError, RuntimeFailure, UsageError
from translate_cli.llm.base import ChatMessage, clean_answer, one_line
from translate_cli.models import cached_snapshot, looks_like_path


def resolve_local_model(name_or_dir: str) -> Path:
    """A model directory, or the cached snapshot of a hub model; never downloads."""
    path = Path(name_or_dir).expanduser()
    if path.is_dir():
        return path
    if path.exists():
        raise ModelUnavailableError(f"llm_model {name_or_dir}: a file, not a model directory")
    if looks_like_path(name_or_dir):
        raise ModelUnavailableError(f"llm_model {name_or_dir}: no such directory")
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

    @classmethod
    def from_options(
        cls, url: str | None, model: str | None, *, timeout: float | None, device: str
    ) -> LocalTextGenerationClient:
        """The ``CLIENTS`` factory: ``llm_model`` without ``llm_url`` (no timeout: the model
        runs here)."""
        if not model:
            raise UsageError(
                "an LLM needs llm_model (a local model directory or cached hub name), "
                "or llm_url and llm_model for a server"
            )
        return cls(model, device=device)

    @property
    def name(self) -> str:
        return self.model_name

    def __repr__(self) -> str:
        return f"LocalTextGenerationClient({self.model_name!r}, device={self.device!r})"

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
            transformers_logging.set_verbosity_error()
            transformers_logging.disable_progress_bar()
            try:
                tokenizer: Any = AutoTokenizer.from_pretrained(path)
                model: Any = AutoModelForCausalLM.from_pretrained(path)
            except (OSError, ValueError, KeyError) as exc:
                # ValueError: a model of another kind (e.g. MarianMT); OSError: files missing.
                raise ModelUnavailableError(
                    f"{self.model_name}: not a text-generation model ({one_line(exc)[:160]})"
                ) from None
            if self.device == "auto":
                self.device = "cuda" if torch.cuda.is_available() else "cpu"
            try:
                model.to(self.device)
            except (RuntimeError, AssertionError) as exc:  # CPU-only torch asserts on "cuda"
                raise UsageError(f"cannot run on {self.device}: {one_line(exc)[:160]}") from None
            model.eval()
            self._loaded = (tokenizer, model)
        return self._loaded

    def complete(self, messages: Sequence[ChatMessage], *, max_tokens: int) -> str:
        import torch

        tokenizer, model = self._load()
        prompt, special = format_chat(tokenizer, messages)
        inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=special).to(self.device)
        prompt_tokens = int(inputs["input_ids"].shape[1])
        limit = _context_length(model.config)
        if limit is not None:
            if prompt_tokens >= limit:
                raise RuntimeFailure(
                    f"the prompt is {prompt_tokens} tokens; {self.model_name} reads at most "
                    f"{limit}: use a model with a longer context or a shorter input"
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
                f"{self.model_name}: text generation failed: {one_line(exc)[:200]}"
            ) from None
        new_tokens = output[0, prompt_tokens:]
        self.last_prompt_tokens = prompt_tokens
        self.last_completion_tokens = int(new_tokens.shape[0])
        answer = clean_answer(tokenizer.decode(new_tokens, skip_special_tokens=True))
        if not answer:
            raise RuntimeFailure(f"{self.model_name} returned an empty answer (or only reasoning)")
        return answer


def format_chat(tokenizer: Any, messages: Sequence[ChatMessage]) -> tuple[str, bool]:
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
                raise RuntimeFailure(f"the model's chat template failed: {one_line(exc)}") from None
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
