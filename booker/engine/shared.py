"""Job state shared by the supervisor and its workers, in shared memory only.

Single-writer slots (per-worker arrays) and plain reads need no lock. Locks are
taken only to claim the booking (compare-and-set), to stop the job, and to
update the throttle/failure counters, which happens off the fast path.
"""

from __future__ import annotations

import ctypes
import enum
import time
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING, Any

import orjson

from booker.core.decide import Counters
from booker.core.ports import Claim
from booker.engine.schedule import Schedule

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized
    from multiprocessing.synchronize import Lock

LOCK_TIMEOUT_S = 0.5  # a worker killed while holding a lock must not block the others
RECORD_BYTES = 2048  # the winner's reservation, as JSON (ids, slot, attempt)
MINUTES = 24 * 60  # unsure booking attempts are counted per worker and minute of the day


class Stop(enum.IntEnum):
    """Why the job stops (0 while it runs)."""

    RUNNING = 0
    BOOKED = 1
    DRY_RUN = 2
    TERMINAL = 3
    TIMEOUT = 4
    INTERRUPTED = 5
    NO_WORKERS = 6
    UNREACHABLE = 7


@dataclass(frozen=True, slots=True)
class ClockReading:
    """The service's clock (``offset_s`` = local - server, ± ``uncertainty_s``) and the link."""

    offset_s: float
    uncertainty_s: float
    rtt_s: float = 0.0  # the fastest round trip seen on a warm connection
    jitter_s: float = 0.0  # how much slower than that a typical (p90) round trip was


