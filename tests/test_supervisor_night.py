"""The supervisor's waits and timeouts on a fake clock: hours ahead, in milliseconds of real time.

The workers are fakes that get ready a set number of (fake) seconds after they
start; the event queue's timed ``get`` advances the fake clock. So these tests
see exactly what the cron night sees: a long wait, a prewarm, a slow warm-up,
a clock estimate that lies, and ``--max-duration``.
"""

from __future__ import annotations

import multiprocessing
import queue
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from booker.core.model import StartTiming, Status
from booker.core.ports import Event, Job
from booker.core.results import StatusSnapshot
from booker.core.settings import EngineSettings
from booker.core.wire import ClientConfig
from booker.engine.schedule import Schedule
from booker.engine.shared import ClockReading, SharedState, Stop
from booker.engine.supervisor import READY_TIMEOUT_S, Supervisor
from booker.output import wording

EPOCH = 1_800_000_000.0  # the fake wall clock starts here
MONO = 5_000.0  # and the fake monotonic clock here


@dataclass
class FakeClock:
    """Wall and monotonic time that only move when something sleeps or waits."""

    wall: float = EPOCH
    mono: float = MONO
    on_advance: list[Any] = field(default_factory=list)

    def time(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.wall += max(seconds, 0.0)
        self.mono += max(seconds, 0.0)
        for hook in self.on_advance:
            hook()


class FakeQueue:
    """The event queue: never holds anything; a timed wait moves the fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock

    def get(self, timeout: float | None = None) -> Event:
        self.clock.advance(timeout or 0.0)
        raise queue.Empty

    def get_nowait(self) -> Event:
        raise queue.Empty

    def close(self) -> None:
        pass

    def join_thread(self) -> None:
        pass


@dataclass
class Behaviour:
    """How the fake workers behave."""

    ready_after_s: float = 2.0  # warm-up (and clock probing) time after the start
    clock: tuple[float, ...] | None = None  # worker 0's ClockReading: offset, ±, rtt, jitter


class FakeProcess:
    """A worker that marks itself ready ``ready_after_s`` after ``start()``, on the fake clock."""

    def __init__(self, clock: FakeClock, behaviour: Behaviour, args: tuple[Any, ...]) -> None:
        self.clock = clock
        self.behaviour = behaviour
        self.spec, self.shared, _ = args
        self.started_wall: float | None = None
        self.started_mono: float | None = None
        clock.on_advance.append(self._tick)

    def start(self) -> None:
        self.started_wall = self.clock.time()
        self.started_mono = self.clock.monotonic()

    def _tick(self) -> None:
        shared: SharedState = self.shared
        if self.started_mono is None or shared.ready(self.spec.index):
            return
        if self.clock.monotonic() - self.started_mono >= self.behaviour.ready_after_s:
            if self.spec.index == 0 and self.behaviour.clock is not None:
                shared.publish_clock(ClockReading(*self.behaviour.clock))
            shared.mark_ready(self.spec.index)

    def is_alive(self) -> bool:
        return self.started_mono is not None and not self.shared.stopped

    @property
    def exitcode(self) -> int | None:
        return None if self.is_alive() else 0

    def terminate(self) -> None:
        pass

    def kill(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass


class FakeContext:
    """Real shared memory (fork context), fake processes and queue."""

    def __init__(self, clock: FakeClock, behaviour: Behaviour) -> None:
        self.real = multiprocessing.get_context("fork")
        self.clock = clock
        self.behaviour = behaviour
        self.processes: list[FakeProcess] = []

    def __getattr__(self, name: str) -> Any:  # Value, RawValue, Lock, RawArray
        return getattr(self.real, name)

    def Queue(self) -> FakeQueue:  # noqa: N802 - the multiprocessing name
        return FakeQueue(self.clock)

    def Process(self, target: Any, args: tuple[Any, ...], **kwargs: Any) -> FakeProcess:  # noqa: N802
        process = FakeProcess(self.clock, self.behaviour, args)
        self.processes.append(process)
        return process


class Recorder:
    """A reporter that keeps what it was told."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.notices: list[str] = []
        self.countdowns: list[float] = []
        self.polling_at: float | None = None  # fake epoch of tick 0
        self.polling_mono: float | None = None

    def started(self, settings: EngineSettings, workers: int) -> None:
        pass

    def polling(self, starts_in_s: float) -> None:
        self.polling_at = self.clock.time() + starts_in_s
        self.polling_mono = self.clock.monotonic() + starts_in_s

    def event(self, event: Event, elapsed_s: float) -> None:
        pass

    def status(self, snapshot: StatusSnapshot) -> None:
        pass

    def not_ready(self) -> None:
        self.notices.append(wording.WORKERS_NOT_READY)

    def worker_died(self, index: int, exit_code: int | None) -> None:
        self.notices.append(wording.worker_died(index, exit_code))

    def countdown(self, seconds: float, label: str) -> None:
        self.countdowns.append(seconds)


@dataclass
class Night:
    """One supervised run on the fake clock, and what it saw."""

    result: Any
    context: FakeContext
    reporter: Recorder
    supervisor: Supervisor


def run_night(
    ahead_s: float | None,
    behaviour: Behaviour | None = None,
    use_server_clock: bool = True,
    **settings: Any,
) -> Night:
    """Run the supervisor with ``--at`` ``ahead_s`` seconds from the fake now (None: no --at)."""
    clock = FakeClock()
    context = FakeContext(clock, behaviour or Behaviour())
    reporter = Recorder(clock)
    engine = EngineSettings(**{"workers": 2, "max_duration_s": 30, **settings})
    start = (
        None
        if ahead_s is None
        else StartTiming(EPOCH + ahead_s, use_server_clock=use_server_clock, label="the drop")
    )
    supervisor = Supervisor(
        engine,
        ClientConfig(base_url="http://127.0.0.1:9"),
        job=cast(Job, None),  # the fake context never runs a flow
        reporter=reporter,
        start=start,
        clock=clock,
        context=context,
    )
    return Night(supervisor.run(), context, reporter, supervisor)


@pytest.mark.parametrize("ahead_s", [45.0, 60.0, 2 * 3600.0, 23.9 * 3600.0])
def test_a_release_far_ahead_starts_workers_at_the_prewarm_and_polls(ahead_s: float) -> None:
    """Minutes or hours ahead: wait, start the workers prewarm_s before, poll lead_ms early."""
    night = run_night(ahead_s, Behaviour(ready_after_s=6.0))
    assert night.reporter.notices == []
    started = [p.started_wall for p in night.context.processes]
    assert started == [pytest.approx(EPOCH + ahead_s - 10, abs=0.26)] * 2
    assert night.reporter.polling_at == pytest.approx(EPOCH + ahead_s - 0.5, abs=0.2)
    assert night.result.status is Status.NOT_BOOKED  # the fakes never book: --max-duration ends it
    assert night.result.elapsed_ms == pytest.approx(30_000, abs=300)
    assert night.reporter.countdowns[0] == pytest.approx(ahead_s)


def test_the_readiness_timeout_counts_from_the_workers_start() -> None:
    """A warm-up that takes 25 s of a 30 s allowance still polls, however long the wait was."""
    night = run_night(120.0, Behaviour(ready_after_s=25.0))
    assert night.reporter.notices == []
    assert night.reporter.polling_at is not None


def test_workers_never_ready_fail_after_the_timeout_not_before() -> None:
    """Workers that never get ready end the run READY_TIMEOUT_S + prewarm_s after they started."""
    night = run_night(300.0, Behaviour(ready_after_s=1e9))
    assert night.result.status is Status.UNREACHABLE
    assert any("could not get ready" in n for n in night.reporter.notices), night.reporter.notices
    started = night.context.processes[0].started_mono
    assert started is not None
    gave_up = night.supervisor.clock.monotonic()
    assert gave_up - started == pytest.approx(READY_TIMEOUT_S + 10, abs=0.5)
    assert night.result.elapsed_ms >= 0


@pytest.mark.parametrize("offset_s", [1.8e9, -2.3e9, 3600.0, -301.0])
def test_an_implausible_clock_estimate_is_ignored(offset_s: float) -> None:
    """A Date-header estimate hours off never moves the start: the local clock is used."""
    night = run_night(600.0, Behaviour(clock=(offset_s, 0.01)))
    assert night.reporter.polling_at == pytest.approx(EPOCH + 600 - 0.5, abs=0.2)
    assert night.supervisor.clock_offset_s is None
    assert night.result.elapsed_ms == pytest.approx(30_000, abs=300)


def test_a_plausible_clock_estimate_moves_the_start() -> None:
    """The service 1.5 s ahead (offset -1.5): polling starts 1.5 s earlier on our clock."""
    night = run_night(600.0, Behaviour(clock=(-1.5, 0.01)))
    assert night.supervisor.clock_offset_s == -1.5
    assert night.reporter.polling_at is not None
    assert night.reporter.polling_at <= EPOCH + 600 - 1.5 - 0.5 + 0.02


def test_clock_probes_end_before_the_first_poll() -> None:
    """Worker 0 is told to stop probing before lead_ms ahead of the target, on any prewarm."""
    night = run_night(3600.0, prewarm_s=10, lead_ms=500)
    spec = night.context.processes[0].spec
    assert spec.clock_samples > 0
    assert spec.clock_deadline < EPOCH + 3600 - 0.5
    assert spec.clock_deadline > EPOCH + 3600 - 10


def test_max_duration_bounds_a_run_without_at() -> None:
    """Without --at, polling starts once warm and --max-duration ends it."""
    night = run_night(None, Behaviour(ready_after_s=1.0), max_duration_s=45)
    assert night.result.status is Status.NOT_BOOKED
    assert night.result.elapsed_ms == pytest.approx(45_000, abs=300)
    assert night.context.processes[0].spec.clock_samples == 0


def test_a_stop_during_the_wait_reports_no_negative_time() -> None:
    """Interrupted before tick 0 (here: the schedule far ahead), elapsed is never negative."""
    clock = FakeClock()
    context = FakeContext(clock, Behaviour())
    reporter = Recorder(clock)
    supervisor = Supervisor(
        EngineSettings(workers=1, max_duration_s=30),
        ClientConfig(base_url="http://127.0.0.1:9"),
        job=cast(Job, None),  # the fake context never runs a flow
        reporter=reporter,
        start=StartTiming(EPOCH + 100, label="the drop"),
        clock=clock,
        context=context,
    )

    def interrupt_once_polling_is_scheduled() -> None:
        if reporter.polling_mono is not None and clock.monotonic() < reporter.polling_mono:
            context.processes[0].shared.request_stop(Stop.INTERRUPTED)

    clock.on_advance.append(interrupt_once_polling_is_scheduled)
    result = supervisor.run()
    assert result.status is Status.INTERRUPTED
    assert result.elapsed_ms == 0


def aligned_arrival_epoch(night: Night, one_way: float) -> float:
    """When the aligned tick's poll reaches the service, as a fake epoch."""
    schedule: Schedule = night.context.processes[0].shared.schedule(0.1)
    return schedule.time_of(schedule.aligned_tick) + (EPOCH - MONO) + one_way


def test_polls_leave_early_by_the_one_way_delay() -> None:
    """A 30 ms round trip: ticks leave 15 ms early, so the aligned poll *arrives* after the release."""
    night = run_night(600.0, Behaviour(clock=(-1.5, 0.002, 0.030, 0.002)))
    release_local = EPOCH + 600 - 1.5
    assert aligned_arrival_epoch(night, 0.015) == pytest.approx(release_local + 0.003, abs=1e-5)
    assert night.reporter.polling_at is not None
    assert night.reporter.polling_at >= release_local - 0.002 - 0.5 - 0.015 - 1e-5


def test_lead_zero_spreads_the_burst_over_the_uncertainty() -> None:
    """--lead-ms 0, +-20 ms: the burst arrives over the window, nothing before it can open."""
    night = run_night(600.0, Behaviour(clock=(0.0, 0.020, 0.030, 0.0)), lead_ms=0, concurrency=5)
    schedule = night.context.processes[0].shared.schedule(0.1)
    assert schedule.burst == 4
    shift = EPOCH - MONO + 0.015  # a tick's departure -> its arrival, as a fake epoch
    arrivals = [schedule.time_of(k) + shift for k in range(schedule.aligned_tick + 1)]
    assert min(arrivals) >= EPOCH + 600 - 0.020 - 1e-5
    assert max(arrivals) == pytest.approx(EPOCH + 600 + 0.021, abs=1e-5)
    assert night.reporter.polling_at == pytest.approx(min(arrivals) - 0.015, abs=1e-5)
