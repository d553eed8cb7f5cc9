"""Unit tests of the pure decision core (booker.core.decide): plain values in, decisions out."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booker.core.decide import (
    DEFAULT_POLICY,
    BookingStep,
    Counters,
    Kind,
    Policy,
    Reaction,
    Step,
    Verdict,
    failure_warning,
    is_quiet,
    next_booking_step,
    react,
)
from booker.core.model import Slot
from booker.providers.resy_target import rank_slots

WARNING = "20+ failures: check credentials or the site"
RESETTING = (Kind.EXPECTED, Kind.FOUND, Kind.BOOKED)
PROPERTY = settings(max_examples=200, deadline=None, database=None, derandomize=True)


def verdict(kind: Kind, status: int = 200, reason: str = "") -> Verdict:
    """A verdict of ``kind`` with a plausible status."""
    return Verdict(kind, status, reason)


def fold(counters: Counters, kind: Kind, times: int, draw: float = 0.5) -> list[Reaction]:
    """Feed ``times`` verdicts of ``kind`` through ``react``, returning every reaction."""
    reactions: list[Reaction] = []
    for _ in range(times):
        reaction = react(counters, verdict(kind), draw)
        reactions.append(reaction)
        counters = reaction.counters
    return reactions


# --- react: every kind ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", RESETTING)
def test_success_kinds_reset_throttle_and_failure_counters(kind: Kind) -> None:
    """EXPECTED, FOUND and BOOKED zero both counters and keep the concurrency."""
    reaction = react(Counters(throttles=7, failures=19, concurrency=4), verdict(kind), 0.3)
    assert reaction == Reaction(Counters(throttles=0, failures=0, concurrency=4))


@pytest.mark.parametrize("kind", RESETTING)
def test_success_kinds_on_clean_counters_do_nothing(kind: Kind) -> None:
    """A success on clean counters pauses, warns, reduces and stops nothing."""
    counters = Counters(concurrency=3)
    reaction = react(counters, verdict(kind), 0.9)
    assert reaction.counters == counters
    assert (reaction.pause_s, reaction.reduced_to, reaction.warning, reaction.stop) == (
        0.0,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "counters",
    [Counters(), Counters(throttles=9, failures=19, concurrency=5), Counters(failures=3)],
)
def test_gone_changes_nothing(counters: Counters) -> None:
    """GONE leaves the counters exactly as they were and asks for nothing."""
    assert react(counters, verdict(Kind.GONE, 404), 0.5) == Reaction(counters)


@pytest.mark.parametrize(
    ("reason", "status", "expected"),
    [
        ("payment method required", 402, "payment method required"),
        ("bad credentials", 419, "bad credentials"),
        ("", 401, "service refused (HTTP 401)"),
        ("", 402, "service refused (HTTP 402)"),
    ],
)
def test_terminal_stops_with_reason_and_keeps_counters(
    reason: str, status: int, expected: str
) -> None:
    """TERMINAL stops with the verdict's reason (or the status) and touches no counter."""
    counters = Counters(throttles=2, failures=3, concurrency=2)
    reaction = react(counters, verdict(Kind.TERMINAL, status, reason), 0.5)
    assert reaction == Reaction(counters, stop=expected)


def test_every_kind_is_handled() -> None:
    """react returns a Reaction for every Kind, and only TERMINAL stops."""
    for kind in Kind:
        reaction = react(Counters(), verdict(kind), 0.5)
        assert isinstance(reaction, Reaction)
        assert (reaction.stop is not None) == (kind is Kind.TERMINAL)


# --- react: throttles ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draw", "low", "high"),
    [
        (0.0, 1.0, 1.0),
        (0.5, 1.5, 1.5),
        (0.25, 1.25, 1.25),
        (0.999999, 1.999, 2.0),
        (1.0 - 2**-53, 1.999, 2.0),
        (-3.0, 1.0, 1.0),  # out-of-range draws are clamped
        (7.0, 2.0, 2.0),
    ],
)
def test_throttle_pause_maps_draw_linearly_into_one_to_two_seconds(
    draw: float, low: float, high: float
) -> None:
    """The pause is 1 s + draw x 1 s, within [1, 2] for any draw."""
    pause = react(Counters(), verdict(Kind.THROTTLE, 429), draw).pause_s
    assert low <= pause <= high
    assert 1.0 <= pause <= 2.0


