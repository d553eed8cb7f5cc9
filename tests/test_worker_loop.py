"""The worker's tick loop with a fake shared state, a fake clock and a fake flow: no processes,
no sockets, no real waiting."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import types
from pathlib import Path
from typing import Any

import pytest

from booker.core.decide import Counters, Kind, Verdict
from booker.core.model import Slot
from booker.core.settings import EngineSettings
from booker.core.wire import Answer, ClientConfig, Request
from booker.engine import worker as worker_module
from booker.engine.schedule import Schedule
from booker.engine.shared import Stop
from booker.engine.worker import Worker, WorkerSpec

START = 1000.0
POLL = Request("GET", "/poll")
POLLS = (POLL,)
SLOT = Slot("19:00:00", "Bar", "t")


class FakeClock:
    """Monotonic and wall time in one; only ``sleep_until`` moves it."""

    def __init__(self) -> None:
        self.now = START - 1.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    async def sleep_until(self, deadline: float, stopped: Any) -> bool:
        if stopped():
            return False
        self.now = max(self.now, deadline)
        await asyncio.sleep(0)  # let polls and bookings run
        return not stopped()


class FakeShared:
    """What the tick loop reads and writes of the shared state."""

    def __init__(self) -> None:
        self.stopped = False
        self.claimed = False
        self.stop = Stop.RUNNING
        self.start_at = START
        self.concurrency = 3
        self.flight = 0
        self.sent = 0

    def schedule(self, cadence_s: float) -> Schedule:
        return Schedule(START, cadence_s)

    def paused(self, now: float | None = None) -> bool:
        return False

    def in_flight(self) -> int:
        return self.flight

    def add_in_flight(self, worker: int, delta: int) -> None:
        self.flight += delta

    def count_request(self, worker: int) -> None:
        self.sent += 1

    def record_status(self, status: int) -> None:
        pass

    def counters(self) -> Counters:
        return Counters(concurrency=self.concurrency)


class FakeHttp:
    """Answers every request at once."""

    def prepare(self, request: Request) -> Request:
        return request

    async def send(self, request: Request) -> Answer:
        await asyncio.sleep(0)
        return Answer(200, b"{}")


class FakeFlow:
    """Polls find a slot from poll number ``found_from`` on; booking waits until released."""

    def __init__(self, shared: FakeShared, found_from: int = 10**9) -> None:
        self.shared = shared
        self.found_from = found_from
        self.polled = 0
        self.bookings = 0
        self.release = asyncio.Event()
        self.claim_after_polls: int | None = None

    def poll(self) -> Request:
        return POLL

    def polls(self) -> tuple[Request, ...]:
        return POLLS

    def probe(self) -> Request:
        return POLL

    def read_poll(self, answer: Answer) -> Verdict:
        self.polled += 1
        if self.claim_after_polls is not None and self.polled >= self.claim_after_polls:
            self.shared.claimed = True  # another worker claimed; its stop never came
        if self.polled >= self.found_from:
            return Verdict(Kind.FOUND, 200, slots=(SLOT,))
        return Verdict(Kind.EXPECTED, 200)

    async def book(self, io: Any, verdict: Verdict) -> None:
        self.bookings += 1
        await self.release.wait()


class FakeQueue:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def put(self, event: Any) -> None:
        self.events.append(event)


def make_worker(
    monkeypatch: pytest.MonkeyPatch, shared: FakeShared, flow: FakeFlow
) -> tuple[Worker, FakeClock]:
    clock = FakeClock()
    monkeypatch.setattr(worker_module, "time", types.SimpleNamespace(
        monotonic=clock.monotonic, time=clock.time))  # fmt: skip
    monkeypatch.setattr(worker_module, "sleep_until", clock.sleep_until)
    job = types.SimpleNamespace(flow=lambda: flow)
    spec = WorkerSpec(
        0, 1, EngineSettings(cadence_ms=50), ClientConfig("http://127.0.0.1:9"), job, os.getpid()
    )
    worker = Worker(spec, shared, FakeQueue())  # type: ignore[arg-type]
    worker.http = FakeHttp()  # type: ignore[assignment]
    return worker, clock


def run_loop(worker: Worker, timeout_s: float = 2.0) -> None:
    async def main() -> None:
        await asyncio.wait_for(worker._tick_loop(), timeout_s)

    asyncio.run(main())


def test_the_loop_polls_on_its_ticks_until_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """One poll per tick of the fake clock; a stop ends the loop."""
    shared = FakeShared()
    flow = FakeFlow(shared)
    worker, clock = make_worker(monkeypatch, shared, flow)
    original = flow.read_poll

    sent_at_stop: list[int] = []

    def read_poll(answer: Answer) -> Verdict:
        if flow.polled == 4 and not shared.stopped:
            shared.stopped = True
            sent_at_stop.append(shared.sent)
        return original(answer)

    flow.read_poll = read_poll  # type: ignore[method-assign]
    run_loop(worker)
    # a poll created on the tick before the stop may still leave; nothing after it
    assert shared.sent <= sent_at_stop[0] + 1
    ticks = (clock.now - START) / 0.05
    assert ticks == pytest.approx(round(ticks))  # the loop only ever woke on its 50 ms ticks
    assert shared.sent >= 5


def test_a_claim_without_a_stop_ends_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """The winner claimed and died before asking everyone to stop: polling ends all the same."""
    shared = FakeShared()
    flow = FakeFlow(shared)
    flow.claim_after_polls = 3
    worker, _ = make_worker(monkeypatch, shared, flow)
    original = flow.read_poll
    sent_at_claim: list[int] = []

    def read_poll(answer: Answer) -> Verdict:
        verdict = original(answer)
        if shared.claimed and not sent_at_claim:
            sent_at_claim.append(shared.sent)
        return verdict

    flow.read_poll = read_poll  # type: ignore[method-assign]
    run_loop(worker)
    assert shared.sent <= sent_at_claim[0] + 1  # (the old loop polled on until its timeout)
    assert flow.bookings == 0


def test_no_poll_while_booking_and_none_after_the_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    """A booking runs alone: the ticks meanwhile send nothing; its claim ends the loop."""
    shared = FakeShared()
    flow = FakeFlow(shared, found_from=2)
    worker, clock = make_worker(monkeypatch, shared, flow)
    during: list[int] = []

    async def book(io: Any, verdict: Verdict) -> None:
        flow.bookings += 1
        before, started = shared.sent, clock.now
        while clock.now < started + 0.5:  # ten ticks go by
            await asyncio.sleep(0)
        during.append(shared.sent - before)
        shared.claimed = True

    flow.book = book  # type: ignore[method-assign]
    run_loop(worker)
    assert flow.bookings == 1
    assert during == [0]
    assert flow.polled <= 3  # the one that found, and perhaps one already on its way


def test_the_log_stamps_requests_when_they_left_and_keeps_those_cut_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A logged request carries the instant its bytes left; one cancelled in flight is logged."""
    shared = FakeShared()
    worker, _ = make_worker(monkeypatch, shared, FakeFlow(shared))
    worker.spec = dataclasses.replace(worker.spec, log_path=tmp_path / "run.log")

    class SlowHttp(FakeHttp):
        async def send(self, request: Request) -> Answer:
            if request.path == "/hang":
                await asyncio.sleep(60)
            # queued 250 ms before leaving, answered 100 ms later
            return Answer(200, b"{}", elapsed_s=0.35, written_at=START - 1.0 + 0.25)

    worker.http = SlowHttp()  # type: ignore[assignment]

    async def main() -> None:
        await worker.send(POLL)
        hanging = asyncio.create_task(worker.send(Request("GET", "/hang")))
        await asyncio.sleep(0)
        hanging.cancel()
        with pytest.raises(asyncio.CancelledError):
            await hanging

    asyncio.run(main())
    (left, first), (_, second) = worker.trail
    assert isinstance(first, tuple) and isinstance(second, tuple)
    answered: Answer = first[1]
    cut: Request = second[0]
    lost: Answer = second[1]
    assert (left, answered.status) == (START - 1.0 + 0.25, 200)
    assert answered.elapsed_s == pytest.approx(0.10)  # the log's ms count from when it left
    assert (cut.path, lost.status, lost.error) == ("/hang", 0, "cancelled in flight")
    assert shared.flight == 0


def test_a_bug_in_a_poll_ends_the_loop_instead_of_polling_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``send`` raises only on a bug (network failures are answers): it ends the worker."""
    shared = FakeShared()
    flow = FakeFlow(shared)
    worker, _ = make_worker(monkeypatch, shared, flow)

    async def broken(request: Request) -> Answer:
        raise TypeError("a programming error")

    worker.http.send = broken  # type: ignore[method-assign, union-attr]
    with pytest.raises(TypeError, match="a programming error"):
        run_loop(worker)
    assert shared.sent <= 2  # a tick later the loop ended: no quiet stream of failed polls
