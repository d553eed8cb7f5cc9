"""How a job ended, as values: for the report, ``--json``, the journal and the exit code.

``build_result`` reads the facts (shared memory first, the workers' events second);
the sentences come from ``booker.wording``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from booker import wording
from booker.engine.shared import Stop
from booker.model import Status
from booker.ports import Event, EventKind
from booker.settings import EngineSettings


@dataclass(frozen=True, slots=True)
class StatusSnapshot:
    """What the live status line shows."""

    elapsed_s: float
    max_duration_s: float
    requests: int
    last_status: int
    concurrency: int
    paused: bool
    polling: bool


@dataclass(frozen=True, slots=True)
class JobResult:
    """How a job ended, for the human report, ``--json`` and the exit code."""

    status: Status
    message: str
    requests: int
    elapsed_ms: int
    reservation_id: str | None = None
    slot: dict[str, str] | None = None
    worker: int | None = None
    attempt: int | None = None
    found_after_ms: int | None = None
    venue: dict[str, str] | None = None
    concurrency: int = 0
    workers: int = 0
    duplicates: tuple[dict[str, Any], ...] = ()
    warnings: tuple[str, ...] = field(default=())
    clock_offset_s: float | None = None
    recovered: bool = False  # found at the service (an earlier run's booking), not booked now
    already_booked: bool = False  # the journal already held this job: nothing was sent
    journaled: bool = False  # the booking is in the journal (recorded now, or before)
    checkout_within_min: int | None = None  # a cart item: held this long, until checkout

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "status": str(self.status),
            "message": self.message,
            "reservation_id": self.reservation_id,
            "slot": self.slot,
            "requests": self.requests,
            "elapsed_ms": self.elapsed_ms,
            "found_after_ms": self.found_after_ms,
            "worker": self.worker,
            "attempt": self.attempt,
            "venue": self.venue,
            "workers": self.workers,
            "concurrency": self.concurrency,
            "duplicates": list(self.duplicates),
            "clock_offset_s": self.clock_offset_s,
            "recovered": self.recovered,
            "already_booked": self.already_booked,
            "journaled": self.journaled,
            "in_cart": self.checkout_within_min is not None,
            "checkout_within_minutes": self.checkout_within_min,
        }


class SharedView(Protocol):
    """What ``build_result`` reads of the shared state."""

    @property
    def stop(self) -> Stop:
        """Why the job stopped."""

    @property
    def concurrency(self) -> int:
        """The active concurrency."""

    @property
    def winner(self) -> int | None:
        """The index of the worker that claimed the booking."""

    def requests(self) -> int:
        """Requests sent by all workers."""

    def winner_record(self) -> dict[str, Any] | None:
        """The reservation the winner wrote with its claim."""


def build_result(
    shared: SharedView,
    events: Sequence[Event],
    *,
    since: float,
    now: float,
    settings: EngineSettings,
    workers: int,
    noun: str = "reservation",
    clock_offset_s: float | None = None,
    hold_minutes: int | None = None,
    unreachable: Callable[[dict[str, Event]], str] = lambda kinds: wording.UNREACHABLE,
) -> JobResult:
    """How the job ended, from shared memory first and the workers' events second.

    A booking is read from the winner's claim record, so it is reported (and journaled)
    even when the winner died before its BOOKED event reached the supervisor.
    """
    kinds: dict[str, Event] = {}
    for event in events:
        kinds.setdefault(event.kind, event)
    found = kinds.get(EventKind.FOUND)
    venue = kinds.get(EventKind.VENUE)
    unclaimed = [e for e in events if e.kind == EventKind.UNCLAIMED]
    common: dict[str, Any] = {
        "requests": shared.requests(),
        "elapsed_ms": round((now - since) * 1000),
        "found_after_ms": round((found.at - since) * 1000) if found else None,
        "venue": dict(venue.data) if venue else None,
        "concurrency": shared.concurrency,
        "workers": workers,
        "duplicates": tuple(e.data for e in events if e.kind == EventKind.DUPLICATE),
        "clock_offset_s": clock_offset_s,
    }
    stop = shared.stop
    booked = kinds.get(EventKind.BOOKED)
    record = shared.winner_record()  # a claim with a record is a booking, however we stopped
    worker = shared.winner
    if record is None and booked is not None and stop is Stop.BOOKED:
        record, worker = booked.data, booked.worker
    unconfirmed = False
    if record is not None and unclaimed:
        # a booking whose claim timed out is kept, never cancelled: the user must know
        common["duplicates"] += tuple({**e.data, "cancelled": False} for e in unclaimed)
    elif record is None and unclaimed and stop is Stop.BOOKED:
        record, worker = unclaimed[0].data, unclaimed[0].worker
        unconfirmed = True
    if record is not None:
        slot = record.get("slot")
        recovered = bool(record.get("recovered"))
        message = wording.booked(
            slot,
            noun=noun,
            reservation_id=record["reservation_id"],
            recovered=recovered,
            unconfirmed=unconfirmed,
            hold_minutes=hold_minutes,
        )
        return JobResult(
            Status.BOOKED,
            message,
            checkout_within_min=hold_minutes,
            recovered=recovered,
            reservation_id=str(record["reservation_id"]),
            slot=slot,
            worker=worker,
            attempt=record.get("attempt"),
            **common,
        )
    dry = kinds.get(EventKind.DRY_RUN)
    if stop is Stop.DRY_RUN and dry is not None:
        slot = dry.data.get("slot")
        return JobResult(
            Status.DRY_RUN,
            wording.dry_run(slot),
            slot=slot,
            worker=dry.worker,
            **common,
        )
    if stop is Stop.TERMINAL:
        terminal = kinds.get(EventKind.TERMINAL)
        message = str(terminal.data.get("message")) if terminal else wording.REFUSED
        return JobResult(Status.FAILED, message, **common)
    if stop is Stop.TIMEOUT:
        return JobResult(Status.NOT_BOOKED, wording.max_duration(settings.max_duration_s), **common)
    if stop is Stop.UNREACHABLE:
        return JobResult(Status.UNREACHABLE, unreachable(kinds), **common)
    if stop is Stop.NO_WORKERS:
        return JobResult(Status.ERROR, wording.NO_WORKERS, **common)
    return JobResult(Status.INTERRUPTED, wording.INTERRUPTED, **common)
