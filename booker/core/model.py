"""Frozen values that cross module and process boundaries."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.StrEnum):
    """How a booking job ended (the ``status`` of ``--json``)."""

    BOOKED = "booked"
    DRY_RUN = "dry_run"
    NOT_BOOKED = "not_booked"
    FAILED = "failed"  # the service refused for good (credentials, payment, ...)
    UNREACHABLE = "unreachable"  # the service could not be reached or read
    ERROR = "error"  # booker itself could not run the job (every worker died)
    INTERRUPTED = "interrupted"


EXIT_CODES: dict[Status, int] = {
    Status.BOOKED: 0,
    Status.DRY_RUN: 0,
    Status.NOT_BOOKED: 1,
    Status.FAILED: 3,
    Status.UNREACHABLE: 1,
    Status.ERROR: 1,
    Status.INTERRUPTED: 130,
}

# A run that ends with one of these says why in one ``booker: error:`` line on stderr.
ERROR_STATUSES = frozenset({Status.FAILED, Status.UNREACHABLE, Status.ERROR})


@dataclass(frozen=True, slots=True)
class Slot:
    """One bookable offer: a time, a table type and the token that books it."""

    time: str  # "HH:MM:SS", venue local time
    table_type: str
    token: str
    day: str = ""  # "YYYY-MM-DD"
    venue: str = ""  # the venue (or site) it is at, when the job has several
    rank: int = 0  # 1 = the best of what one poll found; 0 = unranked
    why: str = ""  # why it ranks there, e.g. "time 19:00-20:30 (choice 1 of 2), ..."

    def describe(self) -> str:
        """Human form, e.g. ``19:00 Dining Room``."""
        return f"{self.time[:5]} {self.table_type}".strip()

    def as_dict(self) -> dict[str, str]:
        """The slot in reports and ``--json``: time, type, day; venue and rank when known."""
        shown = {"time": self.time, "type": self.table_type, "day": self.day}
        if self.venue:
            shown["venue"] = self.venue
        if self.rank:
            shown["rank"] = str(self.rank)
        if self.why:
            shown["why"] = self.why
        return shown


@dataclass(frozen=True, slots=True)
class Booked:
    """A reservation the service confirmed."""

    reservation_id: str  # may be empty: some services name a booking by its token alone
    slot: Slot
    token: str = ""  # the service's other name for it, the one that cancels it (may be "")

    @property
    def identity(self) -> str:
        """What names the reservation in the journal and reports: its id, else its token."""
        return self.reservation_id or self.token

    def same_as(self, reservation_id: str, token: str = "") -> bool:
        """Is that reservation (id and/or token, either may be empty) this one?"""
        if self.token and token:
            return self.token == token
        return bool(self.reservation_id) and self.reservation_id == reservation_id

    def record(self, attempt: int, recovered: bool) -> dict[str, object]:
        """What the winner writes into shared memory with its claim."""
        return {
            "reservation_id": self.identity,
            "token": self.token,
            "slot": self.slot.as_dict(),
            "attempt": attempt,
            "recovered": recovered,
        }


@dataclass(frozen=True, slots=True)
class StartTiming:
    """When polling must begin: ``at_epoch`` is the target on the service's clock."""

    at_epoch: float
    use_server_clock: bool = True
    label: str = ""  # the target as the user reads it, e.g. "2026-12-01 09:00:00 EST"
