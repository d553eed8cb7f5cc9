"""How a job ended, read from shared memory and events: ``build_result``.

``build_result`` reads the facts (shared memory first, the workers' events second);
the sentences come from ``booker.output.wording``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from booker.core.model import Status
from booker.core.ports import Event, EventKind
from booker.core.results import JobResult
from booker.core.settings import EngineSettings
from booker.engine.shared import Stop
from booker.output import wording


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
