"""The supervisor: starts the workers, watches the job, stops it, reports the result.

It never talks to the service itself: workers do all I/O; the supervisor
reads shared memory and the workers' event queue.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import queue
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from booker.core.decide import DEFAULT_POLICY, Policy
from booker.core.model import StartTiming
from booker.core.ports import Event, Job
from booker.core.results import Outcome, StatusSnapshot
from booker.core.settings import BOOKING_TIMEOUT_S, EngineSettings
from booker.core.wire import ClientConfig
from booker.engine.clock import SYSTEM_CLOCK, Clock
from booker.engine.results import build_outcome
from booker.engine.schedule import Schedule, aligned_schedule
from booker.engine.server_clock import MAX_OFFSET_S
from booker.engine.shared import SharedState, Stop
from booker.engine.worker import WorkerSpec, worker_main

POLL_EVENTS_S = 0.01  # how soon the supervisor notices readiness, a stop, a dead worker
READY_TIMEOUT_S = 20.0  # counted from the workers' start, never from a wait before it
IMMEDIATE_START_S = 0.01  # without --at, tick 0 comes this soon after every worker is warm
MAX_CLOCK_SAMPLES = 8  # second boundaries probed (server_clock.probe_times: 4 probes each)
PROBE_MARGIN_S = 0.25  # clock probing ends this long before the first poll may leave
COUNTDOWN_EVERY_S = 0.25
WIND_DOWN_S = 0.8  # then terminate: an interrupt must end everything within a second
# a booking in flight may settle (its own deadline), duplicates get cancelled and swept
WIND_DOWN_BOOKED_S = BOOKING_TIMEOUT_S + 8.0


class Reporter(Protocol):
    """Receives what happens, for the terminal and the log."""

    def started(self, settings: EngineSettings, workers: int) -> None:
        """The job starts."""

    def polling(self, starts_in_s: float) -> None:
        """Every worker is warm; tick 0 comes in ``starts_in_s``."""

    def event(self, event: Event, elapsed_s: float) -> None:
        """A worker reported something."""

    def status(self, snapshot: StatusSnapshot) -> None:
        """Periodic status."""

    def not_ready(self) -> None:
        """The workers did not get ready in time: the service did not answer."""

    def worker_died(self, index: int, exit_code: int | None) -> None:
        """A worker died; the job goes on with the others."""

    def countdown(self, seconds: float, label: str) -> None:
        """Waiting for the prewarm moment before a scheduled start."""


class Supervisor:
    """Runs one booking job across worker processes."""

    def __init__(
        self,
        settings: EngineSettings,
        client: ClientConfig,
        job: Job,
        reporter: Reporter,
        policy: Policy = DEFAULT_POLICY,
        start: StartTiming | None = None,
        log_path: Path | None = None,
        start_method: str = "spawn",
        clock: Clock = SYSTEM_CLOCK,
        context: Any = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.log_path = log_path
        self.start = start
        self.clock_offset_s: float | None = None
        self.clock_uncertainty_s = 0.0
        self.one_way_s = 0.0  # half the fastest warm round trip: how long a poll takes to arrive
        self.client = client
        self.job = job
        self.reporter = reporter
        self.policy = policy
        self.workers = settings.worker_count(os.cpu_count() or 1)
        # Always explicit (3.14 changed the Linux default). The product uses spawn: nothing of
        # the supervisor leaks into workers. Tests that run hundreds of jobs may choose fork.
        # ``context`` (tests only) replaces the processes and queue, as ``clock`` replaces time.
        self._ctx: Any = context or multiprocessing.get_context(start_method)
        self._events: list[Event] = []
        self._dead_reported: set[int] = set()
        self._polling_since: float | None = None

    def run(self) -> Outcome:
        """Run the job to its end; never leaves a worker behind."""
        shared = SharedState(self._ctx, self.workers, self.settings.concurrency)
        events: Queue[Event] = self._ctx.Queue()
        processes = [
            self._ctx.Process(
                target=worker_main,
                args=(
                    WorkerSpec(
                        i,
                        self.workers,
                        self.settings,
                        self.client,
                        self.job,
                        os.getpid(),
                        self.policy,
                        clock_samples=self._clock_samples() if i == 0 else 0,
                        clock_deadline=self._clock_deadline(),
                        log_path=self.log_path,
                    ),
                    shared,
                    events,
                ),
                name=f"booker-worker-{i}",
                daemon=True,
            )
            for i in range(self.workers)
        ]
        self.reporter.started(self.settings, self.workers)
        started = self.clock.monotonic()
        with _interrupts(lambda: shared.request_stop(Stop.INTERRUPTED)):
            if self.start is not None and not self._wait_for_prewarm(shared, self.start):
                return self._result(shared, started)
            try:
                workers_started = self.clock.monotonic()  # the readiness timeout counts from here
                for process in processes:
                    process.start()
                self._watch(shared, events, processes, workers_started)
            finally:
                self._wind_down(shared, events, processes)
        return self._result(shared, started)

    def _watch(
        self,
        shared: SharedState,
        events: Queue[Event],
        processes: Sequence[BaseProcess],
        started: float,
    ) -> None:
        next_status = 0.0
        while not shared.stopped:
            self._drain(events, started, wait=POLL_EVENTS_S)
            now = self.clock.monotonic()
            if self._polling_since is None:
                self._maybe_start(shared, processes, now, started)
            elif now - self._polling_since >= self.settings.max_duration_s:
                shared.request_stop(Stop.TIMEOUT)
            self._check_workers(shared, processes)
            if shared.winner_record() is not None:  # its winner may have died before stopping
                shared.request_stop(Stop.BOOKED)
            if now >= next_status:
                self.reporter.status(self._snapshot(shared, now))
                next_status = now + 0.25

    def _clock_samples(self) -> int:
        """Probes for the clock estimate: as many as the prewarm leaves time for."""
        if self.start is None or not self.start.use_server_clock:
            return 0
        return max(2, min(MAX_CLOCK_SAMPLES, self.settings.prewarm_s - 2))

    def _clock_deadline(self) -> float:
        """The instant (service's clock) after which no clock probe leaves: before the first poll."""
        if self.start is None:
            return math.inf
        return self.start.at_epoch - self.settings.lead_ms / 1000 - PROBE_MARGIN_S

    def _wait_for_prewarm(self, shared: SharedState, start: StartTiming) -> bool:
        """Sleep until ``prewarm_s`` before the target; False when interrupted meanwhile."""
        wake = start.at_epoch - self.settings.prewarm_s
        while not shared.stopped:
            left = wake - self.clock.time()
            if left <= 0:
                return True
            self.reporter.countdown(start.at_epoch - self.clock.time(), start.label)
            self.clock.sleep(min(left, COUNTDOWN_EVERY_S))
        return False

    def _maybe_start(
        self, shared: SharedState, processes: Sequence[BaseProcess], now: float, started: float
    ) -> None:
        alive = [i for i, p in enumerate(processes) if p.is_alive() or p.exitcode is None]
        if alive and all(shared.ready(i) for i in alive):
            reading = shared.clock()
            if reading is not None and abs(reading.offset_s) <= MAX_OFFSET_S:  # checked twice
                self.clock_offset_s = reading.offset_s
                self.clock_uncertainty_s = reading.uncertainty_s
                self.one_way_s = reading.rtt_s / 2
            schedule = self._schedule()
            shared.reset_counters()
            shared.publish_schedule(schedule)
            self._polling_since = schedule.first
            self.reporter.polling(schedule.first - self.clock.monotonic())
        elif now - started > READY_TIMEOUT_S + (self.settings.prewarm_s if self.start else 0):
            self.reporter.not_ready()
            shared.request_stop(Stop.UNREACHABLE)

    def _schedule(self) -> Schedule:
        """Tick 0 now, or aligned so that polls *arrive* on the target, on the service's clock.

        A poll takes ``one_way_s`` to reach the service, so every tick leaves that
        much early: the aligned one arrives just after the latest possible release,
        the burst arrives spread over the clock's uncertainty, and the first poll
        arrives ``lead_ms`` before the earliest possible release (with 0: nothing
        reaches the service before the release can have happened).
        """
        cadence = self.settings.cadence_ms / 1000
        now = self.clock.monotonic()
        if self.start is None:
            return Schedule(now + IMMEDIATE_START_S, cadence)
        server = self.start.use_server_clock and self.clock_offset_s is not None
        offset = self.clock_offset_s if server and self.clock_offset_s is not None else 0.0
        uncertainty = self.clock_uncertainty_s if server else 0.0
        one_way = self.one_way_s if server else 0.0
        target_local = self.start.at_epoch + offset  # offset = local - server
        leave_for_release = now + (target_local - self.clock.time()) - one_way
        earliest = leave_for_release - uncertainty - self.settings.lead_ms / 1000
        return aligned_schedule(
            max(now + IMMEDIATE_START_S, earliest),
            leave_for_release,
            cadence,
            burst=self.settings.concurrency - 1,
            uncertainty_s=uncertainty,
        )

    def _check_workers(self, shared: SharedState, processes: Sequence[BaseProcess]) -> None:
        for index, process in enumerate(processes):
            if process.exitcode not in (None, 0):
                shared.mark_uncertain()  # it may have died with a booking on the wire
            if (
                process.exitcode is not None
                and index not in self._dead_reported
                and not shared.stopped
            ):
                self._dead_reported.add(index)
                self.reporter.worker_died(index, process.exitcode)
        if len(self._dead_reported) == len(processes):
            shared.request_stop(Stop.NO_WORKERS)

    def _snapshot(self, shared: SharedState, now: float) -> StatusSnapshot:
        since = self._polling_since
        return StatusSnapshot(
            elapsed_s=now - since if since else 0.0,
            max_duration_s=self.settings.max_duration_s,
            requests=shared.requests(),
            last_status=shared.last_status,
            concurrency=shared.concurrency,
            paused=shared.paused(now),
            polling=since is not None,
        )

    def _drain(self, events: Queue[Event], started: float, wait: float = 0.0) -> None:
        try:
            event = events.get(timeout=wait) if wait else events.get_nowait()
            while True:
                self._events.append(event)
                self.reporter.event(event, event.at - (self._polling_since or started))
                event = events.get_nowait()
        except queue.Empty:
            return

    def _wind_down(
        self, shared: SharedState, events: Queue[Event], processes: Sequence[BaseProcess]
    ) -> None:
        shared.request_stop(Stop.INTERRUPTED)  # no-op unless something went wrong before a stop
        limit = WIND_DOWN_BOOKED_S if shared.stop is Stop.BOOKED else WIND_DOWN_S
        deadline = self.clock.monotonic() + limit
        while any(p.is_alive() for p in processes) and self.clock.monotonic() < deadline:
            self._drain(events, self.clock.monotonic(), wait=0.005)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=1.0)
            if process.is_alive():
                process.kill()
                process.join(timeout=1.0)
        self._drain(events, self.clock.monotonic())
        events.close()
        events.join_thread()

    def _result(self, shared: SharedState, started: float) -> Outcome:
        end = self.clock.monotonic()
        return build_outcome(
            shared,
            self._events,
            since=min(self._polling_since or started, end),  # stopped before tick 0: nothing
            now=end,
            settings=self.settings,
            workers=self.workers,
            noun=getattr(self.job, "noun", "reservation"),
            clock_offset_s=self.clock_offset_s,
            hold_minutes=getattr(self.job, "hold_minutes", None),
            base_url=self.client.base_url,
        )


@contextmanager
def _interrupts(on_signal: Callable[[], Any]) -> Iterator[None]:
    """SIGINT and SIGTERM ask the job to stop instead of killing the supervisor."""

    def handler(signum: int, frame: FrameType | None) -> None:
        on_signal()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