class SharedState:
    """Every value the processes of one job share."""

    def __init__(self, ctx: BaseContext, workers: int, concurrency: int) -> None:
        self.workers = workers
        # Fields are made by ctypes type, not typecode ("i", "d", "q": the same types), so
        # mypy knows what each holds; the raw ones are read and written without a lock.
        self._claim: Synchronized[int] = ctx.Value(ctypes.c_int, 0)  # winner index + 1
        self._record = ctx.RawArray(ctypes.c_char, RECORD_BYTES)  # written before the claim
        self._record_size = ctx.RawValue(ctypes.c_int, 0)
        self._unsure = ctx.RawArray(ctypes.c_int, workers * MINUTES)  # attempts without an answer
        self._stop: Synchronized[int] = ctx.Value(ctypes.c_int, 0)
        self._start_at = ctx.RawValue(ctypes.c_double, 0.0)  # time.monotonic(), system-wide
        self._aligned_tick = ctx.RawValue(ctypes.c_int, -1)
        self._burst = ctx.RawValue(ctypes.c_int, 0)
        self._spacing = ctx.RawValue(ctypes.c_double, 0.0)
        self._clock_known = ctx.RawValue(ctypes.c_int, 0)  # written before the ready flag
        self._clock_offset = ctx.RawValue(ctypes.c_double, 0.0)
        self._clock_uncertainty = ctx.RawValue(ctypes.c_double, 0.0)
        self._clock_rtt = ctx.RawValue(ctypes.c_double, 0.0)
        self._clock_jitter = ctx.RawValue(ctypes.c_double, 0.0)
        self._pause_until = ctx.RawValue(ctypes.c_double, 0.0)
        self._throttles = ctx.RawValue(ctypes.c_int, 0)
        self._failures = ctx.RawValue(ctypes.c_int, 0)
        self._concurrency = ctx.RawValue(ctypes.c_int, concurrency)
        self._last_status = ctx.RawValue(ctypes.c_int, -1)
        self._uncertain = ctx.RawValue(ctypes.c_int, 0)  # a booking's outcome is unknown (sticky)
        self._counter_lock: Lock = ctx.Lock()
        self._in_flight = ctx.RawArray(ctypes.c_int, workers)
        self._requests = ctx.RawArray(ctypes.c_longlong, workers)
        self._ready = ctx.RawArray(ctypes.c_int, workers)

    # --- the claim: exactly one winner -----------------------------------
    @property
    def claimed(self) -> bool:
        """Lock-free read of the claim flag."""
        return bool(self._claim.get_obj().value)

    @property
    def winner(self) -> int | None:
        """Index of the worker that claimed the booking."""
        value = self._claim.get_obj().value
        return value - 1 if value else None

    def try_claim(self, worker: int, record: dict[str, Any] | None = None) -> Claim:
        """Compare-and-set the claim: WON for exactly one caller, LOST for the others.

        UNKNOWN when the lock cannot be taken in ``LOCK_TIMEOUT_S`` (a worker died holding
        it): the caller cannot tell whether it won. The winner's ``record`` (its reservation)
        is in shared memory before the claim shows, so the supervisor can report it even if
        the winner dies before its events are sent.
        """
        if self.claimed:
            return Claim.LOST
        lock = self._claim.get_lock()
        if not lock.acquire(timeout=LOCK_TIMEOUT_S):
            return Claim.UNKNOWN
        try:
            raw = self._claim.get_obj()
            if raw.value:
                return Claim.LOST
            if record is not None:
                self._write_record(record)
            raw.value = worker + 1
            return Claim.WON
        finally:
            lock.release()

    def _write_record(self, record: dict[str, Any]) -> None:
        data = orjson.dumps(record)
        if len(data) > RECORD_BYTES:  # ids are short; only an odd slot description is cut
            data = orjson.dumps({k: v for k, v in record.items() if k != "slot"})[:RECORD_BYTES]
        self._record_size.value = 0
        self._record.raw = data  # its first len(data) bytes; the rest is not read
        self._record_size.value = len(data)

    def winner_record(self) -> dict[str, Any] | None:
        """The winner's reservation (what it passed to ``try_claim``), None before a claim."""
        if not self.claimed:
            return None
        size = self._record_size.value
        if not size:
            return None
        try:
            record = orjson.loads(self._record.raw[:size])
        except orjson.JSONDecodeError:
            return None
        return record if isinstance(record, dict) else None

    # --- stopping ----------------------------------------------------------
    @property
    def stop(self) -> Stop:
        """Why the job stops, RUNNING while it runs."""
        return Stop(self._stop.get_obj().value)

    @property
    def stopped(self) -> bool:
        """Lock-free: has anyone asked the job to stop?"""
        return bool(self._stop.get_obj().value)

    def request_stop(self, reason: Stop) -> bool:
        """Set the stop reason unless one is set already; True if this call set it."""
        lock = self._stop.get_lock()
        acquired = lock.acquire(timeout=LOCK_TIMEOUT_S)
        try:
            raw = self._stop.get_obj()
            if raw.value:
                return False
            raw.value = int(reason)
            return True
        finally:
            if acquired:
                lock.release()

    # --- schedule ----------------------------------------------------------
    @property
    def start_at(self) -> float:
        """Monotonic instant of tick 0, 0.0 until the supervisor sets it."""
        return self._start_at.value

    def publish_schedule(self, schedule: Schedule) -> None:
        """Hand the schedule to every worker; writing the start last is the signal to go."""
        self._aligned_tick.value = schedule.aligned_tick
        self._burst.value = schedule.burst
        self._spacing.value = schedule.spacing_s
        self._start_at.value = schedule.start

    def schedule(self, cadence_s: float) -> Schedule:
        """The published schedule (read once ``start_at`` is set)."""
        return Schedule(
            self._start_at.value,
            cadence_s,
            self._aligned_tick.value,
            self._burst.value,
            self._spacing.value,
        )

    def paused(self, now: float | None = None) -> bool:
        """True during a shared pause."""
        return (time.monotonic() if now is None else now) < self._pause_until.value

    def pause(self, until: float) -> bool:
        """Start a pause unless one is running; True if this call started it."""
        now = time.monotonic()
        if now < self._pause_until.value:
            return False
        self._pause_until.value = until
        return True

    # --- counters (decide.Counters in shared memory) ------------------------
    def counters(self) -> Counters:
        """Lock-free snapshot of the counters."""
        return Counters(self._throttles.value, self._failures.value, self._concurrency.value)

    def acquire_counters(self) -> bool:
        """Take the counter lock (bounded wait)."""
        return self._counter_lock.acquire(timeout=LOCK_TIMEOUT_S)

    def release_counters(self) -> None:
        """Release the counter lock."""
        self._counter_lock.release()

    def reset_counters(self) -> None:
        """Polling starts: throttles and failures seen while warming do not count."""
        if self.acquire_counters():
            try:
                self._throttles.value = 0
                self._failures.value = 0
            finally:
                self.release_counters()

    def store_counters(self, counters: Counters) -> None:
        """Write the counters back (hold the counter lock)."""
        self._throttles.value = counters.throttles
        self._failures.value = counters.failures
        self._concurrency.value = counters.concurrency

    @property
    def concurrency(self) -> int:
        """The active concurrency (may drop under throttling)."""
        return self._concurrency.value

    # --- per-worker single-writer slots ------------------------------------
    def in_flight(self) -> int:
        """Requests in flight across all workers."""
        return int(sum(self._in_flight))

    def add_in_flight(self, worker: int, delta: int) -> None:
        """Called only by ``worker`` for its own slot."""
        self._in_flight[worker] += delta

    def count_request(self, worker: int) -> None:
        """Called only by ``worker``: one more request sent."""
        self._requests[worker] += 1

    def record_status(self, status: int) -> None:
        """The latest HTTP status any worker saw (last writer wins)."""
        self._last_status.value = status

    def requests(self) -> int:
        """Requests sent by all workers."""
        return int(sum(self._requests))

    @property
    def last_status(self) -> int:
        """Most recent HTTP status any worker saw (-1 before the first, 0 = no answer)."""
        return self._last_status.value

    def mark_uncertain(self) -> None:
        """Some booking attempt's outcome is unknown (lost answer, dead worker): set once, kept."""
        self._uncertain.value = 1

    @property
    def uncertain(self) -> bool:
        """Has any booking attempt ended without a definite answer?"""
        return bool(self._uncertain.value)

    # --- booking attempts whose outcome is unknown (per worker, single writer) --------
    def attempt_sent(self, worker: int, minute: int) -> None:
        """``worker`` is about to send a booking request for a slot at ``minute`` of the day.

        It counts as unsure until ``attempt_answered``: a worker that dies meanwhile leaves it.
        """
        self._unsure[worker * MINUTES + minute % MINUTES] += 1

    def attempt_answered(self, worker: int, minute: int) -> None:
        """That attempt got a definite answer (booked and known, or refused)."""
        index = worker * MINUTES + minute % MINUTES
        if self._unsure[index] > 0:
            self._unsure[index] -= 1

    def unsure_minutes(self) -> frozenset[int]:
        """Minutes of the day of every booking attempt, any worker's, still without an answer."""
        counts = self._unsure[:]
        return frozenset(i % MINUTES for i, n in enumerate(counts) if n > 0)

    def publish_clock(self, reading: ClockReading) -> None:
        """The service clock's offset (local - server) and the link's timing, before marking ready."""
        self._clock_offset.value = reading.offset_s
        self._clock_uncertainty.value = reading.uncertainty_s
        self._clock_rtt.value = reading.rtt_s
        self._clock_jitter.value = reading.jitter_s
        self._clock_known.value = 1

    def clock(self) -> ClockReading | None:
        """What worker 0 learnt of the service's clock and the link, None before (or without) it."""
        if not self._clock_known.value:
            return None
        return ClockReading(
            self._clock_offset.value,
            self._clock_uncertainty.value,
            self._clock_rtt.value,
            self._clock_jitter.value,
        )

    def mark_ready(self, worker: int) -> None:
        """The worker's connection is warm."""
        self._ready[worker] = 1

    def ready(self, worker: int) -> bool:
        """Has ``worker`` warmed its connection?"""
        return bool(self._ready[worker])
