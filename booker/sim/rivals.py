"""Rival bookers: each grabs one released table (or campsite) after a lognormal delay."""

from __future__ import annotations

import asyncio
import math
from datetime import date

from booker.sim.campsites import SiteBook
from booker.sim.cart_scenario import Campground
from booker.sim.world import World


def draw_schedule(world: World) -> list[tuple[float, tuple[str, ...]]]:
    """(sim-clock instant, preferred times) per rival, soonest first."""
    schedule: list[tuple[float, tuple[str, ...]]] = []
    for spec in world.scenario.rivals:
        for _ in range(spec.count):
            delay_ms = spec.delay_median_ms * math.exp(spec.delay_sigma * world.rng.gauss())
            schedule.append((world.release_at + delay_ms / 1000.0, spec.prefer))
    schedule.sort(key=lambda item: item[0])
    return schedule


async def run_rivals(world: World) -> None:
    """Sleep until each rival's instant and let it take a table (forever-safe to cancel)."""
    for at, prefer in draw_schedule(world):
        wait = world.clock.until(at)
        if wait > 0:
            await asyncio.sleep(wait)
        stock = world.inventory.first_available(prefer)
        if stock is None or not world.inventory.take(stock):
            continue
        party = max(stock.party_min, min(2, stock.party_max))
        world.ledger.book(
            world.clock.now(),
            "rival",
            time=stock.time,
            table_type=stock.table_type,
            day=world.day,
            party_size=party,
        )


RIVAL_NIGHTS = 2


async def run_site_rivals(world: World, sites: SiteBook, campground: Campground) -> None:
    """Cart rivals: after each delay, hold a preferred campsite for the arrival date."""
    arrival = date.fromisoformat(world.day)
    nights = min(RIVAL_NIGHTS, campground.max_nights)
    for at, prefer in draw_schedule(world):
        wait = world.clock.until(at)
        if wait > 0:
            await asyncio.sleep(wait)
        stay = sites.first_free(prefer, arrival, nights)
        if stay is None:
            continue
        booking = world.ledger.book_site(
            world.clock.now(),
            "rival",
            contract_code=campground.contract_code,
            facility_id=campground.facility_id,
            site_id=stay.site_id,
            arrival_date=stay.arrival.isoformat(),
            nights=stay.nights,
        )
        sites.take(stay, booking.reservation_id)
