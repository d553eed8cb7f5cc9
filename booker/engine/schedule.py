"""The global tick schedule, dealt round-robin to the workers. Pure arithmetic.

A plain schedule ticks every ``cadence`` from ``start``. When the release
instant is known to within ``± u``, the schedule is *aligned*: its phase puts
tick ``A`` at ``release + u + margin``, surely after the true release, and the
``burst`` ticks before ``A`` are moved up to spread over ``[release - u,
release + u]``, at least ``BURST_SPACING_S`` apart (closer requests only queue
in the client and at the service). The number of requests is unchanged; they are only placed
where a release can be seen first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

ALIGN_MARGIN_S = 0.001  # land this long after the latest possible release
BURST_SPACING_S = 0.003  # about two requests' client CPU (1.4-1.8 ms each): closer ones only queue


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
    aligned_tick: int = -1  # A: the tick that lands just after the release; -1 = plain
    burst: int = 0  # ticks moved from well before A to just before it
    spacing_s: float = 0.0

    @property
    def first(self) -> float:
        """When tick 0 is due: the first poll leaves then."""
        return self.time_of(0)

    def time_of(self, tick: int) -> float:
        """When global tick ``tick`` is due."""
        aligned = self.aligned_tick
        if aligned < 0 or not aligned - self.burst <= tick < aligned:
            return self.start + tick * self.cadence_s
        aligned_time = self.start + aligned * self.cadence_s
        return aligned_time - (aligned - tick) * self.spacing_s

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
    """A schedule starting no earlier than ``earliest_start``, aligned on ``release ± uncertainty_s``.

    At most ``burst`` ticks are moved next to the release: as many as fit
    ``BURST_SPACING_S`` apart in the uncertainty window (none when it is exact).
    """
    landing = release + uncertainty_s + ALIGN_MARGIN_S
    if landing <= earliest_start:
        return Schedule(earliest_start, cadence_s)
    width = 2 * uncertainty_s
    before = math.floor((landing - earliest_start) / cadence_s)  # grid ticks that fit before A
    # all within the window, so never before ``earliest_start`` when it is at most release - u
    fits_window = int(min(width, landing - earliest_start) // BURST_SPACING_S)
    burst = max(0, min(burst, fits_window))
    aligned = max(before, burst)  # with no grid tick to move (a short lead), the burst is tick 0..
    start = landing - aligned * cadence_s
    if burst == 0:
        return Schedule(start, cadence_s, aligned)
    spacing = min(width / burst, cadence_s / (burst + 1))
    return Schedule(start, cadence_s, aligned, burst, spacing)
