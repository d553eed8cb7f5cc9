"""The server-clock estimator (booker.engine.server_clock): offset = local - server, from Date headers."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any
from wsgiref.handlers import format_date_time

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from booker.engine.server_clock import (
    Bounds,
    Estimate,
    Tracker,
    doubt,
    estimate_offset,
    format_estimate,
    next_probe_at,
    parse_http_date,
    probe_times,
    sample_bounds,
)

EPS = 1e-6
START = 1_790_000_000.0  # a local epoch to start simulations from


class FakeServer:
    """A server whose clock is ``local - offset``, answering after ``rtt`` with the stamp at ``frac``."""

    def __init__(
        self, offset: float, rtts: Iterator[float], fracs: Iterator[float], now: float = START
    ) -> None:
        self.offset = offset
        self.rtts = rtts
        self.fracs = fracs
        self.now = now
        self.max_rtt = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def answer(self) -> tuple[float, float, int]:
        """One request sent now: (sent, received, header second); advances the clock."""
        rtt = next(self.rtts)
        self.max_rtt = max(self.max_rtt, rtt)
        sent = self.now
        stamped = sent + next(self.fracs) * rtt
        self.now = sent + rtt
        return sent, self.now, math.floor(stamped - self.offset)

    async def probe(self) -> str | None:
        return format_date_time(self.answer()[2])


def constant(value: float) -> Iterator[float]:
    while True:
        yield value


def contains(bounds: Bounds | None, offset: float) -> bool:
    assert bounds is not None
    return bounds.low - EPS < offset <= bounds.high + EPS


offsets = st.floats(-5000, 5000, allow_nan=False)
rtts = st.floats(0.0002, 0.3)
fracs = st.floats(0.0, 1.0)


# --- parse_http_date ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "  Sun, 06 Nov 1994 08:49:37 GMT\r\n",
    ],
)
def test_parse_http_date_accepts_the_three_rfc7231_forms(text: str) -> None:
    """IMF-fixdate and both obsolete forms give the same epoch second."""
    assert parse_http_date(text) == 784111777


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "garbage",
        "Sun, 06 Nov 1994 08:49:37 PST",
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT",
        "1994-11-06T08:49:37Z",
    ],
)
def test_parse_http_date_refuses_garbage(text: str | None) -> None:
    """Anything that is not an HTTP date in GMT gives None, never an exception."""
    assert parse_http_date(text) is None


@given(st.integers(0, 4_000_000_000))
def test_parse_http_date_round_trips(second: int) -> None:
    """Whatever a server formats (as wsgiref and hypercorn do) parses back to the same second."""
    assert parse_http_date(format_date_time(second)) == second


@given(st.text(max_size=60))
def test_parse_http_date_never_raises(text: str) -> None:
    """Random text gives an int or None."""
    assert parse_http_date(text) is None or isinstance(parse_http_date(text), int)


# --- bounds and tracker ---------------------------------------------------------------------


def test_sample_bounds_follow_the_formula() -> None:
    """t0 - (D+1) < offset <= t2 - D."""
    assert sample_bounds(100.25, 100.5, 98) == Bounds(1.25, 2.5)


@given(offsets, rtts, fracs, st.floats(0, 10_000))
def test_one_answer_bounds_the_true_offset(
    offset: float, rtt: float, frac: float, after: float
) -> None:
    """Whenever a request is sent and stamped, the true offset lies within its bounds."""
    server = FakeServer(offset, constant(rtt), constant(frac), START + after)
    assert contains(sample_bounds(*server.answer()), offset)


@given(offsets, st.lists(st.tuples(rtts, fracs, st.floats(0, 3)), min_size=1, max_size=30))
def test_intersected_bounds_keep_the_true_offset(
    offset: float, probes: list[tuple[float, float, float]]
) -> None:
    """Probes at arbitrary times never contradict each other and the truth stays inside."""
    tracker = Tracker()
    server = FakeServer(offset, iter(p[0] for p in probes), iter(p[1] for p in probes))
    for _, _, pause in probes:
        server.now += pause
        tracker = tracker.add(*server.answer())
        assert contains(tracker.bounds, offset)
    estimate = tracker.estimate()
    assert estimate is not None
    assert estimate.consistent
    assert estimate.samples == len(probes)
    assert estimate.strict_uncertainty_s is not None
    assert estimate.uncertainty_s <= estimate.strict_uncertainty_s + EPS
    # stamps anywhere in the round trip break the symmetric assumption, never the strict guard
    assert abs(estimate.offset_s - offset) <= 2 * estimate.strict_uncertainty_s + EPS


@settings(max_examples=300)
@given(
    offsets,
    st.floats(0.0005, 0.1),
    st.lists(st.tuples(fracs, fracs, st.floats(0, 1.5)), min_size=2, max_size=30),
)
def test_symmetric_links_give_a_tighter_estimate_that_holds(
    offset: float, one_way: float, probes: list[tuple[float, float, float]]
) -> None:
    """Each way takes one_way plus up to 3 ms: the symmetric estimate holds, to the fastest's excess."""
    jitter = 0.003
    tracker, now, fastest = Tracker(), START, math.inf
    for up, down, pause in probes:
        now += pause
        stamped = now + one_way + up * jitter
        received = stamped + one_way + down * jitter
        tracker = tracker.add(now, received, math.floor(stamped - offset))
        fastest = min(fastest, received - now)
        now = received
    estimate = tracker.estimate()
    assert estimate is not None and estimate.strict_uncertainty_s is not None
    assert estimate.uncertainty_s <= estimate.strict_uncertainty_s + EPS
    excess = (fastest - 2 * one_way) / 2  # how far the fastest trip's floor over-reaches
    assert abs(estimate.offset_s - offset) <= estimate.uncertainty_s + excess + EPS
    assert estimate.rtt_s == pytest.approx(fastest)


