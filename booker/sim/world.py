"""The live state one sim run shares between its provider app, rivals and ledger."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from booker.sim.clock import SimClock
from booker.sim.inventory import Inventory
from booker.sim.ledger import BookingRecord, Ledger
from booker.sim.scenario import Scenario


@dataclass(slots=True)
class World:
    """Scenario plus the mutable state built from it; `rearm` starts the next drop."""

    scenario: Scenario
    clock: SimClock
    started_at: float
    release_at: float  # of the current drop
    day: str  # YYYY-MM-DD, the current drop's day (cart: arrival date)
    ledger: Ledger
    inventory: Inventory
    rng: random.Random
    # the sister venues' and later days' stock of the drop, by (venue id, day)
    more: dict[tuple[int, str], Inventory] = field(default_factory=dict)

    def inventory_at(self, venue_id: int, day: str) -> Inventory | None:
        """The drop's stock at that venue on that day (None: nothing opens there)."""
        if venue_id == self.scenario.venue.id and day == self.day:
            return self.inventory
        return self.more.get((venue_id, day))

    @property
    def drop(self) -> int:
        """1-based number of the current drop (1 until the first re-arm)."""
        return self.ledger.drop

    def rearm(self, day: str, release_at: float, *, rivals: bool, t: float) -> None:
        """Open `day` at `release_at` with fresh stock; the ledger starts a new drop at `t`."""
        self.day = day
        self.release_at = release_at
        self.inventory = Inventory(self.scenario.slots, day, release_at, self.clock)
        self.more = more_stock(self.scenario, day, release_at, self.clock)
        self.ledger.rearm(t, day, release_at, rivals=rivals)

    def next_day(self) -> str:
        """The first day after the current drop's day no drop or booking has used yet."""
        used = {d.day for d in self.ledger.drops}
        for b in self.ledger.bookings:
            if isinstance(b, BookingRecord):
                used.add(b.day)
                continue
            arrival = date.fromisoformat(b.arrival_date)
            used.update((arrival + timedelta(days=n)).isoformat() for n in range(max(1, b.nights)))
        candidate = date.fromisoformat(self.day) + timedelta(days=1)
        while candidate.isoformat() in used:
            candidate += timedelta(days=1)
        return candidate.isoformat()


def build_world(scenario: Scenario) -> World:
    """Resolve release instant and day against the sim clock now and build the state."""
    clock = SimClock(scenario.clock_skew_s, scenario.date_lie)
    started_at = clock.now()
    release_at = scenario.release_at(started_at)
    day = scenario.bookable_day(started_at).isoformat()
    ledger = Ledger(started_at, release_at, scenario.clock_skew_s, day=day)
    inventory = Inventory(scenario.slots, day, release_at, clock)
    rng = random.Random(scenario.seed)
    more = more_stock(scenario, day, release_at, clock)
    return World(scenario, clock, started_at, release_at, day, ledger, inventory, rng, more)


def more_stock(
    scenario: Scenario, day: str, release_at: float, clock: SimClock
) -> dict[tuple[int, str], Inventory]:
    """Stock of the sister venues and of the ``more_days`` after ``day``, opening with it."""
    days = [
        (date.fromisoformat(day) + timedelta(days=n)).isoformat()
        for n in range(scenario.release.more_days + 1)
    ]
    venues = (scenario.venue.id, *scenario.venue.sisters)
    return {
        (venue, when): Inventory(scenario.slots, when, release_at, clock)
        for venue in venues
        for when in days
        if (venue, when) != (scenario.venue.id, day)
    }
