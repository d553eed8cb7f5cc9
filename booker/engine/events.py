"""Events workers report to the supervisor (reporting only: coordination is shared memory)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Event:
    """Something a worker wants the user (and the log) to know."""

    kind: str
    worker: int
    at: float  # time.monotonic()
    data: dict[str, Any] = field(default_factory=dict)


# Event kinds
READY = "ready"
VENUE = "venue"
FOUND = "found"
BOOKED = "booked"
UNCLAIMED = "unclaimed"  # booked, but the claim's outcome is unknown: kept, never cancelled
DRY_RUN = "dry_run"
DUPLICATE = "duplicate"
PAUSED = "paused"
REDUCED = "reduced"
WARNING = "warning"
TERMINAL = "terminal"
WARM_FAILED = "warm_failed"
EXHAUSTED = "exhausted"
CLOCK = "clock"
UNREACHABLE = "unreachable"  # the service cannot be reached in a way no retry clears