@settings(max_examples=300)
@given(offsets, rtts, st.integers(2, 12))
def test_boundary_timed_probes_shrink_to_one_round_trip(offset: float, rtt: float, n: int) -> None:
    """With a steady rtt, n boundary-timed probes leave a width of at most rtt + 2^-(n-1)."""
    tracker = Tracker()
    server = FakeServer(offset, constant(rtt), constant(0.5))
    for _ in range(n):
        server.now = next_probe_at(tracker.estimate(), server.now, rtt)
        tracker = tracker.add(*server.answer())
        assert contains(tracker.bounds, offset)
    assert tracker.bounds is not None
    assert tracker.bounds.width <= rtt + 2.0 ** -(n - 1) + EPS


@settings(max_examples=300)
@given(offsets, st.lists(st.tuples(rtts, fracs), min_size=2, max_size=12))
def test_boundary_timed_probes_shrink_with_jittery_round_trips(
    offset: float, probes: list[tuple[float, float]]
) -> None:
    """With rtt and stamp position varying per probe, the width still falls to about 2 x max rtt."""
    tracker = Tracker()
    server = FakeServer(offset, iter(p[0] for p in probes), iter(p[1] for p in probes))
    predicted = 0.0
    for _ in probes:
        server.now = next_probe_at(tracker.estimate(), server.now, predicted)
        sent, received, second = server.answer()
        predicted = received - sent if not predicted else min(predicted, received - sent)
        tracker = tracker.add(sent, received, second)
        assert contains(tracker.bounds, offset)
    n = len(probes)
    assert tracker.bounds is not None
    bound = 2 * server.max_rtt + (1 + server.max_rtt) * 2.0 ** -(n - 1)
    assert tracker.bounds.width <= bound + EPS


@settings(max_examples=300)
@given(offsets, rtts, st.integers(1, 6), st.integers(1, 6), fracs)
@example(offset=0.0, rtt=0.048828125, rounds=2, per_boundary=6, frac=0.0)  # 6, then 4 fit
def test_spread_probes_divide_the_window_per_boundary(
    offset: float, rtt: float, rounds: int, per_boundary: int, frac: float
) -> None:
    """n probes per boundary: the width falls by about n + 1 per boundary, to ~2 round trips.

    n is what fits: probes one round trip apart, so a window already narrowed to a few
    round trips takes fewer than ``per_boundary``."""
    tracker = Tracker()
    server = FakeServer(offset, constant(rtt), constant(frac))
    tracker = tracker.add(*server.answer())  # the first probe: nothing known yet
    divided = 1.0
    for _ in range(rounds):
        times = probe_times(tracker.estimate(), server.now, rtt, per_boundary)
        divided *= len(times) + 1
        assert 1 <= len(times) <= per_boundary
        assert times[0] >= server.now - EPS
        assert all(b - a >= rtt - EPS for a, b in itertools.pairwise(times))
        for at in times:
            server.now = max(server.now, at)
            tracker = tracker.add(*server.answer())
            assert contains(tracker.bounds, offset)
    assert tracker.bounds is not None
    bound = 2 * rtt + (1 + rtt) / divided
    assert tracker.bounds.width <= bound + EPS