def test_throttle_pause_near_one_stays_below_two() -> None:
    """A draw just under 1 gives a pause just under 2 s, never 2 s or more."""
    pause = react(Counters(), verdict(Kind.THROTTLE, 0), 0.999999).pause_s
    assert pause < 2.0


@given(st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
@PROPERTY
def test_throttle_pause_is_within_bounds_for_any_draw(draw: float) -> None:
    """Every draw in [0, 1) pauses between 1 s and 2 s (2 s only by float rounding)."""
    pause = react(Counters(), verdict(Kind.THROTTLE, 429), draw).pause_s
    assert 1.0 <= pause <= 2.0


@pytest.mark.parametrize(
    ("retry_after", "draw", "pause"),
    [
        (3.0, 0.5, 3.0),  # longer than the drawn pause: honoured
        (0.5, 0.5, 1.5),  # shorter: the shared 1-2 s rule wins
        (0.0, 0.0, 1.0),
        (120.0, 0.5, 5.0),  # capped: a long Retry-After must not sit out the drop
        (None, 0.25, 1.25),
    ],
)
def test_retry_after_is_honoured_when_longer_and_capped(
    retry_after: float | None, draw: float, pause: float
) -> None:
    """The pause is the longer of the drawn one and Retry-After, at most 5 s."""
    throttled = Verdict(Kind.THROTTLE, 429, "rate limited", retry_after_s=retry_after)
    assert react(Counters(), throttled, draw).pause_s == pytest.approx(pause)


def test_nine_throttles_do_not_reduce_concurrency() -> None:
    """Nine throttles in a row count up to nine and keep the concurrency."""
    reactions = fold(Counters(concurrency=5), Kind.THROTTLE, 9)
    assert [r.counters.throttles for r in reactions] == list(range(1, 10))
    assert all(r.reduced_to is None for r in reactions)
    assert reactions[-1].counters.concurrency == 5
    assert all(r.pause_s > 0 for r in reactions)


def test_tenth_throttle_reduces_concurrency_and_restarts_count() -> None:
    """The tenth throttle drops the concurrency by one and resets the throttle count."""
    reactions = fold(Counters(concurrency=5), Kind.THROTTLE, 10)
    last = reactions[-1]
    assert last.reduced_to == 4
    assert last.counters == Counters(throttles=0, failures=0, concurrency=4)
    assert last.pause_s == 1.5


@pytest.mark.parametrize(
    ("count", "concurrency"),
    [(10, 9), (19, 9), (20, 8), (29, 8), (30, 7), (50, 5), (90, 1), (200, 1)],
)
def test_throttle_reductions_continue_every_tenth(count: int, concurrency: int) -> None:
    """Every tenth throttle in a row (10th, 20th, 30th, ...) reduces again, down to 1."""
    reactions = fold(Counters(concurrency=10), Kind.THROTTLE, count)
    assert reactions[-1].counters.concurrency == concurrency
    reduced = [i + 1 for i, r in enumerate(reactions) if r.reduced_to is not None]
    assert reduced == [n for n in range(10, count + 1, 10) if n <= 90]


@pytest.mark.parametrize("count", [10, 20, 30])
def test_concurrency_never_drops_below_one(count: int) -> None:
    """At concurrency 1 throttles still pause but reduce nothing (reduced_to stays None)."""
    reactions = fold(Counters(concurrency=1), Kind.THROTTLE, count)
    assert all(r.counters.concurrency == 1 for r in reactions)
    assert all(r.reduced_to is None for r in reactions)
    assert reactions[-1].counters.throttles == 0
    assert all(1.0 <= r.pause_s <= 2.0 for r in reactions)


def test_concurrency_two_reaches_floor_then_holds() -> None:
    """From 2 the 10th throttle reduces to 1; the 20th reports no further reduction."""
    reactions = fold(Counters(concurrency=2), Kind.THROTTLE, 20)
    assert reactions[9].reduced_to == 1
    assert reactions[19].reduced_to is None
    assert reactions[19].counters.concurrency == 1


def test_throttle_leaves_failure_count_alone() -> None:
    """A throttle counts only throttles; the failure count is kept as it was."""
    reaction = react(Counters(failures=4), verdict(Kind.THROTTLE, 429), 0.0)
    assert reaction.counters == Counters(throttles=1, failures=4)


@pytest.mark.parametrize("kind", RESETTING)
def test_success_between_throttles_restarts_the_run(kind: Kind) -> None:
    """Nine throttles, a success, nine more: no reduction because the run restarted."""
    counters = fold(Counters(concurrency=3), Kind.THROTTLE, 9)[-1].counters
    counters = react(counters, verdict(kind), 0.0).counters
    reactions = fold(counters, Kind.THROTTLE, 9)
    assert all(r.reduced_to is None for r in reactions)
    assert reactions[-1].counters.concurrency == 3


def test_gone_between_throttles_does_not_restart_the_run() -> None:
    """GONE does not reset: nine throttles, GONE, one throttle still reduce."""
    counters = fold(Counters(concurrency=3), Kind.THROTTLE, 9)[-1].counters
    counters = react(counters, verdict(Kind.GONE, 412), 0.0).counters
    assert react(counters, verdict(Kind.THROTTLE, 429), 0.0).reduced_to == 2


# --- react: failures -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "warned"),
    [(1, False), (19, False), (20, True), (21, False), (40, False)],
)
def test_failure_warning_exactly_at_twenty(count: int, warned: bool) -> None:
    """The warning is emitted by the 20th consecutive failure only, not the 19th or 21st."""
    reactions = fold(Counters(), Kind.FAILURE, count)
    assert reactions[-1].counters.failures == count
    assert (reactions[-1].warning == WARNING) is warned
    assert [i + 1 for i, r in enumerate(reactions) if r.warning] == ([20] if count >= 20 else [])


