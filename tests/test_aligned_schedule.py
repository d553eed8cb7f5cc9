"""The aligned tick schedule: where ticks land around a known release, and that none is lost."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booker.engine.schedule import (
    ALIGN_MARGIN_S,
    BURST_SPACING_S,
    Schedule,
    aligned_schedule,
)

CADENCE = 0.05


def ticks(schedule: Schedule, count: int) -> list[float]:
    """The first ``count`` tick times."""
    return [schedule.time_of(k) for k in range(count)]


def test_exact_release_gets_one_tick_just_after_it() -> None:
    """No uncertainty: no burst, and a tick lands a millisecond after the release."""
    schedule = aligned_schedule(0.0, 1.0, CADENCE, burst=9, uncertainty_s=0.0)
    assert schedule.burst == 0
    times = ticks(schedule, 40)
    after = [t for t in times if t >= 1.0]
    assert after[0] == pytest.approx(1.0 + ALIGN_MARGIN_S)
    assert times[0] >= 0.0


def test_uncertain_release_is_covered_by_a_burst() -> None:
    """± 10 ms: ticks spread over the window, at least BURST_SPACING_S apart, the last surely after."""
    schedule = aligned_schedule(0.0, 1.0, CADENCE, burst=9, uncertainty_s=0.010)
    assert schedule.burst == int(0.020 // BURST_SPACING_S)  # as many as fit in 20 ms
    times = ticks(schedule, 40)
    window = [t for t in times if 1.0 - 0.010 <= t <= 1.0 + 0.010 + ALIGN_MARGIN_S]
    assert len(window) == schedule.burst + 1
    gaps = [b - a for a, b in itertools.pairwise(window)]
    assert min(gaps) >= BURST_SPACING_S - 1e-9
    assert max(window) == pytest.approx(1.0 + 0.010 + ALIGN_MARGIN_S)


def test_burst_never_exceeds_the_allowed_concurrency() -> None:
    """A wide window still moves at most ``burst`` ticks, all within one cadence."""
    schedule = aligned_schedule(0.0, 1.0, CADENCE, burst=2, uncertainty_s=0.5)
    assert schedule.burst == 2
    assert schedule.spacing_s <= CADENCE / 3


def test_a_release_already_past_gives_a_plain_schedule() -> None:
    """Nothing to align on: tick 0 at the earliest start."""
    assert aligned_schedule(5.0, 1.0, CADENCE, burst=3, uncertainty_s=0.01) == Schedule(
        5.0, CADENCE
    )


@settings(max_examples=300, deadline=None)
@given(
    release=st.floats(0.2, 30.0),
    uncertainty=st.floats(0.0, 0.2),
    burst=st.integers(0, 9),
    workers=st.integers(1, 4),
    cadence=st.sampled_from([0.05, 0.1, 0.5]),
)
def test_ticks_are_ordered_and_each_worker_gets_its_own(
    release: float, uncertainty: float, burst: int, workers: int, cadence: float
) -> None:
    """Tick times increase; walking each worker's ticks visits every tick exactly once."""
    schedule = aligned_schedule(0.0, release, cadence, burst, uncertainty)
    horizon = int((release + 1.0) / cadence) + 1
    times = ticks(schedule, horizon)
    assert all(a < b for a, b in itertools.pairwise(times))
    seen: list[int] = []
    for worker in range(workers):
        tick = schedule.next_for(worker, workers, 0.0)
        while tick < horizon:
            assert tick % workers == worker
            seen.append(tick)
            tick = schedule.next_for(worker, workers, schedule.time_of(tick) + 1e-6)
    assert sorted(seen) == list(range(horizon))


@settings(max_examples=300)
@given(
    st.floats(0.0, 2.0),
    st.floats(0.0, 0.05),
    st.integers(0, 9),
    st.sampled_from([0.05, 0.1, 0.5]),
)
def test_no_tick_leaves_before_the_earliest_start(
    lead: float, uncertainty: float, burst: int, cadence: float
) -> None:
    """Any lead (0 too) keeps every tick at or after the earliest start, burst included."""
    release = 10.0
    earliest = release - uncertainty - lead
    schedule = aligned_schedule(earliest, release, cadence, burst, uncertainty)
    times = ticks(schedule, 60)
    assert min(times) >= earliest - 1e-9
    assert schedule.first == times[0]
    if uncertainty >= BURST_SPACING_S and burst:  # a burst even when no grid tick fits before
        window = [t for t in times if release - uncertainty - 1e-9 <= t <= release + uncertainty]
        assert len(window) >= min(burst, int(2 * uncertainty // BURST_SPACING_S))