def test_contradicting_answer_restarts_and_is_reported() -> None:
    """A cached Date (an empty intersection) restarts from the newest answer and counts a reset."""
    tracker = Tracker().add(0.0, 0.01, 100).add(2.0, 2.01, 102)
    assert tracker.bounds == sample_bounds(2.0, 2.01, 102).intersect(sample_bounds(0.0, 0.01, 100))
    stale = tracker.add(4.0, 4.01, 102)  # the same second two seconds later: a cached header
    assert stale.resets == 1
    assert stale.samples == 1
    assert stale.bounds == sample_bounds(4.0, 4.01, 102)
    estimate = stale.estimate()
    assert estimate is not None
    assert not estimate.consistent
    assert "disagreed 1x" in format_estimate(estimate)


def test_answer_received_before_sent_is_ignored() -> None:
    """A local clock step backwards mid-request adds nothing."""
    tracker = Tracker().add(10.0, 10.01, 5)
    assert tracker.add(20.0, 19.0, 15) == tracker


def test_touching_bounds_are_not_a_contradiction() -> None:
    """Bounds that meet within float rounding collapse to a point instead of resetting."""
    assert Bounds(0.0, 1.0).intersect(Bounds(1.0 + 1e-9, 2.0)) is not None
    assert Bounds(0.0, 1.0).intersect(Bounds(1.1, 2.0)) is None


# --- next_probe_at, Estimate, formatting ----------------------------------------------------


def test_first_probe_goes_now() -> None:
    """Nothing known yet: probe at once."""
    assert next_probe_at(None, 123.4, 0.01) == 123.4


@given(offsets, st.floats(0, 1e6), rtts)
def test_next_probe_lands_on_a_predicted_boundary(offset: float, now: float, rtt: float) -> None:
    """The probe is not in the past, within a second, and arrives on a whole server second."""
    at = next_probe_at(Estimate(offset, 0.5), START + now, rtt)
    assert START + now - EPS <= at < START + now + 1 + EPS
    arrival_server = at + rtt / 2 - offset
    assert abs(arrival_server - round(arrival_server)) < 1e-4


@pytest.mark.parametrize(
    ("offset", "uncertainty", "text"),
    [
        (-1.32, 0.02, "server clock +1.320 s ± 20.0 ms"),
        (0.5, 0.0042, "server clock -0.500 s ± 4.2 ms"),
        (0.0, 0.5, "server clock +0.000 s ± 500.0 ms (agrees with this machine's clock)"),
        (0.001, 0.0015, "server clock -0.001 s ± 1.5 ms (agrees with this machine's clock)"),
        (0.003, 0.0015, "server clock -0.003 s ± 1.5 ms"),
    ],
)
def test_format(offset: float, uncertainty: float, text: str) -> None:
    """The human form shows how far the server runs ahead of us (the opposite sign of offset_s)."""
    assert format_estimate(Estimate(offset, uncertainty)) == text
    assert str(Estimate(offset, uncertainty)) == text


def test_estimate_converts_between_clocks() -> None:
    """A server instant S is the local instant S + offset, and back."""
    estimate = Estimate(-1.5, 0.01)
    assert estimate.to_local(1000.0) == 998.5
    assert estimate.to_server(998.5) == 1000.0


# --- the async driver -----------------------------------------------------------------------


