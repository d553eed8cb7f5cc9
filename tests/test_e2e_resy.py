"""End to end: the real ``booker`` command wins against the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from booker_run import book_resy_command, run_booker, scenario, wait_until_gone

from booker.cli.runner import NOBODY_TOLD
from booker.sim.testing import running_sim

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("plain", [False, True], ids=["h2-tls", "h1-plain"])
@pytest.mark.parametrize("workers", [1, 2])
def test_books_exactly_once_after_release(tmp_path: Path, plain: bool, workers: int) -> None:
    """booker books one slot after the release, over HTTP/2+TLS and HTTP/1.1, with 1 and 2 workers."""
    with running_sim(scenario("+2s"), plain=plain, tmp_dir=tmp_path) as sim:
        command = book_resy_command(
            sim, "--workers", str(workers), "--cadence-ms", "50", "--max-duration", "30", "--json"
        )
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["status"] == "booked"
    ours = [b for b in ledger["bookings"] if b["who"] == "booker" and b["active"]]
    assert len(ours) == 1
    assert str(ours[0]["reservation_id"]) == result["reservation_id"]
    assert ours[0]["t"] >= ledger["release_at"]
    assert result["slot"]["time"] == ours[0]["time"]
    versions = {r["http_version"] for r in ledger["requests"]}
    assert versions == ({"1.1"} if plain else {"2"})
    assert result["requests"] >= 1 and result["elapsed_ms"] > 0
    assert not wait_until_gone(run.tag, 2.0)


def test_dry_run_never_books(tmp_path: Path) -> None:
    """--dry-run finds a slot and fetches its details but never calls /3/book."""
    with running_sim(scenario("+1s", rivals=0), tmp_dir=tmp_path) as sim:
        command = book_resy_command(
            sim, "--dry-run", "--cadence-ms", "50", "--max-duration", "30", "--json"
        )
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["status"] == "dry_run"
    assert result["slot"]["time"] == "19:00:00"
    paths = [r["path"] for r in ledger["requests"]]
    assert "/3/details" in paths
    assert "/3/book" not in paths
    assert Path(result["log_file"]).is_file()  # --json names the run's log
    assert not ledger["bookings"] or all(b["who"] == "rival" for b in ledger["bookings"])


def test_prefers_times_in_the_order_given(tmp_path: Path) -> None:
    """With both times free, the first listed time is booked, whatever the served order."""
    with running_sim(scenario("+1s", rivals=0), tmp_dir=tmp_path) as sim:
        command = book_resy_command(
            sim, "--cadence-ms", "50", "--max-duration", "30", "--json", times="19:30,19:00"
        )
        run = run_booker(sim, command, tmp_path)
    assert run.code == 0, run.stderr
    assert run.json()["slot"]["time"] == "19:30:00"


def test_human_output_tells_the_story(tmp_path: Path) -> None:
    """Without --json: venue, settings, slots found, the winning worker and the totals; run as
    `booker schedule` starts it, without --notify: it says in its log that nobody is told."""
    with running_sim(scenario("+1s", rivals=0), tmp_dir=tmp_path) as sim:
        command = book_resy_command(
            sim, "--workers", "2", "--cadence-ms", "50", "--max-duration", "30"
        )
        run = run_booker(sim, command, tmp_path, BOOKER_SCHEDULED="60029-x")
    assert run.code == 0, run.stderr
    out = run.stdout
    assert "Carbone (simulated)" in out
    assert "workers 2, concurrency 3, cadence 50 ms" in out
    assert out.count("TCP_NODELAY on") == 2  # read back from each worker's live socket
    assert "found" in out and "matching slots" in out
    assert "booked 19:00" in out and "on attempt 1" in out
    assert "requests in" in out
    log = out.splitlines()[-1].partition(" log: ")[2]  # the last line names the run's log
    assert Path(log).is_file() and "finished" in Path(log).read_text()
    assert NOBODY_TOLD in out and NOBODY_TOLD in Path(log).read_text()


def test_bad_credentials_stop_at_once_with_exit_3(tmp_path: Path) -> None:
    """A refused user token (419) ends the job with exit 3 and a clear message, never polling."""
    with running_sim(scenario("+1s", rivals=0), tmp_dir=tmp_path) as sim:
        command = book_resy_command(sim, "--max-duration", "30", "--json")
        run = run_booker(sim, command, tmp_path, RESY_AUTH_TOKEN="wrong-token")
        ledger = sim.ledger()
    assert run.code == 3
    result = run.json()
    assert result["status"] == "failed"
    assert "credentials" in result["message"]
    assert "wrong-token" not in run.stdout + run.stderr
    assert not [r for r in ledger["requests"] if r["path"].startswith("/4/find")]
    assert not wait_until_gone(run.tag, 2.0)
