"""Scheduled start: --at on the service's clock, measured from the simulator's ledger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from booker_run import book_resy_command, run_booker, scenario

from booker.sim.testing import running_sim

pytestmark = pytest.mark.e2e

SKEW_S = 1.5
SKEWED = scenario("+10s", rivals=0).replace(
    'provider = "resy"', f'provider = "resy"\nclock_skew_s = {SKEW_S}'
)


def finds(ledger: dict[str, Any]) -> list[float]:
    """Server receive times of the /4/find polls."""
    return sorted(r["t"] for r in ledger["requests"] if r["path"] == "/4/find")


def at_option(release_at: float) -> str:
    """The release instant (service clock) as ISO 8601 with an offset."""
    return dt.datetime.fromtimestamp(release_at, dt.UTC).isoformat()


def test_at_polls_on_the_service_clock(tmp_path: Path) -> None:
    """With the service 1.5 s ahead, --at still lands a poll within 50 ms after the release."""
    with running_sim(SKEWED, tmp_dir=tmp_path) as sim:
        release = sim.scenario["release_at"]
        command = book_resy_command(
            sim, "--at", at_option(release), "--prewarm-secs", "8", "--cadence-ms", "50",
            "--max-duration", "30", "--json",
        )  # fmt: skip
        run = run_booker(sim, command, tmp_path, timeout=60)
        ledger = sim.ledger()
    assert run.code == 0, run.stdout + run.stderr
    result = run.json()
    assert result["clock_offset_s"] == pytest.approx(-SKEW_S, abs=0.05)
    polls = finds(ledger)
    assert min(polls) >= release - 0.5 - 0.06  # polling starts --lead-ms (500) early, not sooner
    first_after = min(t for t in polls if t >= release)
    assert first_after - release <= 0.05
    booking = next(b for b in ledger["bookings"] if b["who"] == "booker")
    assert booking["t"] - release < 0.3


def test_local_clock_is_off_by_the_skew(tmp_path: Path) -> None:
    """With --clock local the same run polls 1.5 s late on the service's clock."""
    sooner = SKEWED.replace('at = "+10s"', 'at = "+5s"')  # no clock probes to wait for here
    with running_sim(sooner, tmp_dir=tmp_path) as sim:
        release = sim.scenario["release_at"]
        command = book_resy_command(
            sim, "--at", at_option(release), "--clock", "local", "--prewarm-secs", "3",
            "--cadence-ms", "50", "--max-duration", "30", "--json",
        )  # fmt: skip
        run = run_booker(sim, command, tmp_path, timeout=60)
        ledger = sim.ledger()
    assert run.code == 0, run.stdout + run.stderr
    assert run.json()["clock_offset_s"] is None
    first = min(finds(ledger))
    # polling starts --lead-ms (500) before WHEN as *our* clock reads it: 1.5 s late on theirs
    assert first - (release + SKEW_S - 0.5) == pytest.approx(0, abs=0.06)
    booking = next(b for b in ledger["bookings"] if b["who"] == "booker")
    assert booking["t"] - release >= SKEW_S - 0.5 - 0.06
