"""How a job ended, read from shared memory and events: ``build_outcome``.

``build_outcome`` reads the facts (shared memory first, the workers' events second) into
an ``Outcome``; the engine writes no sentence: ``booker.output.wording`` says them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from booker.core.model import Status
from booker.core.ports import Event, EventKind
from booker.core.results import Ending, Outcome
from booker.core.settings import EngineSettings
from booker.engine.shared import Stop


class SharedView(Protocol):
    """What ``build_outcome`` reads of the shared state."""

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


def build_outcome(
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
    base_url: str | None = None,
) -> Outcome:
    """How the job ended, from shared memory first and the workers' events second.

    A booking is read from the winner's claim record, so it is reported (and journaled)
    even when the winner died before its BOOKED event reached the supervisor. The facts
    only: ``booker.output.wording.worded`` says them.
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
        return Outcome(
            Status.BOOKED,
            checkout_within_min=hold_minutes,
            recovered=bool(record.get("recovered")),
            reservation_id=str(record["reservation_id"]),
            slot=record.get("slot"),
            worker=worker,
            attempt=record.get("attempt"),
            ending=Ending(noun=noun, unconfirmed=unconfirmed),
            **common,
        )
    dry = kinds.get(EventKind.DRY_RUN)
    if stop is Stop.DRY_RUN and dry is not None:
        return Outcome(Status.DRY_RUN, slot=dry.data.get("slot"), worker=dry.worker, **common)
    if stop is Stop.TERMINAL:
        terminal = kinds.get(EventKind.TERMINAL)
        said = str(terminal.data.get("message")) if terminal else None
        return Outcome(Status.FAILED, ending=Ending(said=said), **common)
    if stop is Stop.TIMEOUT:
        ending = Ending(max_duration_s=settings.max_duration_s)
        return Outcome(Status.NOT_BOOKED, ending=ending, **common)
    if stop is Stop.UNREACHABLE:
        return Outcome(Status.UNREACHABLE, ending=_unreachable(kinds, events, base_url), **common)
    if stop is Stop.NO_WORKERS:
        return Outcome(Status.ERROR, **common)
    return Outcome(Status.INTERRUPTED, **common)


def _unreachable(kinds: dict[str, Event], events: Sequence[Event], base_url: str | None) -> Ending:
    """Why the service could not be used: a worker's words, else the last warm-up failure."""
    stopped = kinds.get(EventKind.UNREACHABLE)
    if stopped is not None:
        return Ending(said=str(stopped.data.get("message")))
    failed = [e for e in events if e.kind == EventKind.WARM_FAILED]
    last = str(failed[-1].data.get("reason")) if failed else None
    return Ending(base_url=base_url, last_failure=last)
