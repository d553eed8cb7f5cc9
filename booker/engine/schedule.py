"""The global tick schedule, dealt round-robin to the workers. Pure arithmetic.

A plain schedule ticks every ``cadence`` from ``start``. When the release
instant is known, the schedule is *aligned*: its phase puts tick ``R`` just
after the release, and the ``burst`` ticks before ``R`` are moved to just
after it too, spread over the clock's uncertainty. The number of requests is
unchanged; they are only placed where a release can be seen first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ALIGN_MARGIN_S = 0.001  # land this long after the predicted release


def tick_time(start: float, tick: int, cadence_s: float) -> float:
    """When global tick number ``tick`` is due on a plain schedule."""
    return start + tick * cadence_s


def next_own_tick(start: float, now: float, cadence_s: float, worker: int, workers: int) -> int:
    """The first tick at or after ``now`` that belongs to ``worker`` (tick % workers == worker)."""
    if now <= start:
        return worker
    first = math.ceil((now - start) / cadence_s - 1e-9)
    return first + (worker - first) % workers


@dataclass(frozen=True, slots=True)
class Schedule:
    """Tick times: a grid, optionally aligned on a release with a burst after it."""

    start: float
    cadence_s: float
    aligned_tick: int = -1  # R: the tick that lands just after the release; -1 = plain
    burst: int = 0  # ticks moved from before R to just after it
    spacing_s: float = 0.0

    def time_of(self, tick: int) -> float:
        """When global tick ``tick`` is due."""
        aligned = self.aligned_tick
        if aligned < 0 or not aligned - self.burst <= tick < aligned:
            return self.start + tick * self.cadence_s
        release_tick = self.start + aligned * self.cadence_s
        return release_tick + (tick - (aligned - self.burst) + 1) * self.spacing_s

    def next_for(self, worker: int, workers: int, not_before: float) -> int:
        """The first tick of ``worker`` (tick % workers == worker) due at or after ``not_before``."""
        tick = next_own_tick(self.start, not_before, self.cadence_s, worker, workers)
        tick = max(worker, tick - (self.burst // workers + 1) * workers)
        while self.time_of(tick) < not_before - 1e-9:
            tick += workers
        return tick


def aligned_schedule(
    earliest_start: float,
    release: float,
    cadence_s: float,
    burst: int = 0,
    uncertainty_s: float = 0.0,
) -> Schedule:
    """A schedule starting no earlier than ``earliest_start`` with a tick just after ``release``.

    ``burst`` extra ticks (taken from the ticks just before the release) land
    after it, spaced over ``uncertainty_s`` but always within one cadence.
    """
    landing = release + ALIGN_MARGIN_S
    if landing <= earliest_start:
        return Schedule(earliest_start, cadence_s)
    aligned = math.floor((landing - earliest_start) / cadence_s)
    start = landing - aligned * cadence_s
    burst = max(0, min(burst, aligned))
    if burst == 0:
        return Schedule(start, cadence_s, aligned)
    spacing = min(max(2 * uncertainty_s, 0.001) / burst, cadence_s / (burst + 1))
    return Schedule(start, cadence_s, aligned, burst, spacing)
