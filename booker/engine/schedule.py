"""The global tick schedule, dealt round-robin to the workers. Pure arithmetic."""

from __future__ import annotations

import math


def tick_time(start: float, tick: int, cadence_s: float) -> float:
    """When global tick number ``tick`` is due."""
    return start + tick * cadence_s


def next_own_tick(start: float, now: float, cadence_s: float, worker: int, workers: int) -> int:
    """The first tick at or after ``now`` that belongs to ``worker`` (tick % workers == worker)."""
    if now <= start:
        return worker
    first = math.ceil((now - start) / cadence_s - 1e-9)
    return first + (worker - first) % workers
