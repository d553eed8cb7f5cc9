"""The journal end to end: a job is booked once, even across runs and crashes."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import orjson
import pytest
from booker_run import book_resy_command, private_dirs, run_booker, scenario

from booker.sim.testing import SimHandle, running_sim

pytestmark = pytest.mark.e2e


def finds(sim: SimHandle) -> int:
    """How many polls the simulator has seen so far."""
    return sum(r["path"] == "/4/find" for r in sim.ledger()["requests"])


def test_the_same_job_twice_books_once(tmp_path: Path) -> None:
    """A second run of a booked job says why and exits 0 without polling; --force books again."""
    several = scenario("+0.5s", rivals=0).replace(
        'day = "+20d"', 'day = "+20d"\nallow_multiple = true'
    )
    with running_sim(several, tmp_dir=tmp_path) as sim:
        command = book_resy_command(sim, "--cadence-ms", "50", "--max-duration", "30", "--json")
        first = run_booker(sim, command, tmp_path)
        polls = finds(sim)
        again = run_booker(sim, command, tmp_path)
        polls_again = finds(sim)
        forced = run_booker(sim, [*command, "--force"], tmp_path)
        ledger = sim.ledger()
    assert first.code == 0, first.stderr
    assert again.code == 0, again.stderr
    result = again.json()
    assert result["already_booked"] is True
    assert result["reservation_id"] == first.json()["reservation_id"]
    assert "use --force to book again" in result["message"]
    assert polls_again == polls  # nothing was sent
    assert forced.code == 0, forced.stderr
    assert forced.json()["reservation_id"] != first.json()["reservation_id"]
    assert sum(b["who"] == "booker" and b["active"] for b in ledger["bookings"]) == 2


def test_a_run_killed_before_journaling_is_recovered(tmp_path: Path) -> None:
    """A reservation booked by a run that died before recording it is found and recorded, not rebooked."""
    with running_sim(scenario("+0.3s", rivals=0), tmp_dir=tmp_path) as sim:
        # what a killed run left behind: a reservation at the service, nothing in the journal
        with sim.client() as client:
            client.get("/4/find", params={"day": sim.scenario["day"], "party_size": 2,
                                          "venue_id": sim.scenario["venue_id"], "lat": 0, "long": 0},
                       headers=sim.headers())  # fmt: skip
            book_earlier(sim, client)
        command = book_resy_command(sim, "--cadence-ms", "50", "--max-duration", "30", "--json")
        run = run_booker(sim, command, tmp_path)
        ledger = sim.ledger()
        history = run_booker(sim, [sys.executable, "-m", "booker", "history", "--json"], tmp_path)
    assert run.code == 0, run.stderr
    result = run.json()
    assert result["recovered"] is True
    assert "found at the service" in result["message"]
    assert sum(b["who"] == "booker" for b in ledger["bookings"]) == 1  # no second booking
    assert not [
        r
        for r in ledger["requests"]
        if r["path"] == "/3/book" and r["t"] > ledger["bookings"][0]["t"]
    ]
    entries = orjson.loads(history.stdout)
    assert [(e["source"], e["reservation_id"]) for e in entries] == [
        ("recovered", result["reservation_id"])
    ]
    assert (tmp_path / "data").is_dir() and private_dirs(tmp_path)["BOOKER_DATA_DIR"].endswith(
        "data"
    )


def book_earlier(sim: SimHandle, client: httpx.Client) -> None:
    """Book 19:00 directly, as the earlier run did."""
    import time

    time.sleep(0.4)  # after the release
    found = client.get(
        "/4/find",
        params={"day": sim.scenario["day"], "party_size": 2, "venue_id": sim.scenario["venue_id"],
                "lat": 0, "long": 0},
        headers=sim.headers(),
    )  # fmt: skip
    slot = orjson.loads(found.content)["results"]["venues"][0]["slots"][0]
    details = client.post(
        "/3/details",
        json={"config_id": slot["config"]["token"], "day": sim.scenario["day"], "party_size": 2},
        headers=sim.headers(),
    )
    token = orjson.loads(details.content)["book_token"]["value"]
    payment = orjson.dumps({"id": sim.scenario["payment_method_id"]}).decode()
    booked = client.post(
        "/3/book",
        data={
            "book_token": token,
            "struct_payment_method": payment,
            "source_id": "resy.com-venue-details",
        },
        headers=sim.headers(),
    )
    assert booked.status_code == 201
