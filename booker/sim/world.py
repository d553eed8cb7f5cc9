"""The live state one sim run shares between its provider app, rivals and ledger."""

from __future__ import annotations

import random
from dataclasses import dataclass

from booker.sim.clock import SimClock
from booker.sim.inventory import Inventory
from booker.sim.ledger import Ledger
from booker.sim.scenario import Scenario


@dataclass(frozen=True, slots=True)
class World:
    """Scenario plus the mutable state built from it at start."""

    scenario: Scenario
    clock: SimClock
    started_at: float
    release_at: float
    day: str  # YYYY-MM-DD
    ledger: Ledger
    inventory: Inventory
    rng: random.Random


def build_world(scenario: Scenario) -> World:
    """Resolve release instant and day against the sim clock now and build the state."""
    clock = SimClock(scenario.clock_skew_s)
    started_at = clock.now()
    release_at = scenario.release_at(started_at)
    day = scenario.bookable_day(started_at).isoformat()
    ledger = Ledger(started_at, release_at, scenario.clock_skew_s)
    inventory = Inventory(scenario.slots, day, release_at, clock)
    rng = random.Random(scenario.seed)
    return World(scenario, clock, started_at, release_at, day, ledger, inventory, rng)
