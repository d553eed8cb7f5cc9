"""End to end: ``booker book cart`` against today's cart shapes (and the legacy ones)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from booker_run import book_cart_command, lookup_command, run_booker

from booker.sim.testing import running_sim

pytestmark = pytest.mark.e2e


def cart_scenario(extra: str = "", shapes: str = "2026", release: str = "+1s") -> str:
    """A campground with two sites; cart items described by site and date, or not at all."""
    return f"""
provider = "cart"
shapes = "{shapes}"
rivals = []
[release]
at = "{release}"
[campground]
sites = ["245719", "245720"]
arrival_date = "+30d"
{extra}
"""


ANONYMOUS = "[cart]\nsite_fields = false\n"


def ours(ledger: dict[str, Any]) -> list[dict[str, Any]]:
    """Active cart items booker added."""
    return [b for b in ledger["bookings"] if b["who"] == "booker" and b["active"]]


def test_win_proved_by_items_count_when_items_name_no_site(tmp_path: Path) -> None:
    """Cart items with only a cartItemId: the count over the warm snapshot proves the win."""
    payload = tmp_path / "notify.json"
    with running_sim(cart_scenario(ANONYMOUS), tmp_dir=tmp_path) as sim:
        base = book_cart_command(sim, "--cadence-ms", "50", "--max-duration", "30")
        notify = ["--notify-cmd", f"cat > {payload}"]
        run = run_booker(sim, [*base, "--json", *notify], tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stdout + run.stderr
    result = run.json()
    [item] = ours(ledger)
    assert result["reservation_id"] == item["reservation_id"]
    assert result["message"].startswith("Added to cart: complete checkout within 15 minutes")
    assert (result["in_cart"], result["checkout_within_minutes"]) == (True, 15)
    assert "Booked" not in result["message"]
    notified = orjson.loads(payload.read_bytes())
    assert notified["message"] == result["message"] and notified["in_cart"] is True


def test_human_report_and_history_say_in_cart(tmp_path: Path) -> None:
    """The report says to check out; ``booker history`` lists the item as in the cart."""
    with running_sim(cart_scenario(), tmp_dir=tmp_path) as sim:
        run = run_booker(sim, book_cart_command(sim, "--cadence-ms", "50"), tmp_path)
        history = run_booker(sim, [*book_cart_command(sim)[:3], "history"], tmp_path)
    assert run.code == 0, run.stdout + run.stderr
    assert "Added to cart: complete checkout within 15 minutes" in run.stdout
    assert history.code == 0, history.stderr
    assert "in cart" in history.stdout.splitlines()[1]


def test_legacy_shapes_still_win(tmp_path: Path) -> None:
    """The shapes API-NOTES first described: per-item siteID, R1/R6 keys."""
    with running_sim(cart_scenario(shapes="legacy"), tmp_dir=tmp_path) as sim:
        run = run_booker(sim, book_cart_command(sim, "--cadence-ms", "50"), tmp_path)
        ledger = sim.ledger()
    assert run.code == 0, run.stdout + run.stderr
    assert len(ours(ledger)) == 1


def test_a_foreign_item_in_an_anonymous_cart_is_cart_full(tmp_path: Path) -> None:
    """Items without sites: one that was there before is not ours, so 'Cart full', exit 3."""
    prefilled = ANONYMOUS + '[[cart.items]]\nsite_id = "245720"\nunits = 2\n'
    with running_sim(cart_scenario(prefilled, release="+0.3s"), tmp_dir=tmp_path) as sim:
        run = run_booker(sim, book_cart_command(sim, "--cadence-ms", "50"), tmp_path)
        ledger = sim.ledger()
    assert run.code == 3, run.stdout + run.stderr
    assert "Cart full: clear existing reservations from your cart" in run.stdout
    assert not ours(ledger)


def test_sold_out_409_is_already_reserved(tmp_path: Path) -> None:
    """A rival takes the site: 409 'sold out', reported as already reserved, exit 3."""
    rival = '[[rivals]]\ncount = 1\ndelay_median_ms = 1\ndelay_sigma = 0.1\nprefer = ["245719"]'
    text = cart_scenario(release="+0.2s").replace("rivals = []", rival)
    with running_sim(text, tmp_dir=tmp_path) as sim:
        run = run_booker(sim, book_cart_command(sim, "--cadence-ms", "50"), tmp_path)
        ledger = sim.ledger()
    assert run.code == 3, run.stdout + run.stderr
    assert "Already reserved: dates not available" in run.stdout
    assert any(r["status"] == 409 for r in ledger["requests"])


def test_a1data_pasted_url_encoded_works_and_junk_is_refused(tmp_path: Path) -> None:
    """%7B%22... is decoded before sending; a value that is not JSON exits 2 in one line."""
    with running_sim(cart_scenario(), tmp_dir=tmp_path) as sim:
        command = book_cart_command(sim, "--cadence-ms", "50")
        encoded = quote(sim.scenario["a1data"], safe="")
        assert encoded.startswith("%7B%22")
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        run = run_booker(sim, command, tmp_path / "a", RA_A1DATA=encoded)
        junk = run_booker(sim, command, tmp_path / "b", RA_A1DATA="%ZZnot-json-secret")
    assert run.code == 0, run.stdout + run.stderr
    assert junk.code == 2
    [line] = junk.stderr.strip().splitlines()
    assert "RA_A1DATA is not JSON" in line
    assert "not-json-secret" not in junk.stdout + junk.stderr


def test_check_cart_sends_a1data_as_book_does(tmp_path: Path) -> None:
    """``check cart`` probes with the a1Data ``book cart`` sends: pasted URL-encoded it is
    accepted, and a value that is not JSON fails with book's one line, never sent."""
    with running_sim(cart_scenario(), tmp_dir=tmp_path) as sim:
        command = lookup_command(
            sim, "check", "cart", "--facility-id", sim.scenario["facility_id"],
            "--site-id", sim.scenario["sites"][0],
            "--arrival-date", sim.scenario["arrival_date"], "--samples", "1",
        )  # fmt: skip
        encoded = quote(sim.scenario["a1data"], safe="")
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        run = run_booker(sim, command, tmp_path / "a", RA_A1DATA=f"{encoded}\n")
        sent = len(sim.ledger()["requests"])
        junk = run_booker(sim, command, tmp_path / "b", RA_A1DATA="%ZZnot-json-secret")
        assert len(sim.ledger()["requests"]) == sent  # the junk value never reached the service
    levels = {line.split()[1]: line.split()[0] for line in run.stdout.splitlines()}
    assert levels["credentials"] == "OK", run.stdout + run.stderr
    assert run.code == 0, run.stdout + run.stderr
    assert junk.code == 1, junk.stdout + junk.stderr
    [line] = [row for row in junk.stdout.splitlines() if row.split()[1:2] == ["credentials"]]
    assert line.split()[0] == "FAIL" and "RA_A1DATA is not JSON" in line
    assert "not-json-secret" not in junk.stdout + junk.stderr
