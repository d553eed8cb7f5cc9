"""The job's result, built from a fake shared state and the events that did (or did not) arrive."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from booker.core.model import Status
from booker.core.ports import Event, EventKind
from booker.core.settings import EngineSettings
from booker.engine.results import build_outcome
from booker.engine.shared import Stop
from booker.output import wording

SLOT = {"time": "19:00:00", "type": "Bar", "day": "2026-12-24"}
RECORD = {"reservation_id": "rr://tok", "resy_token": "rr://tok", "slot": SLOT,
          "attempt": 2, "recovered": False}  # fmt: skip


@dataclass
class FakeShared:
    """The shared state as the supervisor reads it at the end."""

    stop: Stop = Stop.RUNNING
    concurrency: int = 3
    winner: int | None = None
    record: dict[str, Any] | None = None
    sent: int = 40
    extra: dict[str, Any] = field(default_factory=dict)

    def requests(self) -> int:
        return self.sent

    def winner_record(self) -> dict[str, Any] | None:
        return self.record


def result(shared: FakeShared, events: list[Event]) -> Any:
    return wording.worded(
        build_outcome(shared, events, since=100.0, now=101.5, settings=EngineSettings(), workers=2)
    )


def test_a_booking_is_reported_from_the_claim_without_its_event() -> None:
    """The winner died before its BOOKED event was sent: still booked, exit 0, journaled."""
    shared = FakeShared(Stop.BOOKED, winner=1, record=RECORD)
    made = result(shared, [])
    assert made.status is Status.BOOKED
    assert (made.reservation_id, made.slot, made.worker, made.attempt) == ("rr://tok", SLOT, 1, 2)
    assert made.elapsed_ms == 1500
    assert "Booked 2026-12-24 19:00 Bar (reservation rr://tok)" in made.message


def test_a_winner_killed_before_it_stopped_the_job_is_still_a_booking() -> None:
    """Claimed, then killed before asking for the stop: the run ended "interrupted" or "no
    workers", yet the claim says booked."""
    for stop in (Stop.INTERRUPTED, Stop.NO_WORKERS, Stop.RUNNING):
        made = result(FakeShared(stop, winner=0, record=RECORD), [])
        assert made.status is Status.BOOKED
        assert made.reservation_id == "rr://tok"


def test_the_event_still_serves_when_no_record_was_written() -> None:
    """A claim without a record (an older worker) falls back on the BOOKED event."""
    booked = Event(EventKind.BOOKED, 0, 100.2, {"reservation_id": "55", "slot": SLOT, "attempt": 1})
    made = result(FakeShared(Stop.BOOKED, winner=0), [booked])
    assert (made.status, made.reservation_id) == (Status.BOOKED, "55")


def test_no_claim_and_no_event_is_not_a_booking() -> None:
    assert result(FakeShared(Stop.INTERRUPTED), []).status is Status.INTERRUPTED
    assert result(FakeShared(Stop.TIMEOUT), []).status is Status.NOT_BOOKED


def test_a_booking_whose_claim_timed_out_is_reported_never_hidden() -> None:
    """UNCLAIMED: booked but nobody could tell who won; kept, and the user is told."""
    unclaimed = Event(EventKind.UNCLAIMED, 1, 100.3, {**RECORD, "reservation_id": "77"})
    made = result(FakeShared(Stop.BOOKED), [unclaimed])
    assert (made.status, made.reservation_id) == (Status.BOOKED, "77")
    assert "claim could not be confirmed" in made.message
    # with a winner as well: the unclaimed one is listed as an extra, not cancelled
    made = result(FakeShared(Stop.BOOKED, winner=0, record=RECORD), [unclaimed])
    assert made.reservation_id == "rr://tok"
    assert [(d["reservation_id"], d["cancelled"]) for d in made.duplicates] == [("77", False)]
