"""The reference engine: MarianMT, NLLB-200 and M2M100 through Hugging Face transformers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translate_cli.engines.seq2seq import EngineOptions, Seq2SeqEngine
from translate_cli.engines.threads import usable_threads
from translate_cli.errors import UsageError

if TYPE_CHECKING:
    from translate_cli.config import Settings

# Precision of the weights: "auto"/"default" is float16 on CUDA (fast and safe there) and
# float32 on CPU.
COMPUTE_TYPES = ("auto", "default", "float32", "float16", "bfloat16")


def open_transformers(settings: Settings, *, download_progress: bool = False) -> TransformersEngine:
    """The transformers engine for ``settings.model``, fetched first if needed and allowed."""
    from translate_cli.models import resolve_model

    model_dir = resolve_model(settings.model, progress=download_progress)
    return TransformersEngine(model_dir, EngineOptions.from_settings(settings))


def pick_torch_device(requested: str) -> str:
    """``auto`` means CUDA when torch sees a GPU; an explicit ``cuda`` without one is an error."""
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise UsageError(
            "device 'cuda' was asked for, but torch sees no CUDA GPU",
            hint="choose device cpu or auto",
        )
    if requested not in ("cpu", "cuda"):
        raise UsageError(f"unknown device {requested!r}", hint="choose device cpu, cuda or auto")
    return requested


def pick_dtype(compute_type: str, device: str) -> Any:
    import torch

    if compute_type not in COMPUTE_TYPES:
        raise UsageError(
            f"compute type {compute_type!r} is not supported by the transformers engine",
            hint="supported: " + ", ".join(COMPUTE_TYPES),
        )
    if compute_type in ("auto", "default"):
        return torch.float16 if device == "cuda" else torch.float32
    if compute_type == "float16" and device != "cuda":
        raise UsageError(
            "compute type float16 needs a CUDA device with the transformers engine",
            hint="choose compute type float32 or bfloat16, or device cuda",
        )
    return getattr(torch, compute_type)


class _PerRowLengthCap:
    """Force end-of-sentence once a row reaches its own length cap.

    ``generate`` has one ``max_new_tokens`` for the whole batch; this makes each sentence stop
    where it would stop if it were translated alone, so batching cannot change a result.
    """

    def __init__(self, caps: Sequence[int], beams: int, eos_token_id: int) -> None:
        self.caps = caps
        self.beams = beams
        self.eos = eos_token_id

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        generated = input_ids.shape[-1]  # decoder start token + tokens so far
        rows = [r for r in range(scores.shape[0]) if generated >= self.caps[r // self.beams]]
        if rows:
            index = torch.tensor(rows, device=scores.device)
            scores[index] = float("-inf")
            scores[index, self.eos] = 0.0
        return scores


class TransformersEngine(Seq2SeqEngine):
    """Batched beam search with the model's ``generate`` (the family says which model)."""

    name = "transformers"

    def __init__(self, model_dir: Path, options: EngineOptions) -> None:
        import torch
        from transformers.utils import logging as transformers_logging

        from translate_cli.engines.family import open_family
        from translate_cli.models import check_model_dir, model_load_error

        # A pipeline tool stays quiet: no weight-loading bars or advice on stderr.
        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
        self.device = pick_torch_device(options.device)
        dtype = pick_dtype(options.compute_type, self.device)
        if options.threads > 0:
            # Never more threads than cores: torch (OpenMP) aborts on absurd counts.
            torch.set_num_threads(usable_threads(options.threads))
        check_model_dir(model_dir)  # names the broken file, before the libraries trip on it
        self.family = open_family(model_dir)
        try:
            self.tokenizer = self.family.load_tokenizer(model_dir)
            self.model = self.family.load_model(model_dir, dtype)
            target = self.family.target_token(self.tokenizer)
        except Exception as error:  # any library error here means the folder is unusable
            raise model_load_error(model_dir, error) from error
        self.model.to(self.device).eval()
        config = self.model.config
        limit = self.family.token_limit(config.to_dict())
        super().__init__(options, limit, limit, model_dir)
        self.eos_token_id = int(config.eos_token_id)
        self.pad_token_id = int(config.pad_token_id)
        # NLLB-200, M2M100: the target language token, forced right after the decoder start
        # token; it is not part of the translation, so it counts in no cap.
        self.forced_ids = [] if target is None else [self.tokenizer.convert_tokens_to_ids(target)]
        self.generate_options = {"forced_bos_token_id": self.forced_ids[0]} if target else {}

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        encoded = self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        return [len(ids) for ids in encoded]

    def generate_ids(self, texts: Sequence[str], caps: Sequence[int]) -> list[list[int]]:
        """Output token ids per text, without the decoder start token and padding."""
        import torch

        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True).to(self.device)
        beams = self.options.beam_size
        skip = 1 + len(self.forced_ids)  # the decoder start token, then the forced language
        caps = [cap + len(self.forced_ids) for cap in caps]
        with torch.inference_mode():
            output = self.model.generate(
                **batch,
                num_beams=beams,
                do_sample=False,
                # max_length counts the decoder start token; set instead of max_new_tokens
                # so generate does not warn that the checkpoint's max_length is overridden.
                max_length=max(caps) + 1,
                # Marian's logits put mass on <pad>; renormalising keeps beam scores honest.
                renormalize_logits=True,
                logits_processor=[_PerRowLengthCap(caps, beams, self.eos_token_id)],
                **self.generate_options,
            )
        rows: list[list[int]] = []
        for row in output.tolist():
            ids = row[skip:]  # drop the decoder start token (and the forced language)
            while ids and ids[-1] == self.pad_token_id:
                ids.pop()
            rows.append(ids)
        return rows

    def generate(self, texts: Sequence[str], caps: Sequence[int]) -> list[str]:
        return self.family.decode(self.tokenizer, self.generate_ids(texts, caps))
