"""End to end (issue 16): a time range with table types, an empty range, and a job of
several venues released at once that keeps exactly one reservation."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from booker_run import book_resy_command, run_booker, scenario
from conftest import EmptyRangeRun

from booker.sim.testing import running_sim
from booker.store.journal import Journal

pytestmark = pytest.mark.e2e


def test_a_range_with_table_types_books_the_right_slot(tmp_path: Path) -> None:
    """19:10-20:00 with Patio or Bar wanted books 19:30 Bar (not 19:00, not a Dining Room),
    and says why."""
    with running_sim(scenario("+1s", rivals=0), tmp_dir=tmp_path) as sim:
        command = book_resy_command(
            sim, "--cadence-ms", "50", "--max-duration", "30", "--json",
            "--table-types", "patio,Bar", times="18:00-18:30,19:10-20:00",
        )  # fmt: skip
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["status"] == "booked"
    assert (result["slot"]["time"], result["slot"]["type"]) == ("19:30:00", "Bar")
    assert result["slot"]["rank"] == "1"
    assert "time 19:10-20:00 (choice 2 of 2, earliest first)" in result["slot"]["why"]
    assert "table Bar (choice 2 of 2)" in result["slot"]["why"]
    ours = [b for b in ledger["bookings"] if b["who"] == "booker" and b["active"]]
    assert [(b["time"], b["table_type"], b["party_size"]) for b in ours] == [("19:30:00", "Bar", 2)]


def test_an_empty_range_books_nothing(empty_range_run: EmptyRangeRun | None) -> None:
    """Ranges where nothing is offered: polling sees the release, books nothing, exit 1
    at --max-duration (started with the session, so its 30 s overlap other tests)."""
    assert empty_range_run is not None
    out, err = empty_range_run.process.communicate(timeout=90)
    ledger = empty_range_run.ledger()
    assert empty_range_run.process.returncode == 1, err
    assert '"status":"not_booked"' in out.replace(" ", "")
    finds = [r["t"] for r in ledger["requests"] if r["path"] == "/4/find"]
    assert max(finds) > float(ledger["release_at"])  # it did see the slots that opened
    assert [b for b in ledger["bookings"] if b["who"] == "booker"] == []


def test_two_venues_and_two_days_released_at_once_keep_exactly_one_reservation(
    tmp_path: Path,
) -> None:
    """Two venues, two days each, all opening at the same instant, and a service that
    would let the account hold several: two workers poll all four every tick and the job
    keeps exactly one reservation, at its first choice (first day, first venue given)."""
    extra = "[venue]\nsisters = [1505]\n"
    text = scenario("+2s", rivals=0).replace(
        "[release]\n", "[release]\nmore_days = 1\nallow_multiple = true\n"
    )
    with running_sim(text + extra, tmp_dir=tmp_path) as sim:
        day = sim.scenario["day"]
        later = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
        command = book_resy_command(
            sim, "--workers", "2", "--concurrency", "4", "--cadence-ms", "50",
            "--max-duration", "30", "--json",
        )  # fmt: skip
        # the first venue wanted never opens: only a tick that polls them all books
        command[command.index("--venue-id") + 1] = "999,1505,60029"
        command[command.index("--date") + 1] = f"{later},{day}"
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stderr
    result = run.json()
    ours = [b for b in ledger["bookings"] if b["who"] == "booker" and b["active"]]
    assert len(ours) == 1, ledger["bookings"]
    assert (ours[0]["venue_id"], ours[0]["day"]) == (1505, later)
    assert result["slot"]["venue"] == "1505" and result["slot"]["day"] == later
    # the two tables at 19:00 are wanted as much (any type will do): both rank first
    assert result["slot"]["time"] == "19:00:00" and result["slot"]["rank"] == "1"
    assert f"day {later} (1 of 2); venue 1505 (2 of 3)" in result["slot"]["why"]
    with Journal(tmp_path / "data" / "journal.sqlite3") as journal:
        (entry,) = journal.history()
    assert entry.job_key == f"resy:999,1505,60029:{day},{later}:2"  # the whole job, one key
    assert entry.slot.endswith(f"on {later} at 1505")  # history says which one was booked