def test_failures_neither_pause_reduce_nor_stop() -> None:
    """A failure only counts: no pause, no reduction, no stop, throttles kept."""
    reaction = react(Counters(throttles=3, concurrency=4), verdict(Kind.FAILURE, 500), 0.9)
    assert reaction == Reaction(Counters(throttles=3, failures=1, concurrency=4))


@pytest.mark.parametrize("kind", RESETTING)
def test_failure_warning_returns_after_reset(kind: Kind) -> None:
    """After a reset, another 20 failures in a row warn again."""
    counters = fold(Counters(), Kind.FAILURE, 25)[-1].counters
    counters = react(counters, verdict(kind), 0.0).counters
    assert counters.failures == 0
    reactions = fold(counters, Kind.FAILURE, 20)
    assert reactions[-1].warning == WARNING
    assert all(r.warning is None for r in reactions[:-1])


def test_failure_warning_text() -> None:
    """The warning names the count and tells the user what to check."""
    assert failure_warning(20) == WARNING
    assert failure_warning(DEFAULT_POLICY.failure_warning_at) == WARNING


# --- react: policy values and purity -------------------------------------------------------------


def test_default_policy_values() -> None:
    """The defaults are the documented rules: 1-2 s, 10 throttles, 20 failures, floor 1, 20 ms."""
    assert Policy() == DEFAULT_POLICY
    assert (
        DEFAULT_POLICY.pause_min_s,
        DEFAULT_POLICY.pause_max_s,
        DEFAULT_POLICY.throttles_per_reduction,
        DEFAULT_POLICY.failure_warning_at,
        DEFAULT_POLICY.min_concurrency,
        DEFAULT_POLICY.booking_backoff_s,
    ) == (1.0, 2.0, 10, 20, 1, 0.02)


def test_custom_policy_is_honoured() -> None:
    """A custom policy changes pause range, reduction period, warning count and floor."""
    policy = Policy(
        pause_min_s=0.1,
        pause_max_s=0.3,
        throttles_per_reduction=3,
        failure_warning_at=5,
        min_concurrency=2,
    )
    counters = Counters(concurrency=3)
    reductions: list[int | None] = []
    for _ in range(6):
        reaction = react(counters, verdict(Kind.THROTTLE, 429), 0.5, policy)
        assert reaction.pause_s == pytest.approx(0.2)
        reductions.append(reaction.reduced_to)
        counters = reaction.counters
    assert reductions == [None, None, 2, None, None, None]
    assert counters.concurrency == 2
    warnings = []
    for _ in range(6):
        reaction = react(counters, verdict(Kind.FAILURE, 500), 0.5, policy)
        warnings.append(reaction.warning)
        counters = reaction.counters
    assert warnings == [None, None, None, None, "5+ failures: check credentials or the site", None]


