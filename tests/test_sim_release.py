"""Release timing and rivals: nothing before the instant, slots after, rivals take some."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from booker.sim.testing import SimHandle, running_sim

SCENARIO = """
seed = 1
[release]
at = "+0.6s"
[[slots]]
time = "19:00"
table_types = ["Dining Room", "Patio"]
[[slots]]
time = "19:30"
table_types = ["Dining Room"]
[[rivals]]
count = 2
delay_median_ms = 40
delay_sigma = 0.0
prefer = ["19:00"]
"""


def find(client: httpx.Client, sim: SimHandle) -> list[dict[str, Any]]:
    params = {"lat": 0, "long": 0, "day": sim.scenario["day"], "party_size": 2, "venue_id": 60029}
    r = client.get("/4/find", params=params)
    assert r.status_code == 200
    slots: list[dict[str, Any]] = r.json()["results"]["venues"][0]["slots"]
    return slots


def test_release_then_rivals(tmp_path: Path) -> None:
    with running_sim(SCENARIO, tmp_dir=tmp_path) as sim, sim.client(headers=sim.headers()) as c:
        release_at = sim.scenario["release_at"]
        day = sim.scenario["day"]
        assert time.time() < release_at - 0.1, "sim started too slowly for this test"
        assert find(c, sim) == []
        token = f"rgs://resy/60029/1677001/2/{day}/{day}/19:00:00/2/Dining Room"
        early = c.post("/3/details", json={"config_id": token, "day": day, "party_size": 2})
        assert early.status_code == 404
        time.sleep(max(0.0, release_at - time.time()) + 0.3)
        slots = find(c, sim)
        assert [(s["date"]["start"][-8:], s["config"]["type"]) for s in slots] == [
            ("19:30:00", "Dining Room")
        ]
        ledger = sim.ledger()
    assert ledger["release_at"] == release_at
    rivals = ledger["bookings"]
    assert [(b["who"], b["time"]) for b in rivals] == [("rival", "19:00:00")] * 2
    assert {b["table_type"] for b in rivals} == {"Dining Room", "Patio"}
    for b in rivals:
        assert 0.03 <= b["t"] - release_at < 0.25
    assert [r["path"] for r in ledger["requests"]] == ["/4/find", "/3/details", "/4/find"]
