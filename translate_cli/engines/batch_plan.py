"""How the CTranslate2 engine cuts a window of texts into batches: by estimated decoding time.

Pure arithmetic over token counts, kept apart from the engine so it can be read and tested
without a model.
"""

from __future__ import annotations

from collections.abc import Sequence

# Batch planning cost, in "one beam row decoding one step" units: a step costs
# STEP_COST[device] + rows * beam (see best_batches). Measured with the opus-mt-id-en
# architecture on one core of a 2-core CPU: ~8 ms a step + 1.05 ms a beam row (int8), flat
# from 8 to 16 sentences a batch at beam 4 and slower per row beyond 24. The GPU figure is
# an assumption (a step costs about the same for 1 or 64 rows), not a measurement.
STEP_COST = {"cpu": 8.0, "cuda": 512.0}
# Most beam-row tokens (beam x sentences x (source + output cap)) in one batch: decoding
# memory (attention caches, copied as they grow) is proportional to it. Measured through the
# CLI: a 2,000-sentence input peaked 110 MB above a 40-sentence one with 2048 (+408 MB with
# no bound). A GPU has memory to spare.
MAX_BATCH_WORK = {"cpu": 2048, "cuda": 1 << 20}


def plan_batches(
    lengths: Sequence[int],
    caps: Sequence[int],
    *,
    beam: int,
    device: str,
    batch_size: int,
    max_tokens: int,
    workers: int,
) -> list[list[int]]:
    """The batches (indices into ``lengths``) that should decode fastest on ``workers``."""
    step_cost, max_work = STEP_COST[device], MAX_BATCH_WORK[device]

    def plan(max_rows: int) -> list[list[int]]:
        return best_batches(
            lengths,
            caps,
            beam=beam,
            step_cost=step_cost,
            max_rows=max_rows,
            max_tokens=max_tokens,
            max_work=max_work,
        )

    # No batch can hold more rows than there are texts or than the token and memory
    # bounds allow, so planning costs depend on the texts, never on batch_size.
    rows = min(
        batch_size,
        most_rows(lengths, caps, beam=beam, max_tokens=max_tokens, max_work=max_work),
    )
    if workers == 1:
        return plan(rows)
    # With several workers the cheapest plan can leave one idle at the end: among the
    # plans for several batch-size limits, take the one that finishes first.
    plans = [plan(limit) for limit in row_limits(rows)]
    return min(plans, key=lambda p: finish_time(p, caps, beam, step_cost, workers))


def most_rows(
    lengths: Sequence[int], caps: Sequence[int], *, beam: int, max_tokens: int, max_work: int
) -> int:
    """The most rows any batch ``best_batches`` may form can have (at least 1), in O(n log n).

    A run of the length-sorted texts fits when its first (longest) text times the rows stays
    within both bounds; the run may not extend past the last text.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    most = 1
    for position, i in enumerate(order):
        fits = min(
            len(order) - position,
            max_tokens // max(lengths[i], 1),
            max_work // max(beam * (lengths[i] + caps[i]), 1),
        )
        most = max(most, fits)
    return most


def row_limits(most_rows: int) -> list[int]:
    """The batch-size limits to plan with: each one up to 32, then steps of about 1/8."""
    limits = list(range(1, min(most_rows, 32) + 1))
    while limits[-1] < most_rows:
        limits.append(min(most_rows, limits[-1] + max(limits[-1] // 8, 1)))
    return limits


def best_batches(
    lengths: Sequence[int],
    caps: Sequence[int],
    *,
    beam: int,
    step_cost: float,
    max_rows: int,
    max_tokens: int,
    max_work: int,
) -> list[list[int]]:
    """Split the length-sorted texts into batches that minimise the estimated decoding time.

    Every row of a batch decodes as many steps as the batch's longest cap (a row under beam
    search cannot stop early, and in a real run the longest output sets the pace), and each
    step costs a fixed overhead plus one unit per beam row. Big batches amortise the overhead;
    mixing long and short sentences wastes steps on the short ones. An exact dynamic program
    over contiguous runs of the sorted order balances the two, within the count and padded-token
    limits of ``EngineOptions`` and the memory bound ``max_work``.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i], reverse=True)
    n = len(order)
    best = [0.0] + [float("inf")] * n  # best[j]: cheapest plan for the first j texts
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(j - 1, max(j - max_rows, 0) - 1, -1):
            rows = j - i
            longest = order[i]
            work = rows * beam * (lengths[longest] + caps[longest])
            if rows > 1 and (rows * lengths[longest] > max_tokens or work > max_work):
                break
            cost = best[i] + caps[order[i]] * (step_cost + rows * beam)
            if cost < best[j]:
                best[j], cut[j] = cost, i
    batches: list[list[int]] = []
    j = n
    while j > 0:
        batches.append(order[cut[j] : j])
        j = cut[j]
    batches.reverse()
    return batches


def finish_time(
    batches: list[list[int]], caps: Sequence[int], beam: int, step_cost: float, workers: int
) -> float:
    """When the last worker is done, in ``best_batches``' units, if each batch goes to the
    first free worker in the order the base class runs them (first needed first)."""
    free = [0.0] * workers
    for batch in sorted(batches, key=min):
        steps = max(caps[i] for i in batch)
        free[free.index(min(free))] += steps * (step_cost + len(batch) * beam)
    return max(free)
