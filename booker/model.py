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

    def describe(self) -> str:
        """Human form, e.g. ``19:00 Dining Room``."""
        return f"{self.time[:5]} {self.table_type}".strip()


@dataclass(frozen=True, slots=True)
class ResyTarget:
    """What the user wants from Resy."""

    venue_id: int
    day: str  # "YYYY-MM-DD"
    party_size: int
    times: tuple[str, ...]  # "HH:MM:SS", in order of preference
    payment_method_id: int | None = None


@dataclass(frozen=True, slots=True)
class Booked:
    """A reservation the service confirmed."""

    reservation_id: str  # may be empty: some answers carry only the resy_token
    slot: Slot
    resy_token: str = ""

    @property
    def identity(self) -> str:
        """What names the reservation in the journal and reports: its id, else its token."""
        return self.reservation_id or self.resy_token

    def same_as(self, reservation_id: str, resy_token: str = "") -> bool:
        """Is that reservation (id and/or token, either may be empty) this one?"""
        if self.resy_token and resy_token:
            return self.resy_token == resy_token
        return bool(self.reservation_id) and self.reservation_id == reservation_id

    def record(self, attempt: int, recovered: bool) -> dict[str, object]:
        """What the winner writes into shared memory with its claim."""
        return {
            "reservation_id": self.identity,
            "resy_token": self.resy_token,
            "slot": {"time": self.slot.time, "type": self.slot.table_type, "day": self.slot.day},
            "attempt": attempt,
            "recovered": recovered,
        }


@dataclass(frozen=True, slots=True)
class StartTiming:
    """When polling must begin: ``at_epoch`` is the target on the service's clock."""

    at_epoch: float
    use_server_clock: bool = True
    label: str = ""  # the target as the user reads it, e.g. "2026-12-01 09:00:00 EST"
