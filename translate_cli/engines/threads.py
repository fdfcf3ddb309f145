"""How many threads a library may be given: never more than the cores this process may use.

Native libraries take a thread count at face value: OpenMP aborts or crashes on 100,000 and a
run with 256 threads on 2 cores only thrashes. Asking for more than there are cores is read
as "all of them".
"""

from __future__ import annotations

import os


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS reports it)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def usable_threads(requested: int) -> int:
    """``requested`` threads clamped to ``1..available_cores()``; 0 means every core."""
    cores = available_cores()
    return cores if requested <= 0 else min(requested, cores)
