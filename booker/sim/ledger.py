"""The ledger: everything the sim saw and did, on one sim clock, served at /_sim/ledger."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(slots=True)
class RequestRecord:
    """One API request; `status` 0 means the connection was dropped."""

    t: float
    method: str
    path: str
    http_version: str
    status: int = 0
    fault: str | None = None
    drop: int = 1  # the drop (1-based) current when the request arrived


@dataclass(slots=True)
class BookingRecord:
    """One reservation, by the client under test ("booker") or a rival."""

    t: float
    who: str
    reservation_id: int
    time: str
    table_type: str
    day: str
    party_size: int
    active: bool = True
    drop: int = 1  # the drop (1-based) current when booked
    venue_id: int | None = None  # which venue, when the scenario has sister venues


@dataclass(slots=True)
class CartBookingRecord:
    """One campsite stay put in a cart; `reservation_id` is the cart item id.

    No `drop` field (its JSON shape is pinned): group by `arrival_date`, which is the drop's
    day (see the ledger's `drops`) for every rival stay and for a client booking that drop.
    """

    t: float
    who: str
    reservation_id: str
    cart_item_id: str
    contract_code: str
    facility_id: str
    site_id: str
    arrival_date: str  # YYYY-MM-DD
    nights: int
    active: bool = True


@dataclass(frozen=True, slots=True)
class DropRecord:
    """One drop: `day` opens at `release_at`, armed at `t` (the first one at sim start)."""

    drop: int
    t: float
    day: str
    release_at: float
    rivals: bool = True


@dataclass(frozen=True, slots=True)
class CancellationRecord:
    """One cancellation of a booking."""

    t: float
    reservation_id: int | str


class Ledger:
    """Append-only record of drops, requests, bookings and cancellations.

    `release_at` is the current drop's; every request and Resy booking carries its drop
    number (cart bookings group by `arrival_date`, each drop's day being its own).
    """

    def __init__(
        self, started_at: float, release_at: float, clock_skew_s: float, *, day: str = ""
    ) -> None:
        self.started_at = started_at
        self.release_at = release_at
        self.clock_skew_s = clock_skew_s
        self.drops: list[DropRecord] = [DropRecord(1, started_at, day, release_at)]
        self.requests: list[RequestRecord] = []
        self.bookings: list[BookingRecord | CartBookingRecord] = []
        self.cancellations: list[CancellationRecord] = []
        self._next_id = 900_000_001

    @property
    def drop(self) -> int:
        """The current drop's 1-based number."""
        return len(self.drops)

    def rearm(self, t: float, day: str, release_at: float, *, rivals: bool) -> DropRecord:
        """Start the next drop; later requests and bookings carry its number."""
        record = DropRecord(self.drop + 1, t, day, release_at, rivals)
        self.drops.append(record)
        self.release_at = release_at
        return record

    def request(self, t: float, method: str, path: str, http_version: str) -> RequestRecord:
        """Open a request record; the caller fills in status and fault."""
        record = RequestRecord(t, method, path, http_version, drop=self.drop)
        self.requests.append(record)
        return record

    def book(
        self,
        t: float,
        who: str,
        *,
        time: str,
        table_type: str,
        day: str,
        party_size: int,
        venue_id: int | None = None,
    ) -> BookingRecord:
        """Record a booking under a fresh reservation id."""
        record = BookingRecord(
            t,
            who,
            self._next_id,
            time,
            table_type,
            day,
            party_size,
            drop=self.drop,
            venue_id=venue_id,
        )
        self._next_id += 1
        self.bookings.append(record)
        return record

    def book_site(
        self,
        t: float,
        who: str,
        *,
        contract_code: str,
        facility_id: str,
        site_id: str,
        arrival_date: str,
        nights: int,
    ) -> CartBookingRecord:
        """Record a campsite stay under a fresh cart item id."""
        item_id = str(self._next_id)
        self._next_id += 1
        record = CartBookingRecord(
            t, who, item_id, item_id, contract_code, facility_id, site_id, arrival_date, nights
        )
        self.bookings.append(record)
        return record

    def cancel(self, t: float, booking: BookingRecord | CartBookingRecord) -> None:
        """Mark a booking cancelled and record when."""
        booking.active = False
        self.cancellations.append(CancellationRecord(t, booking.reservation_id))

    def to_json(self) -> dict[str, Any]:
        """The ledger as the JSON object served at /_sim/ledger."""
        return {
            "release_at": self.release_at,
            "clock_skew_s": self.clock_skew_s,
            "started_at": self.started_at,
            "drops": [asdict(d) for d in self.drops],
            "requests": [asdict(r) for r in self.requests],
            "bookings": [asdict(b) for b in self.bookings],
            "cancellations": [asdict(c) for c in self.cancellations],
        }
