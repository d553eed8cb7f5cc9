"""End to end: booker against today's Resy shapes (and the legacy ones), as users run it."""

from __future__ import annotations

from pathlib import Path

import pytest
from booker_run import book_resy_command, lookup_command, run_booker

from booker.sim.testing import running_sim

pytestmark = pytest.mark.e2e

# /3/venue names no zone, /4/find serves only GET and shows slots only to signed-in users.
STRICT = """
rivals = []
[release]
at = "{at}"
day = "+20d"
[venue]
time_zone = "America/Chicago"
zone_in_venue = false
find_methods = ["GET"]
signed_in_only = true
[[slots]]
time = "19:00"
table_types = ["Dining Room"]
"""

LEGACY = """
shapes = "legacy"
rivals = []
[release]
at = "+1s"
[[slots]]
time = "19:00"
table_types = ["Dining Room"]
"""

FIREWALLED = """
rivals = []
[[faults]]
kind = "status"
status = 403
html = true
paths = ["/2/user"]
"""


def test_books_with_get_fallback_and_signed_in_find(tmp_path: Path) -> None:
    """POST /4/find refused (405): GET takes over at once; the token shows the slots."""
    with running_sim(STRICT.format(at="+1s"), tmp_dir=tmp_path) as sim:
        command = book_resy_command(sim, "--cadence-ms", "50", "--max-duration", "30", "--json")
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stderr
    assert run.json()["status"] == "booked"
    finds = [(r["method"], r["status"]) for r in ledger["requests"] if r["path"] == "/4/find"]
    posts = [f for f in finds if f[0] == "POST"]
    assert posts and all(status == 405 for _, status in posts)
    assert len(posts) <= 6  # about one per worker (a few in flight) before switching
    assert ("GET", 200) in finds
    book = [r for r in ledger["requests"] if r["path"] == "/3/book"]
    assert book and book[0]["status"] == 201


def test_books_against_the_legacy_shapes(tmp_path: Path) -> None:
    """The shapes API-NOTES first described still work: a booking, POST falling back to GET."""
    with running_sim(LEGACY, tmp_dir=tmp_path) as sim:
        command = book_resy_command(sim, "--cadence-ms", "50", "--max-duration", "30", "--json")
        run = run_booker(sim, command, tmp_path)
        venue_id = str(sim.scenario["venue_id"])
        venue = run_booker(
            sim, lookup_command(sim, "venue", "resy", "--venue-id", venue_id, "--json"), tmp_path
        )
    assert run.code == 0, run.stderr
    assert run.json()["status"] == "booked"
    assert venue.code == 0, venue.stderr
    assert venue.json()["time_zone"] == "America/New_York"  # from location.time_zone


def test_venue_and_slots_take_the_zone_from_find(tmp_path: Path) -> None:
    """/3/venue without a zone: ``venue`` and ``slots`` read it from /4/find's venue."""
    with running_sim(STRICT.format(at="-1s"), tmp_dir=tmp_path) as sim:
        venue_id = str(sim.scenario["venue_id"])
        venue = run_booker(
            sim, lookup_command(sim, "venue", "resy", "--venue-id", venue_id, "--json"), tmp_path
        )
        slots_command = lookup_command(
            sim, "slots", "resy", "--venue-id", venue_id,
            "--date", sim.scenario["day"], "--party-size", "2",
        )  # fmt: skip
        slots = run_booker(sim, slots_command, tmp_path)
    assert venue.code == 0, venue.stderr
    assert venue.json()["time_zone"] == "America/Chicago"
    assert slots.code == 0, slots.stderr
    lines = slots.stdout.splitlines()
    assert lines[0] == "Carbone (simulated) (America/Chicago)"
    assert [line.split()[0] for line in lines[3:]] == ["19:00"]  # shown to the signed-in user


def test_ping_names_the_firewall(tmp_path: Path) -> None:
    """A 403 web page on /2/user: ``ping`` says the firewall blocks us, exit 1, one line."""
    with running_sim(FIREWALLED, tmp_dir=tmp_path) as sim:
        run = run_booker(sim, lookup_command(sim, "ping", "resy"), tmp_path)
    assert run.code == 1
    [line] = run.stderr.strip().splitlines()
    assert "blocked by the service's firewall" in line
