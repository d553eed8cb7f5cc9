"""Exactly one reservation: 200 drops, concurrency 10, 2 worker processes, duplicates possible."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import pytest

from booker.engine import events as ev
from booker.engine.supervisor import StatusSnapshot, Supervisor
from booker.http import ClientConfig
from booker.model import ResyTarget, Status
from booker.providers.resy import ResyCredentials
from booker.providers.resy_flow import ResyJob
from booker.settings import EngineSettings
from booker.sim.testing import running_sim

pytestmark = pytest.mark.e2e

DROPS = 200

# One user may hold several reservations per venue and day here, so parallel attempts
# that both land really do leave two: only booker's claim and cancellation prevent it.
SCENARIO = """
provider = "resy"
rivals = []
[release]
at = "+600s"
allow_multiple = true
[[slots]]
time = "19:00"
table_types = ["Dining Room", "Bar", "Patio", "Counter", "Garden"]
[[slots]]
time = "19:30"
table_types = ["Dining Room", "Bar", "Patio", "Counter", "Garden"]
"""


class Silent:
    """A reporter that keeps the events and prints nothing."""

    def __init__(self) -> None:
        self.events: list[ev.Event] = []

    def started(self, settings: EngineSettings, workers: int) -> None:
        """Nothing to show."""

    def polling(self, starts_in_s: float) -> None:
        """Nothing to show."""

    def event(self, event: ev.Event, elapsed_s: float) -> None:
        """Keep it."""
        self.events.append(event)

    def status(self, snapshot: StatusSnapshot) -> None:
        """Nothing to show."""

    def notice(self, message: str) -> None:
        """Nothing to show."""

    def countdown(self, seconds: float, label: str) -> None:
        """Nothing to show."""


def test_two_hundred_drops_end_with_exactly_one_reservation_each(tmp_path: Path) -> None:
    """Every drop: one active reservation in the ledger; any extra was cancelled and reported."""
    settings = EngineSettings(cadence_ms=50, concurrency=10, workers=2, max_duration_s=30)
    with running_sim(SCENARIO, plain=True, tmp_dir=tmp_path) as sim:
        credentials = ResyCredentials(sim.scenario["api_key"], sim.scenario["auth_token"])
        client = ClientConfig(base_url=sim.url, http2=False)
        duplicates_reported = 0
        for _ in range(DROPS):
            drop = sim.drop(in_ms=0, rivals=False)
            target = ResyTarget(sim.scenario["venue_id"], drop["day"], 2, ("19:00:00", "19:30:00"))
            reporter = Silent()
            result = Supervisor(
                settings, client, ResyJob(credentials, target), reporter, start_method="fork"
            ).run()
            assert result.status is Status.BOOKED, result.message
            duplicates_reported += sum(e.kind == ev.DUPLICATE for e in reporter.events)
        ledger: dict[str, Any] = sim.ledger()
    active = collections.Counter(
        b["day"] for b in ledger["bookings"] if b["who"] == "booker" and b["active"]
    )
    booked = collections.Counter(b["day"] for b in ledger["bookings"] if b["who"] == "booker")
    assert len(active) == DROPS
    assert set(active.values()) == {1}
    # duplicates did happen and were cancelled: the claim alone cannot stop answers on the wire
    extra = sum(booked.values()) - DROPS
    assert extra == len(ledger["cancellations"])
    assert duplicates_reported >= extra
