"""How a job ended, as values: for the report, ``--json``, the journal and the exit code.

The engine finds the facts (an ``Outcome``, ``booker.engine.results.build_outcome``); the
output words them (``booker.output.wording.worded``) into a ``JobResult``, which the
report, ``--json``, the journal and the command line read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from booker.core.model import Status


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
class Ending:
    """What the sentence of an outcome needs beyond its other facts."""

    noun: str = "reservation"  # what a booking is called ("reservation", "cart item")
    unconfirmed: bool = False  # booked, but the claim could not be confirmed
    max_duration_s: float = 0.0  # the limit that ended a run not booked in time
    said: str | None = None  # the service's or a worker's own words: a refusal, why unreachable
    base_url: str | None = None  # the service that never got ready
    last_failure: str | None = None  # ...and the last warm-up failure against it


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a job ended, as facts: what the engine found, before anything is worded."""

    status: Status
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
    ending: Ending = Ending()


@dataclass(frozen=True, slots=True)
class JobResult(Outcome):
    """How a job ended, worded: for the human report, ``--json`` and the exit code."""

    message: str = field(kw_only=True)

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
