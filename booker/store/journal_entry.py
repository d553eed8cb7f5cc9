"""One row of the journal as a value: a reservation held (or once held) at a service."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Final

STATUSES: Final = ("active", "cancelled")
SOURCES: Final = ("booked", "recovered")

# The columns every read selects, in the order ``from_row`` takes them.
COLUMNS = (
    "id, provider, job_key, venue, day, slot, reservation_id, party, status, source, recorded_at"
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One reservation held (or once held) at a service. No credentials, by design."""

    provider: str
    job_key: str
    venue: str
    day: str
    slot: str
    reservation_id: str
    party: int | None = None
    status: str = "active"  # "active" | "cancelled"
    source: str = "booked"  # "booked" | "recovered" (found at the service after a crash)
    recorded_at: str = ""  # ISO 8601 with offset, set by Journal.record()
    entry_id: int | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {self.source!r}")
        if self.party is not None and not 1 <= self.party < 2**63:
            raise ValueError(f"party must be a positive number of people, not {self.party!r}")

    def to_json(self) -> dict[str, Any]:
        """Every field, by name (for ``--json``)."""
        return dataclasses.asdict(self)


def from_row(row: tuple[Any, ...]) -> Entry:
    """The entry of one row selected as ``COLUMNS``."""
    (entry_id, provider, key, venue, day, slot, reservation_id, party, status, source, at) = row
    return Entry(
        provider=provider,
        job_key=key,
        venue=venue,
        day=day,
        slot=slot,
        reservation_id=reservation_id,
        party=party,
        status=status,
        source=source,
        recorded_at=at,
        entry_id=entry_id,
    )
