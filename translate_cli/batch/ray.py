"""Executor ``ray``: shards spread over Ray actors, each loading the engine once.

The driver has already read every input (it must, to check ids and to skip what a previous
run finished), so the shards go into Ray Data as rows (``from_items``); ``map_batches`` runs
them through ``_RayShardWorker``, a callable class, so each of the ``workers`` actors builds
one ``ShardWorker`` (model loaded once) and serves many shards. Results stream back to the
driver as they finish, and the driver commits each shard: only the driver needs the output
folder; every node needs the model (in its Hugging Face cache or at a shared path).
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from translate_cli.batch.shards import ShardResult
from translate_cli.batch.worker import ShardWorker
from translate_cli.errors import ExitStatus, RuntimeFailure, TranslateCliError, UsageError
from translate_cli.pipeline import Hooks, Work

INSTALL_HINT = "pip install 'translate-cli[ray]'"


@dataclass(frozen=True)
class RayOptions:
    workers: int = 2
    num_cpus: float = 1.0  # per actor
    num_gpus: float = 0.0  # per actor
    address: str | None = None  # None: start a local Ray on this machine


def import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise UsageError(
            "--executor ray needs Ray, which is not installed", hint=f"run: {INSTALL_HINT}"
        ) from None
    return ray


class _RayShardWorker:
    """Ray Data's callable class: constructed once per actor, called once per shard row."""

    def __init__(self, work: Work) -> None:
        # An error the user can cause (a model that cannot load) travels back as data, so the
        # driver reports it as the CLI would, instead of Ray retrying and printing tracebacks.
        self.worker: ShardWorker | None = None
        self.failure: dict[str, Any] | None = None
        try:
            self.worker = ShardWorker(work)
        except TranslateCliError as error:
            self.failure = {
                "status": int(error.exit_status),
                "message": error.message,
                "hint": error.hint,
            }

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {"shard": [], "result": []}
        for number, items in zip(batch["shard"], batch["items"], strict=True):
            out["shard"].append(int(number))
            if self.worker is None:
                out["result"].append(json.dumps({"failure": self.failure}))
                continue
            result = self.worker.run(int(number), json.loads(str(items)))
            out["result"].append(
                json.dumps(
                    {
                        "lines": result.lines,
                        "errors": result.errors,
                        "sentences": result.sentences,
                        "fingerprint": result.fingerprint,
                    },
                    ensure_ascii=False,
                )
            )
        return out


def _map(ray: Any, dataset: Any, work: Work, options: RayOptions, actors: int) -> Any:
    return dataset.map_batches(
        _RayShardWorker,
        # The settings go as they are: ``threads`` decides the engine's batch plan, so an
        # actor given other threads than the local executor could differ in the last bit.
        fn_constructor_kwargs={"work": work},
        batch_size=1,
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=options.num_cpus,
        num_gpus=options.num_gpus,
        max_restarts=0,  # a worker that dies is an error to report, not to retry
    )


def _failure(data: dict[str, Any]) -> TranslateCliError:
    error = TranslateCliError(str(data["message"]), hint=data.get("hint"))
    error.exit_status = ExitStatus(int(data["status"]))
    return error


def _rows(dataset: Any) -> Iterator[dict[str, Any]]:
    """The dataset's rows as they finish; an actor's own error (a model that cannot load)
    comes out as that error, not as Ray's wrapper around it."""
    try:
        yield from dataset.iter_rows()
    except TranslateCliError:
        raise
    except Exception as error:
        cause: BaseException | None = error
        while cause is not None and not isinstance(cause, TranslateCliError):
            cause = getattr(cause, "cause", None) or cause.__cause__
        if isinstance(cause, TranslateCliError):
            raise cause from None
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise RuntimeFailure(f"a Ray worker failed: {first}") from error


def _local_runtime_env() -> dict[str, Any]:
    """Actors of a Ray started here import this very copy of translate_cli and see the same
    caches and settings as the driver."""
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return {"env_vars": {"PYTHONPATH": path}}


def run_ray(
    work: Work,
    shards: Sequence[tuple[int, list[dict[str, Any]]]],
    hooks: Hooks,
    *,
    ray_options: RayOptions | None = None,
    **_: object,
) -> Iterator[ShardResult]:
    ray = import_ray()
    options = ray_options or RayOptions()
    started = False
    if not ray.is_initialized():
        # Quiet in pipelines: Ray's own INFO lines and the actors' output stay in Ray's logs.
        for name in ("ray", "ray.data", "ray.data._internal"):
            logging.getLogger(name).setLevel(logging.ERROR)
        init: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "logging_level": logging.ERROR,
        }
        if options.address is None:
            cpus = max(1, int(options.workers * options.num_cpus + 0.999))
            init.update(num_cpus=max(cpus, os.cpu_count() or 1), runtime_env=_local_runtime_env())
            if options.num_gpus:
                init["num_gpus"] = int(options.workers * options.num_gpus + 0.999)
        else:
            init["address"] = options.address
        with hooks.status("Starting Ray…"):
            ray.init(**init)
        started = True
    try:
        if not shards:
            return
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        dataset = ray.data.from_items(
            [
                {"shard": number, "items": json.dumps(items, ensure_ascii=False)}
                for number, items in shards
            ],
            override_num_blocks=len(shards),
        )
        with warnings.catch_warnings():
            # Ray's deprecation notices about its own arguments are not the user's business.
            warnings.simplefilter("ignore")
            mapped = _map(ray, dataset, work, options, min(options.workers, len(shards)))
        for row in _rows(mapped):
            data = json.loads(row["result"])
            if data.get("failure"):
                raise _failure(data["failure"])
            yield ShardResult(
                int(row["shard"]),
                data["lines"],
                data["errors"],
                int(data["sentences"]),
                data["fingerprint"],
            )
    finally:
        if started:
            ray.shutdown()