def test_driver_converges_with_injected_clock_and_sleep() -> None:
    """Six boundaries probed against a server 1.5 s ahead: within about one round trip of -1.5."""
    server = FakeServer(-1.5, constant(0.004), constant(0.5), now=START + 0.123)
    estimate = asyncio.run(
        estimate_offset(server.probe, samples=6, clock=server.clock, sleep=server.sleep)
    )
    assert estimate is not None
    assert 6 < estimate.samples <= 1 + 5 * 4  # one probe first, then up to four per boundary
    assert estimate.uncertainty_s <= 0.004
    halving = FakeServer(-1.5, constant(0.004), constant(0.5), now=START + 0.123)
    one_at_a_time = asyncio.run(
        estimate_offset(halving.probe, 6, halving.clock, halving.sleep, per_boundary=1)
    )
    assert one_at_a_time is not None and one_at_a_time.uncertainty_s > 0.01  # halving only
    assert abs(estimate.offset_s + 1.5) <= estimate.uncertainty_s + EPS
    assert all(0 < s <= 1.5 for s in server.slept)  # at most a second and a window ahead
    assert format_estimate(estimate).startswith("server clock +1.50")


def test_driver_skips_answers_without_a_date() -> None:
    """Probes that fail or carry garbage are skipped; none usable gives None."""
    answers = iter([None, "garbage", format_date_time(START), None])
    clock = iter(float(i) for i in range(100))

    async def probe() -> str | None:
        return next(answers)

    async def no_sleep(_: float) -> None:
        return None

    assert asyncio.run(estimate_offset(probe, 2, lambda: next(clock), no_sleep, 1)) is None
    estimate = asyncio.run(estimate_offset(probe, 2, lambda: next(clock), no_sleep, 1))
    assert estimate is not None
    assert estimate.samples == 1


class VirtualLink:
    """A service across a link, on virtual time: probes really are in flight together.

    Each way takes ``one_way`` plus up to ``jitter`` (uniform, seeded); the service
    stamps ``Date`` when the request reaches it. ``run`` drives a coroutine, moving
    time to the next timer whenever everything else waits.
    """

    def __init__(self, offset: float, one_way: float, jitter: float, seed: int = 1) -> None:
        self.offset, self.one_way, self.jitter = offset, one_way, jitter
        self.now = START + 0.123
        self.random = random.Random(seed)
        self.timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self.order = itertools.count()
        self.sent: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self.timers, (self.now + max(seconds, 0.0), next(self.order), future))
        await future

    async def probe(self) -> str | None:
        self.sent.append(self.now)
        await self.sleep(self.one_way + self.random.uniform(0, self.jitter))
        stamped = self.now
        await self.sleep(self.one_way + self.random.uniform(0, self.jitter))
        return format_date_time(math.floor(stamped - self.offset))

    def run(self, coroutine: Coroutine[Any, Any, Estimate | None]) -> Estimate | None:
        async def drive() -> Estimate | None:
            task = asyncio.ensure_future(coroutine)
            while not task.done():
                for _ in range(50):  # let everything that can run, run
                    await asyncio.sleep(0)
                if self.timers and not task.done():
                    when, _, future = heapq.heappop(self.timers)
                    self.now = max(self.now, when)
                    future.set_result(None)
            return task.result()

        return asyncio.run(drive())


@pytest.mark.parametrize("seed", range(8))
def test_an_internet_link_gives_a_clock_within_5_ms(seed: int) -> None:
    """30 ms round trip, 0-3 ms jitter each way, the service 1.5 s ahead: +-5 ms, truth inside."""
    link = VirtualLink(offset=-1.5, one_way=0.015, jitter=0.003, seed=seed)
    estimate = link.run(estimate_offset(link.probe, 8, link.clock, link.sleep))
    assert estimate is not None and estimate.strict_uncertainty_s is not None
    assert estimate.uncertainty_s <= 0.005
    assert abs(estimate.offset_s + 1.5) <= estimate.uncertainty_s + 0.0015
    assert estimate.strict_uncertainty_s >= 0.015  # the strict bounds alone: a round trip wide
    assert estimate.rtt_s == pytest.approx(0.030, abs=0.0035)
    assert len(link.sent) <= 1 + 7 * 4


def test_probes_of_one_boundary_are_in_flight_together() -> None:
    """At 30 ms a round trip is wider than the window: the probes overlap instead of queueing."""
    link = VirtualLink(offset=-1.5, one_way=0.015, jitter=0.0)
    link.run(estimate_offset(link.probe, 4, link.clock, link.sleep))
    gaps = [b - a for a, b in itertools.pairwise(sorted(link.sent))]
    assert any(0 < gap < 0.030 for gap in gaps)


