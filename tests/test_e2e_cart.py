"""End to end: ``booker book cart`` against the simulated campsite cart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from booker_run import book_cart_command, run_booker, wait_until_gone

from booker.sim.testing import running_sim

pytestmark = pytest.mark.e2e

ADD_PATH = "/jaxrs-json/shoppingcart/0/additem"


def cart_scenario(release: str = "+2s", extra: str = "", rivals: str = "rivals = []") -> str:
    """A campground with two sites."""
    return f"""
provider = "cart"
{rivals}
[release]
at = "{release}"
[campground]
sites = ["245719", "245720"]
arrival_date = "+30d"
{extra}
"""


def adds(ledger: dict[str, Any]) -> list[dict[str, Any]]:
    """The additem requests, in server order."""
    return sorted((r for r in ledger["requests"] if r["path"] == ADD_PATH), key=lambda r: r["t"])


def ours(ledger: dict[str, Any]) -> list[dict[str, Any]]:
    """Active cart items booker added."""
    return [b for b in ledger["bookings"] if b["who"] == "booker" and b["active"]]


def test_wins_at_release_with_three_concurrent_requests(tmp_path: Path) -> None:
    """Polling add-to-cart through the release ends with exactly one item, printed with its id."""
    with running_sim(cart_scenario("+3.5s"), tmp_dir=tmp_path) as sim:  # polls well before it
        command = book_cart_command(
            sim,
            "--concurrency",
            "3",
            "--workers",
            "2",
            "--cadence-ms",
            "50",
            "--max-duration",
            "30",
        )
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stdout + run.stderr
    items = ours(ledger)
    assert len(items) == 1
    assert items[0]["t"] >= ledger["release_at"]
    assert f"cart item {items[0]['reservation_id']}" in run.stdout
    # received well before the release (a poll received just before it may be served after it)
    before = [r for r in adds(ledger) if r["t"] < ledger["release_at"] - 0.1]
    assert before and all(r["status"] == 417 for r in before)  # "not released yet", kept polling
    assert not wait_until_gone(run.tag, 2.0)


def test_overlapping_answers_from_our_own_requests_are_a_win(tmp_path: Path) -> None:
    """Several adds in flight at the release: one 200, the rest 'overlapping', and that is success."""
    # the winning "added" answer comes back late, so our other requests' "overlapping" lands first
    slow = (
        '[[faults]]\nkind = "slow"\ndelay_ms = 400\nstatuses = [200]\nstart = "-1s"\nend = "+2s"\n'
        f'paths = ["{ADD_PATH}"]\n'
    )
    with running_sim(cart_scenario("+2s", extra=slow), tmp_dir=tmp_path) as sim:
        command = book_cart_command(
            sim, "--concurrency", "3", "--workers", "2", "--cadence-ms", "50", "--max-duration", "30",
            "--log-file", str(tmp_path / "run.log"),
        )  # fmt: skip
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stdout + run.stderr
    items = ours(ledger)
    assert len(items) == 1
    assert f"cart item {items[0]['reservation_id']}" in run.stdout
    log = (tmp_path / "run.log").read_text()
    assert (
        "decision found status=417 cart holds an overlapping item" in log
    )  # our own race's losers
    assert "Cart full" not in run.stdout + log
    assert [r["status"] for r in adds(ledger)].count(200) == 1


def test_site_taken_by_a_rival_stops_with_exit_3(tmp_path: Path) -> None:
    """inventory.exception: 'Already reserved: dates not available', exit 3."""
    rival = '[[rivals]]\ncount = 1\ndelay_median_ms = 1\ndelay_sigma = 0.1\nprefer = ["245719"]'
    with running_sim(cart_scenario("+0.2s", rivals=rival), tmp_dir=tmp_path) as sim:
        command = book_cart_command(sim, "--cadence-ms", "50", "--max-duration", "30")
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
    assert run.code == 3, run.stdout + run.stderr
    assert "Already reserved: dates not available" in run.stdout
    assert not ours(ledger)


def test_expired_session_stops_with_exit_3(tmp_path: Path) -> None:
    """Cookies the service no longer accepts (401) end the job at once, exit 3."""
    with running_sim(cart_scenario(), tmp_dir=tmp_path) as sim:
        command = book_cart_command(sim, "--max-duration", "30")
        run = run_booker(sim, command, tmp_path, RA_AUTHORIZATION="eyJ.expired.token")
        ledger = sim.ledger()
    assert run.code == 3
    assert "session expired" in run.stdout
    assert "eyJ.expired.token" not in run.stdout + run.stderr
    assert not adds(ledger)


def test_a_cart_already_holding_another_stay_is_full(tmp_path: Path) -> None:
    """An overlapping item that is not ours: 'Cart full', exit 3, nothing added."""
    prefilled = '[[cart.items]]\nsite_id = "245720"\nunits = 2\n'
    with running_sim(cart_scenario("+0.5s", extra=prefilled), tmp_dir=tmp_path) as sim:
        command = book_cart_command(sim, "--cadence-ms", "50", "--max-duration", "30")
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
    assert run.code == 3, run.stdout + run.stderr
    assert "Cart full: clear existing reservations from your cart" in run.stdout
    assert not ours(ledger)


def test_a_429_storm_is_ridden_out(tmp_path: Path) -> None:
    """429s across the release pause booker; it resumes and still gets the site."""
    storm = f'[[faults]]\nkind = "status"\nstatus = 429\nstart = "-1s"\nend = "+2s"\npaths = ["{ADD_PATH}"]\n'
    with running_sim(cart_scenario("+2s", extra=storm), tmp_dir=tmp_path) as sim:
        command = book_cart_command(sim, "--cadence-ms", "50", "--max-duration", "30")
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stdout + run.stderr
    assert [r for r in adds(ledger) if r["status"] == 429]
    assert len(ours(ledger)) == 1


def test_dry_run_reads_the_cart_and_adds_nothing(tmp_path: Path) -> None:
    """--dry-run proves the credentials by reading the cart and never sends additem."""
    with running_sim(cart_scenario(), tmp_dir=tmp_path) as sim:
        run = run_booker(sim, book_cart_command(sim, "--dry-run", "--json"), tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stdout + run.stderr
    assert run.json()["status"] == "dry_run"
    assert not adds(ledger)
    assert [r for r in ledger["requests"] if r["path"] == "/jaxrs-json/shoppingcart/0"]


def test_ping_cart_checks_the_session(tmp_path: Path) -> None:
    """``booker ping cart``: exit 0 with HTTP/2 over a warm connection; expired cookies exit 3."""
    import sys

    with running_sim(cart_scenario(), tmp_dir=tmp_path) as sim:
        command = [
            sys.executable, "-m", "booker", "ping", "cart", "--samples", "2", "--json",
            "--base-url", sim.url, "--ca-cert", str(sim.ca),
        ]  # fmt: skip
        good = run_booker(sim, command, tmp_path)
        expired = run_booker(sim, command, tmp_path, RA_A1DATA='{"stale": true}')
    assert good.code == 0, good.stderr
    document = good.json()
    assert document["provider"] == "cart" and document["http_version"] == "HTTP/2"
    assert expired.code == 3
    assert "session expired" in expired.stderr
    assert len(expired.stderr.strip().splitlines()) == 1


def test_two_sites_released_at_once_keep_one_in_the_cart(tmp_path: Path) -> None:
    """--site-id 245720,245719 (issue 16): both open at once, each tick adds both; one
    stay stays in the cart (the cart refuses a second stay on the same dates, so the one
    it accepted first) and the result says which site and why."""
    with running_sim(cart_scenario("+1s"), tmp_dir=tmp_path) as sim:
        command = book_cart_command(
            sim, "--workers", "2", "--cadence-ms", "50", "--max-duration", "30", "--json",
            site="245720,245719",
        )  # fmt: skip
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stdout + run.stderr
    items = [i for i in ours(ledger) if i.get("active", True)]
    assert len(items) == 1, ledger["bookings"]
    result = run.json()
    assert result["slot"]["venue"] == items[0]["site_id"]
    assert "choice" in result["slot"]["why"]
