"""The reference engine: MarianMT, NLLB-200 and M2M100 through Hugging Face transformers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from translate_cli.engines import quality
from translate_cli.engines.base import pick_device
from translate_cli.engines.quality import Hypothesis
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

    if settings.shortlist:
        # The vocabulary map is CTranslate2's (use_vmap); transformers' generate has none.
        raise UsageError(
            "the transformers engine has no vocabulary shortlist",
            hint="choose engine ctranslate2 or auto, or drop --shortlist",
        )
    model_dir = resolve_model(settings.model, progress=download_progress)
    return TransformersEngine(model_dir, EngineOptions.from_settings(settings))


def pick_torch_device(requested: str) -> str:
    """``auto`` means CUDA when torch sees a GPU; an explicit ``cuda`` without one is an error."""
    import torch

    return pick_device(requested, torch.cuda.is_available(), "torch")


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


class _Scorer:
    """The last logits processor: renormalises (what ``renormalize_logits`` does, which it
    replaces) and remembers each prefix's summed log-probability, so every returned sequence
    gets its score without ``output_scores`` (which keeps rows x vocabulary floats a step).

    A row's prefix at one step is its parent's prefix plus one token, whose log-probability is
    in the parent's row of the previous step; prefixes are keyed per sentence, so beams that
    were reordered or dropped need no bookkeeping.
    """

    def __init__(self, beams: int, eos_token_id: int, skip: int = 1) -> None:
        self.beams = beams
        self.eos = eos_token_id
        self.skip = skip  # the decoder start token (and a forced language token): no choice
        # (sentence, prefix) -> (summed log-probability, log-probability of </s> next)
        self.known: dict[tuple[int, tuple[int, ...]], tuple[float, float]] = {}
        self._previous: tuple[dict[tuple[int, tuple[int, ...]], int], Any, list[float]] | None
        self._previous = None

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        scores = scores.log_softmax(dim=-1)
        keys = [
            (r // self.beams, tuple(row[self.skip :])) for r, row in enumerate(input_ids.tolist())
        ]
        if self._previous is None:
            sums = [0.0] * len(keys)
        else:
            rows_of, previous, previous_sums = self._previous
            parents = [rows_of[(sentence, prefix[:-1])] for sentence, prefix in keys]
            index = torch.tensor(parents, device=scores.device)
            gained = previous[index, input_ids[:, -1]].tolist()
            sums = [previous_sums[p] + g for p, g in zip(parents, gained, strict=True)]
        for key, total, eos in zip(keys, sums, scores[:, self.eos].tolist(), strict=True):
            self.known[key] = (total, eos)
        self._previous = ({key: r for r, key in enumerate(keys)}, scores, sums)
        return scores

    def hypothesis(self, sentence: int, ids: list[int], text: str, cap: int) -> Hypothesis:
        """The evidence for ``ids`` (ending with </s>), the output of ``sentence``."""
        if not ids or ids[-1] != self.eos or (sentence, tuple(ids[:-1])) not in self.known:
            return Hypothesis(text)
        total, eos = self.known[(sentence, tuple(ids[:-1]))]
        capped = len(ids) >= cap  # </s> was forced at the cap: not the model's own token
        if capped:
            return Hypothesis(text, total, len(ids) - 1, capped=True)
        return Hypothesis(text, total + eos, len(ids))


class TransformersEngine(Seq2SeqEngine):
    """Batched beam search with the model's ``generate`` (the family says which model)."""

    name = "transformers"

    def __init__(self, model_dir: Path, options: EngineOptions) -> None:
        import torch
        from transformers.utils import logging as transformers_logging

        from translate_cli.models import check_model_dir, model_load_error
        from translate_cli.models.family import open_family

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

    def _scorer(self, retry: bool = False) -> _Scorer:
        beams = quality.RETRY_BEAM_SIZE if retry else self.options.beam_size
        return _Scorer(beams, self.eos_token_id, 1 + len(self.forced_ids))

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        encoded = self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        return [len(ids) for ids in encoded]

    def generate_ids(self, texts: Sequence[str], caps: Sequence[int]) -> list[list[int]]:
        """Output token ids per text, without the decoder start token and padding."""
        return self._generate(texts, caps, self._scorer())

    def _generate(
        self, texts: Sequence[str], caps: Sequence[int], scorer: _Scorer, retry: bool = False
    ) -> list[list[int]]:
        import torch

        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True).to(self.device)
        beams = quality.RETRY_BEAM_SIZE if retry else self.options.beam_size
        skip = 1 + len(self.forced_ids)  # the decoder start token, then the forced language
        caps = [cap + len(self.forced_ids) for cap in caps]
        penalties: dict[str, Any] = {}
        if retry:  # the guard's second decoding (quality.py)
            penalties = {
                "no_repeat_ngram_size": quality.RETRY_NO_REPEAT_NGRAM,
                "repetition_penalty": quality.RETRY_REPETITION_PENALTY,
            }
        with torch.inference_mode():
            output = self.model.generate(
                **batch,
                num_beams=beams,
                do_sample=False,
                # max_length counts the decoder start token; set instead of max_new_tokens
                # so generate does not warn that the checkpoint's max_length is overridden.
                max_length=max(caps) + 1,
                # Marian's logits put mass on <pad>; the scorer renormalises (as
                # renormalize_logits=True would) so beam scores stay honest.
                logits_processor=[_PerRowLengthCap(caps, beams, self.eos_token_id), scorer],
                **self.generate_options,
                **penalties,
            )
        rows: list[list[int]] = []
        for row in output.tolist():
            ids = row[skip:]  # drop the decoder start token (and the forced language)
            while ids and ids[-1] == self.pad_token_id:
                ids.pop()
            rows.append(ids)
        return rows

    def generate(self, texts: Sequence[str], caps: Sequence[int]) -> list[str]:
        return [h.text for h in self.generate_scored(texts, caps)]

    def generate_scored(
        self, texts: Sequence[str], caps: Sequence[int], *, retry: bool = False
    ) -> list[Hypothesis]:
        scorer = self._scorer(retry)
        rows = self._generate(texts, caps, scorer, retry)
        decoded = self.family.decode(self.tokenizer, rows)
        found = [
            scorer.hypothesis(i, ids, text, cap)
            for i, (ids, text, cap) in enumerate(zip(rows, decoded, caps, strict=True))
        ]
        if retry:  # penalised decoding: score the output under the model itself
            kept = [ids[: h.tokens] for ids, h in zip(rows, found, strict=True)]
            sums = self.score_ids(texts, kept)
            found = [replace(h, log_prob=s) for h, s in zip(found, sums, strict=True)]
        return found

    def score_ids(self, texts: Sequence[str], outputs: Sequence[list[int]]) -> list[float]:
        """Summed log-probability of each ``outputs[i]`` (token ids) given ``texts[i]``, under
        the model's own distribution with <pad> excluded, as in decoding (teacher-forced)."""
        import torch

        batch = self.tokenizer(list(texts), return_tensors="pt", padding=True).to(self.device)
        # The decoder start token, then (NLLB-200, M2M100) the forced language token.
        prefix = [int(self.model.config.decoder_start_token_id), *self.forced_ids]
        width = max((len(ids) for ids in outputs), default=0)
        decoder = [[*prefix, *ids] + [self.pad_token_id] * (width - len(ids)) for ids in outputs]
        sums: list[float] = []
        with torch.inference_mode():
            logits = self.model(
                **batch, decoder_input_ids=torch.tensor(decoder, device=self.device)
            ).logits.float()
            logits[..., self.pad_token_id] = float("-inf")
            log_probs = logits.log_softmax(dim=-1)
            for row, ids in enumerate(outputs):
                # the logits at position p predict token p + 1
                positions = torch.arange(len(ids), device=self.device) + len(prefix) - 1
                target = torch.tensor(ids, device=self.device, dtype=torch.long)
                sums.append(float(log_probs[row, positions, target].sum()))
        return sums
