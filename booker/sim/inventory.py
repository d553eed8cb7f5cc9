"""Table stock for the bookable day: hidden before release, taken and given back after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from booker.sim.clock import SimClock
from booker.sim.scenario import SlotSpec

FIRST_CONFIG_ID = 1_677_001


@dataclass(slots=True)
class Stock:
    """Remaining tables of one type at one time."""

    config_id: int
    time: str  # HH:MM:SS venue local
    table_type: str
    party_min: int
    party_max: int
    quantity: int

    def seats(self, party_size: int) -> bool:
        """Whether a party of this size fits."""
        return self.party_min <= party_size <= self.party_max


class Inventory:
    """All stock for one venue and day, released at `release_at` on the sim clock."""

    def __init__(
        self, specs: Sequence[SlotSpec], day: str, release_at: float, clock: SimClock
    ) -> None:
        self.day = day
        self.release_at = release_at
        self.clock = clock
        self.stock: list[Stock] = []
        for spec in sorted(specs, key=lambda s: s.time):
            for table_type in spec.table_types:
                config_id = FIRST_CONFIG_ID + len(self.stock)
                self.stock.append(
                    Stock(
                        config_id,
                        spec.time,
                        table_type,
                        spec.party_min,
                        spec.party_max,
                        spec.quantity,
                    )
                )
        self._by_id = {s.config_id: s for s in self.stock}

    def released(self) -> bool:
        """Whether the release instant has passed on the sim clock."""
        return self.clock.now() >= self.release_at

    def visible(self, party_size: int) -> list[Stock]:
        """Stock a search shows now: released, not sold out, fits the party."""
        if not self.released():
            return []
        return [s for s in self.stock if s.quantity > 0 and s.seats(party_size)]

    def find(self, config_id: int) -> Stock | None:
        """Released stock by config id (None before release or when unknown)."""
        return self._by_id.get(config_id) if self.released() else None

    def first_available(self, prefer: Sequence[str]) -> Stock | None:
        """First released stock left among `prefer` times in order (any time if empty)."""
        if not self.released():
            return None
        order = prefer or sorted({s.time for s in self.stock})
        for time in order:
            for s in self.stock:
                if s.time == time and s.quantity > 0:
                    return s
        return None

    @staticmethod
    def take(stock: Stock) -> bool:
        """Take one table; False when none is left."""
        if stock.quantity <= 0:
            return False
        stock.quantity -= 1
        return True

    @staticmethod
    def give_back(stock: Stock) -> None:
        """Return one table after a cancellation."""
        stock.quantity += 1
