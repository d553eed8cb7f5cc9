"""A worker process: its own uvloop loop, its own warm client, the tick loop.

The worker is a thin shell: it sleeps, sends and hands answers to the pure
decision core (``booker.core.decide``) and to its provider's flow.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import datetime as dt
import gc
import math
import os
import random
import signal
import time
from dataclasses import dataclass, replace
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

import orjson
import uvloop

from booker.core.decide import DEFAULT_POLICY, Kind, Policy, Verdict, is_quiet, react
from booker.core.model import Booked, Slot
from booker.core.ports import Claim, Event, EventKind, Flow, Job
from booker.core.settings import BOOKING_TIMEOUT_S, EngineSettings
from booker.core.wire import PERMANENT_FAILURES
from booker.engine.clock import sleep_until
from booker.engine.hardening import forbid_core_dumps
from booker.engine.server_clock import doubt, estimate_offset, format_estimate
from booker.engine.shared import ClockReading, SharedState, Stop
from booker.net.http import Answer, ClientConfig, HttpClient, Prepared, Request

PARENT_CHECK_S = 0.2
TRAIL_FLUSH_S = 0.5  # request and decision lines are written in batches, off the hot path
KEEPALIVE_S = 5.0  # while waiting for the start, a cheap request this often keeps the line warm
START_CHECK_S = 0.002
PR_SET_PDEATHSIG = 1
CANCELLED = Answer(0, error="cancelled in flight")  # the log's answer for a request cut off


# A trail entry: free text, a decision, or a request with its answer (formatted off the hot path).
Note = str | Verdict | tuple[Any, Answer]


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """What one worker process is started with (pickled by ``spawn``)."""

    index: int
    workers: int
    settings: EngineSettings
    client: ClientConfig
    job: Job
    parent_pid: int
    policy: Policy = DEFAULT_POLICY
    clock_samples: int = 0  # > 0: estimate the service's clock with this many probes
    clock_deadline: float = math.inf  # epoch: no clock probe leaves after this
    log_path: Path | None = None


def worker_main(spec: WorkerSpec, shared: SharedState, events: Queue[Event]) -> None:
    """Process entry point."""
    forbid_core_dumps()  # it holds the credentials (inherited from the supervisor too)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor handles Ctrl-C for everyone
    _die_with_parent()
    if os.getppid() != spec.parent_pid:
        return
    uvloop.run(Worker(spec, shared, events).run())


def freeze_heap() -> None:
    """Collect once, then keep everything alive so far out of later collections.

    A full collection walks every object the imports, the client and the warm-up
    left behind: 13-16 ms here, enough to make a tick late whenever the
    collector decides to run one while polling. Frozen objects are never walked
    again, so the collections that remain only look at what polling allocates.
    """
    gc.collect()
    gc.freeze()


def _die_with_parent() -> None:
    """Ask Linux to SIGTERM us when the supervisor dies (the watchdog covers other systems)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class Worker:
    """One worker's loop; implements ``booker.core.ports.WorkerIO`` for its flow."""

    def __init__(self, spec: WorkerSpec, shared: SharedState, events: Queue[Event]) -> None:
        self.spec = spec
        self.index = spec.index
        self.settings = spec.settings
        self.policy = spec.policy
        self.shared = shared
        self.events = events
        self.flow: Flow = spec.job.flow()
        self.random = random.Random()
        self.http: HttpClient | None = None
        self.polls: set[asyncio.Task[None]] = set()
        self.booking: asyncio.Task[None] | None = None
        self.trail: list[tuple[float, Note]] = []  # (wall time, what), formatted when written
        self.warm = False  # set once warm: from then on no failure ends the job by itself
        self.crash: BaseException | None = None  # a bug raised in a poll or a booking task

    # --- WorkerIO ------------------------------------------------------------
    @property
    def stopped(self) -> bool:
        """The job is stopping."""
        return self.shared.stopped

    @property
    def claimed(self) -> bool:
        """Some attempt has already booked."""
        return self.shared.claimed

    @property
    def concurrency(self) -> int:
        """The active concurrency."""
        return self.shared.concurrency

    async def send(self, request: Request | Prepared) -> Answer:
        """Send one request with in-flight accounting."""
        assert self.http is not None
        self.shared.add_in_flight(self.index, 1)
        self.shared.count_request(self.index)
        entered = time.time()
        try:
            answer = await self.http.send(request)
        except asyncio.CancelledError:  # cut off in flight (the job stopped): logged all the same
            if self.spec.log_path is not None:
                self.trail.append((entered, (request, CANCELLED)))
            raise
        finally:
            self.shared.add_in_flight(self.index, -1)
        self.shared.record_status(answer.status)
        if self.spec.log_path is not None:  # stamped with the moment it left, formatted later
            left = answer.written_at or entered
            waited = left - entered  # queued for a connection before its bytes left
            logged = replace(answer, elapsed_s=max(0.0, answer.elapsed_s - waited))
            self.trail.append((left, (request, logged)))  # its ms count from when it left
        if not self.warm and answer.failure in PERMANENT_FAILURES:
            self.unreachable(f"cannot reach {self.spec.client.base_url}: {answer.error}")
        return answer

    def _note(self, note: Note) -> None:
        self.trail.append((time.time(), note))

    def _write_trail(self) -> None:
        if not self.trail or self.spec.log_path is None:
            return
        notes, self.trail = self.trail, []
        lines = [f"{_stamp(at)} worker={self.index} {_text(note)}" for at, note in notes]
        with contextlib.suppress(OSError), self.spec.log_path.open("a", encoding="utf-8") as log:
            log.write("\n".join(lines) + "\n")

    async def _flush_trail(self) -> None:
        while True:
            await asyncio.sleep(TRAIL_FLUSH_S)
            self._write_trail()

    def apply(self, verdict: Verdict) -> None:
        """Fold a verdict into the shared counters; lock only when something changes."""
        shared = self.shared
        if self.spec.log_path is not None:
            self._note(verdict)
        if is_quiet(shared.counters(), verdict):
            return
        if not shared.acquire_counters():
            return
        try:
            reaction = react(shared.counters(), verdict, self.random.random(), self.policy)
            shared.store_counters(reaction.counters)
        finally:
            shared.release_counters()
        if reaction.pause_s and shared.pause(time.monotonic() + reaction.pause_s):
            self.report(
                EventKind.PAUSED,
                seconds=reaction.pause_s,
                status=verdict.status,
                reason=verdict.reason,
            )
        if reaction.reduced_to is not None:
            self.report(EventKind.REDUCED, concurrency=reaction.reduced_to)
        if reaction.warning:
            self.report(EventKind.WARNING, message=reaction.warning, status=verdict.status)
        if reaction.stop:
            self.terminal(reaction.stop)

    def won(self, booked: Booked, attempt: int, recovered: bool = False) -> Claim:
        """Compare-and-set the claim, the reservation written with it; the winner stops the job.

        UNKNOWN (the claim's lock is stuck): the outcome is marked uncertain, the job stops
        and the reservation is reported, never cancelled.
        """
        record = booked.record(attempt, recovered)
        claim = self.shared.try_claim(self.index, record)
        if claim is Claim.LOST:
            return claim
        self.shared.request_stop(Stop.BOOKED)  # first: every worker stops sending at once
        if claim is Claim.UNKNOWN:
            self.shared.mark_uncertain()
        self.report(EventKind.BOOKED if claim is Claim.WON else EventKind.UNCLAIMED, **record)
        return claim

    def winner(self) -> Booked | None:
        """The reservation that won the claim, from shared memory."""
        return booked_from(self.shared.winner_record())

    def attempt_sent(self, minute: int) -> None:
        """A booking request for ``minute`` leaves: unsure until answered."""
        self.shared.attempt_sent(self.index, minute)

    def attempt_answered(self, minute: int) -> None:
        """That booking request got a definite answer."""
        self.shared.attempt_answered(self.index, minute)

    def unsure_minutes(self) -> frozenset[int]:
        """Minutes of the booking requests, any worker's, still without an answer."""
        return self.shared.unsure_minutes()

    async def settle(self, timeout_s: float) -> bool:
        """Wait until no worker has a request in flight (bounded); False if some still had."""
        deadline = time.monotonic() + timeout_s
        while self.shared.in_flight() > 0:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.005)
        return True

    @property
    def uncertain(self) -> bool:
        """Some booking attempt (any worker's) ended without a definite answer."""
        return self.shared.uncertain

    def mark_uncertain(self) -> None:
        """This worker's booking attempt got no definite answer."""
        self.shared.mark_uncertain()

    def found_dry_run(self, data: dict[str, Any]) -> None:
        """A dry run found its slot: stop."""
        if self.shared.try_claim(self.index) is Claim.WON:
            self.shared.request_stop(Stop.DRY_RUN)
            self.report(EventKind.DRY_RUN, **data)

    def terminal(self, message: str) -> None:
        """Stop everything: the service refused for good."""
        if self.shared.request_stop(Stop.TERMINAL):
            self.report(EventKind.TERMINAL, message=message)

    def unreachable(self, message: str) -> None:
        """Stop everything: the service cannot be reached in a way no retry clears."""
        if self.shared.request_stop(Stop.UNREACHABLE):
            self.report(EventKind.UNREACHABLE, message=message)

    def report(self, kind: EventKind, **data: Any) -> None:
        """Queue an event for the supervisor."""
        if kind == EventKind.READY and self.http is not None:
            data = {**data, "tcp_nodelay": self.http.nodelay}  # read back from the live socket
        self.events.put(Event(kind, self.index, time.monotonic(), data))

    # --- the loop --------------------------------------------------------------
    async def run(self) -> None:
        """Warm, wait for tick 0, poll until the job stops, then wind down."""
        watchdog = asyncio.create_task(self._watch_parent())
        flusher = asyncio.create_task(self._flush_trail())
        try:
            async with HttpClient(self.spec.client) as http:
                self.http = http
                if not await self.flow.warm(self):
                    return
                if self.spec.clock_samples:
                    await self._estimate_clock()
                freeze_heap()
                self.warm = True
                self.shared.mark_ready(self.index)
                if await self._wait_for_start():
                    await self._tick_loop()
                await self._wind_down()
        finally:
            watchdog.cancel()
            flusher.cancel()
            self._write_trail()

    async def _estimate_clock(self) -> None:
        """Probe the service's Date headers and report the offset (worker 0 only)."""

        async def probe() -> str | None:
            answer = await self.send(self.flow.probe())
            return answer.date

        estimate = await estimate_offset(
            probe, samples=self.spec.clock_samples, deadline=self.spec.clock_deadline
        )
        reason = "no usable Date header before the start" if estimate is None else doubt(estimate)
        if estimate is None or reason is not None:
            self.report(
                EventKind.WARNING,
                message=f"not using the service's clock ({reason}): scheduling on this machine's",
            )
        else:
            # shared memory, not the event queue: the supervisor schedules from it as soon
            # as every worker is ready, and events may still be on their way then
            self.shared.publish_clock(
                ClockReading(
                    estimate.offset_s, estimate.uncertainty_s, estimate.rtt_s, estimate.jitter_s
                )
            )
            self.report(
                EventKind.CLOCK,
                offset_s=estimate.offset_s,
                uncertainty_s=estimate.uncertainty_s,
                rtt_ms=round(estimate.rtt_s * 1000, 2),
                jitter_ms=round(estimate.jitter_s * 1000, 2),
                text=format_estimate(estimate),
            )

    async def _wait_for_start(self) -> bool:
        """Until the supervisor publishes the schedule; a cheap request now and then keeps it warm."""
        probe = self.flow.probe()
        next_keepalive = time.monotonic() + KEEPALIVE_S
        while self.shared.start_at == 0.0:
            if self.stopped:
                return False
            if time.monotonic() >= next_keepalive:
                await self.send(probe)
                next_keepalive = time.monotonic() + KEEPALIVE_S
            await asyncio.sleep(START_CHECK_S)
        return True

    async def _tick_loop(self) -> None:
        shared = self.shared
        cadence = self.settings.cadence_ms / 1000
        workers = self.spec.workers
        schedule = shared.schedule(cadence)
        await self._keep_warm_until(schedule.start - KEEPALIVE_S / 2)
        assert self.http is not None
        requests = self.flow.polls()
        prepared = tuple(self.http.prepare(request) for request in requests)
        late = cadence / 2  # a tick this late still fires; later ones are skipped
        tick = schedule.next_for(self.index, workers, time.monotonic() - late)
        while True:
            due = schedule.time_of(tick)
            if not await sleep_until(due, lambda: shared.stopped or shared.claimed):
                return  # stopped, or claimed: a winner killed before its stop must not go on
            if self.crash is not None:
                raise self.crash  # a bug: the worker ends and the supervisor reports it
            now = time.monotonic()
            tick = schedule.next_for(self.index, workers, max(due + 1e-6, now - late))
            if self.booking is not None or shared.paused(now):
                continue
            if shared.in_flight() >= shared.concurrency:
                continue
            if self.flow.polls() is not requests:  # the flow changed its polls (another method)
                requests = self.flow.polls()
                prepared = tuple(self.http.prepare(request) for request in requests)
            task = asyncio.create_task(self._poll(prepared))
            self.polls.add(task)
            task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        """Forget a finished poll; keep what it raised (``send`` answers network failures)."""
        self.polls.discard(task)
        if not task.cancelled() and task.exception() is not None and self.crash is None:
            self.crash = task.exception()

    async def _keep_warm_until(self, until: float) -> None:
        """A start far ahead: keep the connection alive until shortly before it."""
        probe = self.flow.probe()
        while time.monotonic() + KEEPALIVE_S < until and not self.stopped:
            await sleep_until(time.monotonic() + KEEPALIVE_S, lambda: self.shared.stopped)
            if not self.stopped:
                await self.send(probe)

    async def _poll(self, prepared: tuple[Prepared, ...]) -> None:
        """One tick: one request (or one per day and venue of the job), read as one verdict."""
        if len(prepared) == 1:
            verdict = self.flow.read_poll(await self.send(prepared[0]))
        else:
            answers = await asyncio.gather(*(self.send(p) for p in prepared))
            verdict = self.flow.read_polls(answers)
        self.apply(verdict)
        if self.booking is not None or self.stopped or self.claimed:
            return
        found = verdict.kind in (Kind.FOUND, Kind.BOOKED)
        if found:
            self.report(
                EventKind.FOUND,
                count=len(verdict.slots),
                slots=[s.describe() for s in verdict.slots[:5]],
                reason=verdict.reason,
                status=verdict.status,
            )
        elif not verdict.slots:
            return
        # found, or a failed tick naming its slots (it was a booking attempt): the flow books
        self.booking = asyncio.create_task(self._book(verdict, found))
        self.booking.add_done_callback(self._task_done)

    async def _book(self, verdict: Verdict, found: bool) -> None:
        try:
            await self.flow.book(self, verdict)
        finally:
            self.booking = None
            if found and not self.stopped and not self.claimed:
                self.report(EventKind.EXHAUSTED)

    async def _wind_down(self) -> None:
        """Cancel polls; let a booking in flight settle (duplicates get cancelled)."""
        for task in list(self.polls):
            task.cancel()
        booking = self.booking
        if booking is not None:
            if self.shared.stop is Stop.BOOKED:
                # attempts on the wire settle, duplicates get cancelled, the winner sweeps
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(
                        booking, BOOKING_TIMEOUT_S + 3 * self.settings.request_timeout_s + 1
                    )
            else:
                booking.cancel()
        await asyncio.gather(*self.polls, return_exceptions=True)

    async def _watch_parent(self) -> None:
        """Exit at once if the supervisor is gone (reparented)."""
        while True:
            if os.getppid() != self.spec.parent_pid:
                os._exit(1)
            await asyncio.sleep(PARENT_CHECK_S)