counters_st = st.builds(
    Counters,
    throttles=st.integers(min_value=0, max_value=30),
    failures=st.integers(min_value=0, max_value=30),
    concurrency=st.integers(min_value=1, max_value=10),
)
verdict_st = st.builds(
    Verdict,
    kind=st.sampled_from(Kind),
    status=st.sampled_from([0, 200, 201, 401, 402, 404, 412, 419, 429, 500]),
    reason=st.text(max_size=10),
)


@given(counters_st, verdict_st, st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
@PROPERTY
def test_react_is_pure(counters: Counters, given_verdict: Verdict, draw: float) -> None:
    """Same counters, verdict and draw always give the same reaction; inputs stay unchanged."""
    before = pickle.dumps((counters, given_verdict))
    first = react(counters, given_verdict, draw)
    second = react(counters, given_verdict, draw)
    assert first == second
    assert pickle.dumps((counters, given_verdict)) == before


@given(counters_st, verdict_st, st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
@PROPERTY
def test_react_invariants(counters: Counters, given_verdict: Verdict, draw: float) -> None:
    """Counters stay non-negative, concurrency never rises nor drops below 1, pauses only on THROTTLE."""
    reaction = react(counters, given_verdict, draw)
    assert reaction.counters.throttles >= 0
    assert reaction.counters.failures >= 0
    assert 1 <= reaction.counters.concurrency <= counters.concurrency
    assert (reaction.pause_s > 0) == (given_verdict.kind is Kind.THROTTLE)
    if reaction.reduced_to is not None:
        assert reaction.reduced_to == counters.concurrency - 1 == reaction.counters.concurrency


@given(counters_st, verdict_st, st.floats(min_value=0.0, max_value=1.0, exclude_max=True))
@PROPERTY
def test_is_quiet_implies_react_changes_nothing(
    counters: Counters, given_verdict: Verdict, draw: float
) -> None:
    """Whenever is_quiet says so, react returns the counters unchanged and asks for nothing."""
    if is_quiet(counters, given_verdict):
        assert react(counters, given_verdict, draw) == Reaction(counters)


@pytest.mark.parametrize(
    ("counters", "kind", "quiet"),
    [
        (Counters(), Kind.EXPECTED, True),
        (Counters(), Kind.FOUND, True),
        (Counters(), Kind.GONE, True),
        (Counters(), Kind.THROTTLE, False),
        (Counters(), Kind.FAILURE, False),
        (Counters(), Kind.TERMINAL, False),
        (Counters(throttles=1), Kind.EXPECTED, False),
        (Counters(failures=1), Kind.EXPECTED, False),
        (Counters(failures=1), Kind.FOUND, False),
    ],
)
def test_is_quiet_table(counters: Counters, kind: Kind, quiet: bool) -> None:
    """is_quiet is true only for uneventful kinds on clean counters."""
    assert is_quiet(counters, verdict(kind)) is quiet


# --- next_booking_step ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "step"),
    [
        (Kind.BOOKED, Step.DONE),
        (Kind.TERMINAL, Step.STOP),
        (Kind.GONE, Step.NEXT),
        (Kind.EXPECTED, Step.NEXT),
        (Kind.FOUND, Step.NEXT),
    ],
)
@pytest.mark.parametrize("attempt", [0, 1, 5])
def test_booking_step_for_final_kinds(kind: Kind, step: Step, attempt: int) -> None:
    """BOOKED is done, TERMINAL stops, GONE (and non-booking answers) move on, at any attempt."""
    assert next_booking_step(verdict(kind), attempt, retries=3) == BookingStep(step)


@pytest.mark.parametrize("kind", [Kind.THROTTLE, Kind.FAILURE])
@pytest.mark.parametrize(
    ("attempt", "wait"),
    [(0, 0.02), (1, 0.04), (2, 0.06)],
)
def test_transient_answers_retry_with_growing_backoff(
    kind: Kind, attempt: int, wait: float
) -> None:
    """Transient answers retry the same slot after 20 ms x (attempt + 1)."""
    result = next_booking_step(verdict(kind), attempt, retries=3)
    assert result.step is Step.RETRY
    assert result.wait_s == pytest.approx(wait)


@pytest.mark.parametrize("kind", [Kind.THROTTLE, Kind.FAILURE])
@pytest.mark.parametrize(("attempt", "retries"), [(3, 3), (4, 3), (0, 0), (10, 10)])
def test_transient_answers_move_on_when_retries_are_spent(
    kind: Kind, attempt: int, retries: int
) -> None:
    """Once attempt reaches retries, a transient answer moves to the next slot."""
    assert next_booking_step(verdict(kind), attempt, retries) == BookingStep(Step.NEXT)


def test_booking_backoff_follows_policy() -> None:
    """The retry wait scales with the policy's booking_backoff_s."""
    result = next_booking_step(verdict(Kind.FAILURE, 500), 2, 5, Policy(booking_backoff_s=0.1))
    assert result.step is Step.RETRY
    assert result.wait_s == pytest.approx(0.3)


@given(
    st.sampled_from(Kind),
    st.integers(min_value=0, max_value=20),
    st.integers(min_value=0, max_value=10),
)
@PROPERTY
def test_retries_are_bounded(kind: Kind, attempt: int, retries: int) -> None:
    """RETRY only happens for transient kinds while attempt < retries, always with a positive wait."""
    result = next_booking_step(verdict(kind), attempt, retries)
    if result.step is Step.RETRY:
        assert kind in (Kind.THROTTLE, Kind.FAILURE, Kind.UNKNOWN)
        assert attempt < retries
        assert result.wait_s > 0
    else:
        assert result.wait_s == 0.0


# --- rank_slots ----------------------------------------------------------------------------------


def slot(time: str, token: str, table: str = "Dining Room") -> Slot:
    """A slot on the target day."""
    return Slot(time=time, table_type=table, token=token, day="2026-12-24")


def test_rank_slots_orders_by_wanted_times_then_as_served() -> None:
    """Slots come out in the order of ``times``; ties keep the service's order."""
    served = [
        slot("18:00:00", "a"),
        slot("19:30:00", "b"),
        slot("19:00:00", "c", "Bar"),
        slot("19:30:00", "d", "Patio"),
        slot("19:00:00", "e"),
    ]
    ranked = rank_slots(served, ("19:30:00", "19:00:00"))
    assert [s.token for s in ranked] == ["b", "d", "c", "e"]


@pytest.mark.parametrize(
    ("times", "tokens"),
    [
        ((), []),
        (("21:00:00",), []),
        (("18:00:00",), ["a"]),
        (("19:00:00", "18:00:00"), ["c", "a"]),
    ],
)
def test_rank_slots_drops_unwanted_times(times: tuple[str, ...], tokens: list[str]) -> None:
    """Only slots whose time is wanted are returned."""
    served = (slot("18:00:00", "a"), slot("20:00:00", "b"), slot("19:00:00", "c"))
    assert [s.token for s in rank_slots(served, times)] == tokens


@given(
    st.lists(
        st.builds(
            slot,
            st.sampled_from(["18:00:00", "19:00:00", "19:30:00", "20:00:00"]),
            st.text(min_size=1, max_size=3),
        ),
        max_size=12,
    ),
    st.lists(
        st.sampled_from(["18:00:00", "19:00:00", "19:30:00", "21:00:00"]), unique=True, max_size=4
    ),
)
@PROPERTY
def test_rank_slots_properties(served: list[Slot], times: list[str]) -> None:
    """Ranking keeps exactly the wanted slots, sorted by preference, stable within a time."""
    ranked = rank_slots(served, tuple(times))
    assert sorted(map(repr, ranked)) == sorted(repr(s) for s in served if s.time in times)
    positions = [times.index(s.time) for s in ranked]
    assert positions == sorted(positions)
    for wanted in times:
        assert [s for s in ranked if s.time == wanted] == [s for s in served if s.time == wanted]
