"""Unit tests of the global tick schedule dealt round-robin to workers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booker.engine.schedule import next_own_tick, tick_time

PROPERTY = settings(max_examples=200, deadline=None, database=None, derandomize=True)


@pytest.mark.parametrize(
    ("start", "tick", "cadence", "expected"),
    [(100.0, 0, 0.1, 100.0), (100.0, 10, 0.1, 101.0), (0.0, 3, 0.25, 0.75), (5.0, 7, 2.0, 19.0)],
)
def test_tick_time(start: float, tick: int, cadence: float, expected: float) -> None:
    """Tick n is due at start + n x cadence."""
    assert tick_time(start, tick, cadence) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("now", "worker", "workers", "expected"),
    [
        (-5.0, 0, 3, 0),  # before the start: each worker's first tick
        (-5.0, 2, 3, 2),
        (0.0, 1, 3, 1),  # at the start
        (1.0, 0, 3, 3),  # tick 0 is past; tick 1 (due at 1.0) is worker 1's
        (1.0, 1, 3, 1),
        (1.0, 2, 3, 2),
        (1.5, 0, 3, 3),
        (1.5, 1, 3, 4),
        (1.5, 2, 3, 2),
        (2.0, 2, 3, 2),  # exactly on an own tick: that tick
        (2.0000001, 2, 3, 5),
        (10.0, 0, 1, 10),
        (10.2, 0, 1, 11),
    ],
)
def test_next_own_tick_examples(now: float, worker: int, workers: int, expected: int) -> None:
    """The first tick at or after now whose number is worker modulo workers."""
    assert next_own_tick(0.0, now, 1.0, worker, workers) == expected


@given(
    start=st.floats(min_value=0, max_value=1e6),
    offset=st.floats(min_value=-10, max_value=1e4),
    cadence=st.sampled_from([0.05, 0.1, 0.25, 1.0, 5.0]),
    workers=st.integers(min_value=1, max_value=16),
    data=st.data(),
)
@PROPERTY
def test_next_own_tick_is_first_own_tick_not_before_now(
    start: float, offset: float, cadence: float, workers: int, data: st.DataObject
) -> None:
    """The tick belongs to the worker, is not before now, and the worker's previous tick is."""
    worker = data.draw(st.integers(min_value=0, max_value=workers - 1))
    now = start + offset
    tick = next_own_tick(start, now, cadence, worker, workers)
    slack = 1e-6 * max(1.0, abs(start), abs(now))
    assert tick >= 0
    assert tick % workers == worker
    assert tick_time(start, tick, cadence) >= now - slack
    if tick - workers >= 0:
        assert tick_time(start, tick - workers, cadence) < now + slack


@given(
    workers=st.integers(min_value=1, max_value=16),
    now=st.floats(min_value=0, max_value=1e3),
)
@PROPERTY
def test_workers_share_ticks_without_overlap(workers: int, now: float) -> None:
    """At any moment the workers' next ticks are distinct and cover one window of ticks."""
    ticks = sorted(next_own_tick(0.0, now, 0.1, w, workers) for w in range(workers))
    assert len(set(ticks)) == workers
    assert ticks[-1] - ticks[0] < workers
