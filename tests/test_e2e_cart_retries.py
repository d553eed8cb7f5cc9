"""End to end: ``book cart --retries`` against the simulated cart, whose first add-to-cart
after the release fails with a 503 while a rival takes the site 1.5 s later."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from booker_run import book_cart_command, run_booker

from booker.sim.testing import running_sim

pytestmark = pytest.mark.e2e

ADD_PATH = "/jaxrs-json/shoppingcart/0/additem"
SCENARIO = f"""
provider = "cart"
[release]
at = "+5s"
[campground]
sites = ["245719", "245720"]
arrival_date = "+30d"
[[rivals]]
count = 1
delay_median_ms = 1500
delay_sigma = 0.01
prefer = ["245719"]
[[faults]]
kind = "status"
status = 503
start = "+0s"
times = 1
paths = ["{ADD_PATH}"]
"""


def adds(ledger: dict[str, Any]) -> list[dict[str, Any]]:
    """The additem requests, in server order."""
    return sorted((r for r in ledger["requests"] if r["path"] == ADD_PATH), key=lambda r: r["t"])


@pytest.mark.parametrize(("retries", "code"), [(0, 3), (2, 0)])
def test_retries_add_again_before_the_next_tick(tmp_path: Path, retries: int, code: int) -> None:
    """One poll 0.2 s after the release, the next 5 s later: only a retry of the 503'd add
    (after a look at the cart) beats the rival; without, the next tick finds the site taken."""
    with running_sim(SCENARIO, tmp_dir=tmp_path) as sim:
        release = sim.scenario["release_at"]
        at = dt.datetime.fromtimestamp(release + 0.2, dt.UTC).isoformat()
        command = book_cart_command(
            sim, "--at", at, "--clock", "local", "--lead-ms", "0", "--prewarm-secs", "2",
            "--cadence-ms", "5000", "--concurrency", "1", "--workers", "1",
            "--max-duration", "30", "--retries", str(retries),
        )  # fmt: skip
        run = run_booker(sim, command, tmp_path, timeout=60)
        ledger = sim.ledger()
    assert run.code == code, run.stdout + run.stderr
    after = [r for r in adds(ledger) if r["t"] >= release]
    assert after[0]["status"] == 503
    ours = [b for b in ledger["bookings"] if b["who"] == "booker" and b["active"]]
    if retries:
        assert [r["status"] for r in after] == [503, 200]
        assert len(ours) == 1 and ours[0]["t"] - release < 1.0
    else:
        assert "Already reserved: dates not available" in run.stdout
        assert after[1]["t"] - after[0]["t"] > 4.0 and not ours