class LyingServer(FakeServer):
    """A server whose Date headers cycle through +jump, -jump and the truth."""

    def __init__(self, jump: float) -> None:
        super().__init__(0.0, constant(0.004), constant(0.5))
        self.jump = jump
        self.answers = itertools.count()

    async def probe(self) -> str | None:
        second = self.answer()[2]
        return format_date_time(second + (self.jump, -self.jump, 0.0)[next(self.answers) % 3])


def test_probing_stops_at_the_deadline_even_when_date_headers_jump() -> None:
    """Answers jumping +-1 h: no probe leaves after the deadline (was 16 s for a 10 s prewarm)."""
    server = LyingServer(3600.0)
    deadline = START + 7.0
    estimate = asyncio.run(
        estimate_offset(server.probe, 8, server.clock, server.sleep, deadline=deadline)
    )
    assert server.now <= deadline + 0.004 + EPS  # the last probe left before it
    assert estimate is not None
    assert doubt(estimate) is not None  # and what they said is not believed


def test_probing_stops_at_the_deadline_on_the_estimated_server_clock() -> None:
    """The service 3 s ahead: probing ends 3 s earlier on our clock, when its clock passes it."""
    link = VirtualLink(offset=-3.0, one_way=0.002, jitter=0.0)
    deadline = START + 9.0  # on the service's clock: START + 6 on ours
    estimate = link.run(estimate_offset(link.probe, 8, link.clock, link.sleep, deadline=deadline))
    assert estimate is not None and doubt(estimate) is None
    assert max(link.sent) <= START + 6.0 + EPS


def test_a_deadline_already_past_sends_nothing() -> None:
    """No time left before the start: no probe, no estimate."""
    server = FakeServer(0.0, constant(0.004), constant(0.5))
    assert (
        asyncio.run(estimate_offset(server.probe, 8, server.clock, server.sleep, deadline=0))
        is None
    )
    assert server.now == START


@pytest.mark.parametrize(
    ("estimate", "reason"),
    [
        (Estimate(1.8e9, 0.5), "1.8e+09 s behind"),  # Date fixed in 1970
        (Estimate(-2.3e9, 0.5), "2.3e+09 s ahead of"),  # 2099 (offset = local - server)
        (Estimate(-3600.0, 0.01), "3600 s ahead of"),
        (Estimate(300.5, 0.01), "300 s behind"),
        (Estimate(0.2, 0.01, samples=5, resets=2), "contradicted each other 2 times"),
        (Estimate(math.nan, 0.01), "this machine's clock"),
    ],
)
def test_implausible_estimates_are_doubted(estimate: Estimate, reason: str) -> None:
    """More than 5 minutes off, or answers that keep contradicting each other: not believed."""
    said = doubt(estimate)
    assert said is not None and reason in said


@pytest.mark.parametrize(
    "estimate", [Estimate(0.0, 0.001), Estimate(-1.5, 0.02), Estimate(299.0, 0.3, resets=1)]
)
def test_plausible_estimates_are_believed(estimate: Estimate) -> None:
    """Seconds or a few minutes off, at most one contradiction (a clock step): believed."""
    assert doubt(estimate) is None


@pytest.mark.e2e
def test_estimate_against_simulator_with_skewed_clock(tmp_path: Path) -> None:
    """The sim runs 1.5 s ahead (clock_skew_s = 1.5): offset = local - server is -1.5 ± 0.05 s."""
    from booker.sim.testing import running_sim

    scenario = 'provider = "resy"\nclock_skew_s = 1.5\nrivals = []\n'
    with running_sim(scenario, tmp_dir=tmp_path) as sim:

        async def run() -> Estimate | None:
            async with httpx.AsyncClient(
                base_url=sim.url, verify=sim.verify(), trust_env=False, http2=sim.http2
            ) as client:
                path = f"/2/config?venue_id={sim.scenario['venue_id']}"
                headers = sim.headers(user=False)
                await client.get(path, headers=headers)  # warm the connection first

                async def probe() -> str | None:
                    response = await client.get(path, headers=headers)
                    date: str | None = response.headers.get("date")
                    return date

                return await estimate_offset(probe, samples=6)

        estimate = asyncio.run(run())
    assert estimate is not None
    assert estimate.consistent
    assert abs(estimate.offset_s - -1.5) <= 0.05, format_estimate(estimate)
    assert estimate.uncertainty_s <= 0.05