def booked_from(record: dict[str, Any] | None) -> Booked | None:
    """The ``Booked`` a winner wrote with its claim (``Booked.record``), None without one."""
    if record is None:
        return None
    raw = record.get("slot")
    slot: dict[str, Any] = raw if isinstance(raw, dict) else {}
    token = str(record.get("token") or "")
    identity = str(record.get("reservation_id") or "")
    return Booked(
        "" if identity == token else identity,
        Slot(str(slot.get("time", "")), str(slot.get("type", "")), "", str(slot.get("day", ""))),
        token,
    )


def _text(note: Note) -> str:
    """A trail entry as its log line (after the timestamp and worker)."""
    if isinstance(note, str):
        return note
    if isinstance(note, Verdict):
        return f"decision {note.kind.value} status={note.status:03d} {note.reason}"
    request, answer = note
    path = request.path.partition("?")[0]  # no query string: it may carry ids
    error = f" error={orjson.dumps(answer.error).decode()}" if answer.error else ""
    return (
        f"request {request.method} {path} status={answer.status:03d} "
        f"ms={answer.elapsed_s * 1e3:.2f}{error}"
    )


def _stamp(at: float) -> str:
    """Local ISO 8601 time with microseconds: request lines are compared at that grain."""
    return dt.datetime.fromtimestamp(at).astimezone().isoformat(timespec="microseconds")
