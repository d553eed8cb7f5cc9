"""Campsite inventory: which stays (site, arrival, nights) are held, by whom."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class Stay:
    """Nights `[arrival, arrival + nights)` on one site."""

    site_id: str
    arrival: date
    nights: int

    @property
    def departure(self) -> date:
        """The morning the stay ends."""
        return self.arrival + timedelta(days=self.nights)

    def overlaps(self, other: Stay) -> bool:
        """Whether the two stays share a night, whatever their sites."""
        return self.arrival < other.departure and other.arrival < self.departure


class SiteBook:
    """The campground's sites and the stays holding them, keyed by booking id."""

    def __init__(self, sites: Sequence[str]) -> None:
        self.sites = tuple(sites)
        self._held: dict[str, dict[str, Stay]] = {site: {} for site in self.sites}

    def __contains__(self, site_id: object) -> bool:
        return site_id in self._held

    def free(self, stay: Stay) -> bool:
        """Whether no held stay on the same site shares a night with `stay`."""
        held = self._held.get(stay.site_id)
        return held is not None and not any(stay.overlaps(h) for h in held.values())

    def take(self, stay: Stay, booking_id: str) -> bool:
        """Hold `stay` for `booking_id`; False when the site is unknown or taken."""
        if not self.free(stay):
            return False
        self._held[stay.site_id][booking_id] = stay
        return True

    def give_back(self, booking_id: str) -> None:
        """Release whatever `booking_id` holds."""
        for held in self._held.values():
            held.pop(booking_id, None)

    def first_free(self, prefer: Sequence[str], arrival: date, nights: int) -> Stay | None:
        """The first free stay among `prefer` sites in order (all sites if empty)."""
        for site_id in prefer or self.sites:
            stay = Stay(site_id, arrival, nights)
            if self.free(stay):
                return stay
        return None
