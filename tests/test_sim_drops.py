"""Re-arming one sim for drop after drop: POST /_sim/drop and SimHandle.drop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from booker.sim.testing import SimHandle, running_sim

RESY = """
seed = 3
[release]
at = "+0s"
[[slots]]
time = "19:00"
table_types = ["Dining Room"]
quantity = 3
[[slots]]
time = "20:00"
table_types = ["Dining Room"]
[[rivals]]
count = 2
delay_median_ms = 40
delay_sigma = 0.0
prefer = ["19:00"]
[[faults]]
kind = "status"
status = 503
start = "+0s"
end = "+400ms"
paths = ["/2/config"]
"""
CART = """
provider = "cart"
shapes = "legacy"  # the msgKeys API-NOTES first described
[release]
at = "+3600s"
[campground]
sites = ["245719", "245720"]
[[rivals]]
count = 1
delay_median_ms = 40
delay_sigma = 0.0
prefer = ["245720"]
"""
ADD = "/jaxrs-json/shoppingcart/0/additem"
PM = '{"id": 123456}'


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimHandle]:
    with running_sim(RESY, tmp_dir=tmp_path_factory.mktemp("drops")) as handle:
        yield handle


@pytest.fixture(scope="module")
def client(sim: SimHandle) -> Iterator[httpx.Client]:
    with sim.client(headers=sim.headers()) as c:
        yield c


def find(client: httpx.Client, day: str) -> list[dict[str, Any]]:
    params: dict[str, str | int] = {"lat": 0, "long": 0, "day": day, "party_size": 2}
    params["venue_id"] = 60029
    r = client.get("/4/find", params=params)
    assert r.status_code == 200
    slots: list[dict[str, Any]] = r.json()["results"]["venues"][0]["slots"]
    return slots


def details(client: httpx.Client, day: str, time_: str) -> httpx.Response:
    token = f"rgs://resy/60029/1677001/2/{day}/{day}/{time_}/2/Dining Room"
    if time_ == "20:00:00":
        token = token.replace("/1677001/", "/1677002/")
    return client.post("/3/details", json={"config_id": token, "day": day, "party_size": 2})


def book_token(client: httpx.Client, day: str, time_: str) -> str:
    r = details(client, day, time_)
    assert r.status_code == 200, r.text
    value: str = r.json()["book_token"]["value"]
    return value


def book(client: httpx.Client, token: str) -> httpx.Response:
    return client.post("/3/book", data={"book_token": token, "struct_payment_method": PM})


def sleep_until(epoch: float, margin: float = 0.05) -> None:
    time.sleep(max(0.0, epoch - time.time()) + margin)


def next_day(day: str, days: int = 1) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def test_rearm_twice_book_each_day_old_token_dies(sim: SimHandle, client: httpx.Client) -> None:
    before = sim.ledger()["drops"][-1]
    second = sim.drop(in_ms=300, rivals=False)
    assert second["drop"] == before["drop"] + 1
    assert second["day"] == next_day(before["day"])
    assert second["release_at"] == pytest.approx(time.time() + 0.3, abs=0.2)
    day2 = second["day"]
    assert find(client, day2) == []
    assert details(client, day2, "19:00:00").status_code == 404
    assert find(client, before["day"]) == []  # only the current drop's day is shown
    sleep_until(second["release_at"])
    assert [(s["date"]["start"], s["quantity"]) for s in find(client, day2)] == [
        (f"{day2} 19:00:00", 3),
        (f"{day2} 20:00:00", 1),
    ]
    stale = book_token(client, day2, "20:00:00")
    booked2 = book(client, book_token(client, day2, "19:00:00"))
    assert booked2.status_code == 201

    third = sim.drop(in_ms=-5, rivals=False)  # already released
    day3 = third["day"]
    assert (third["drop"], day3) == (second["drop"] + 1, next_day(day2))
    assert len(find(client, day3)) == 2 and find(client, day2) == []
    r = book(client, stale)
    assert r.status_code == 412
    assert r.json()["message"] == "Book token is invalid or has expired"
    booked3 = book(client, book_token(client, day3, "20:00:00"))  # allow_multiple: other day
    assert booked3.status_code == 201
    assert [s["date"]["start"][-8:] for s in find(client, day3)] == ["19:00:00"]

    held = client.get("/3/user/reservations").json()["reservations"]
    ids = {h["reservation_id"]: h for h in held}
    for booked, day in ((booked2, day2), (booked3, day3)):
        assert ids[booked.json()["reservation_id"]]["day"] == day
    cancel = client.post("/3/cancel", data={"resy_token": booked2.json()["resy_token"]})
    assert cancel.status_code == 200  # an earlier drop's reservation still cancels

    ledger = sim.ledger()
    assert ledger["release_at"] == third["release_at"]
    drops = {d["drop"]: d for d in ledger["drops"]}
    assert (drops[second["drop"]]["day"], drops[third["drop"]]["day"]) == (day2, day3)
    assert drops[third["drop"]]["rivals"] is False
    mine = [b for b in ledger["bookings"] if b["who"] == "booker"]
    assert {(b["drop"], b["day"], b["time"], b["active"]) for b in mine} == {
        (second["drop"], day2, "19:00:00", False),
        (third["drop"], day3, "20:00:00", True),
    }
    finds = [r["drop"] for r in ledger["requests"] if r["path"] == "/4/find"]
    assert finds[-3:] == [third["drop"]] * 3


def rivals_of(sim: SimHandle, drop: int) -> list[dict[str, Any]]:
    return [b for b in sim.ledger()["bookings"] if b["who"] == "rival" and b["drop"] == drop]


def test_rivals_follow_the_rearmed_release(sim: SimHandle, client: httpx.Client) -> None:
    on = sim.drop(in_ms=100)
    sleep_until(on["release_at"], 0.3)
    rivals = rivals_of(sim, on["drop"])
    assert [(b["day"], b["time"]) for b in rivals] == [(on["day"], "19:00:00")] * 2
    for b in rivals:
        assert 0.03 <= b["t"] - on["release_at"] < 0.25
    assert [s["quantity"] for s in find(client, on["day"])] == [1, 1]

    off = sim.drop(in_ms=0, rivals=False)
    time.sleep(0.3)
    assert rivals_of(sim, off["drop"]) == []
    assert [s["quantity"] for s in find(client, off["day"])] == [3, 1]


def test_faults_move_with_the_release(sim: SimHandle, client: httpx.Client) -> None:
    armed = sim.drop(in_ms=250, rivals=False)
    assert client.get("/2/config", params={"venue_id": 60029}).status_code == 200
    sleep_until(armed["release_at"], 0.05)
    assert client.get("/2/config", params={"venue_id": 60029}).status_code == 503
    sleep_until(armed["release_at"] + 0.4, 0.05)
    assert client.get("/2/config", params={"venue_id": 60029}).status_code == 200


def test_explicit_day_query_form_and_bad_params(sim: SimHandle, client: httpx.Client) -> None:
    fixed = sim.drop(in_ms=-1, day="2040-02-29", rivals=False)
    assert fixed["day"] == "2040-02-29"
    assert len(find(client, "2040-02-29")) == 2
    r = client.post("/_sim/drop", params={"in_ms": "-1", "rivals": "0"})
    assert r.status_code == 200
    assert r.json()["day"] == "2040-03-01" and r.json()["drop"] == fixed["drop"] + 1
    for bad in ({"in_ms": "soon"}, {"day": "2040-13-01"}, {"rivals": "maybe"}, {"when": "1"}):
        refused = client.post("/_sim/drop", params=bad)
        assert refused.status_code == 400, bad
    assert client.post("/_sim/drop", content=b"[1]").status_code == 400
    assert client.get("/_sim/drop").status_code == 405
    assert sim.ledger()["drops"][-1]["drop"] == fixed["drop"] + 1  # refusals changed nothing


def test_hundred_rearms_stay_fast(sim: SimHandle, client: httpx.Client) -> None:
    first = sim.drop(in_ms=-1)
    started = time.monotonic()
    answers = [sim.drop(in_ms=-1) for _ in range(100)]
    elapsed = time.monotonic() - started
    assert elapsed < 2.0, f"100 re-arms took {elapsed:.2f} s"
    assert [a["drop"] for a in answers] == list(range(first["drop"] + 1, first["drop"] + 101))
    assert [a["day"] for a in answers] == [next_day(first["day"], n) for n in range(1, 101)]
    last = answers[-1]["day"]
    assert book(client, book_token(client, last, "20:00:00")).status_code == 201


def test_cart_rearm(tmp_path: Path) -> None:
    with running_sim(CART, tmp_dir=tmp_path) as sim, sim.client(headers=sim.cart_headers()) as c:

        def add(site: str, arrival: str, units: int = 2) -> httpx.Response:
            item: dict[str, str | int] = {"contractCode": "NY", "facilityID": "140"}
            item |= {"siteID": site, "arrivalDate": arrival, "units": units, "quantity": 1}
            return c.post(ADD, json=item)

        first = sim.scenario["arrival_date"]
        armed = sim.drop(in_ms=300)
        day = armed["day"]
        assert (armed["drop"], day) == (2, next_day(first))
        early = add("245719", day)
        assert early.status_code == 417
        assert early.json()["faults"][0]["msgKey"] == "R6-V-100013.error"
        assert add("245719", next_day(day)).json()["faults"][0]["msgKey"] == "R1-V-100017.error"
        sleep_until(armed["release_at"], 0.3)
        added = add("245719", day)
        assert added.status_code == 200, added.text
        ledger = sim.ledger()
        assert [(d["drop"], d["day"]) for d in ledger["drops"]] == [(1, first), (2, day)]
        this_drop = [b for b in ledger["bookings"] if b["arrival_date"] == day]
        assert {(b["who"], b["site_id"], b["nights"]) for b in this_drop} == {
            ("booker", "245719", 2),
            ("rival", "245720", 2),
        }
        # the next default day skips the nights the 2-night stay covers: no R12 overlap
        quiet = sim.drop(in_ms=-1, rivals=False)
        assert quiet["day"] == next_day(day, 2)
        assert add("245720", quiet["day"]).status_code == 200
        assert c.get("/jaxrs-json/shoppingcart/0").json()["itemsCount"] == 2
        time.sleep(0.1)
        rivals = [b for b in sim.ledger()["bookings"] if b["who"] == "rival"]
        assert [b["arrival_date"] for b in rivals] == [day]  # none for the rivals=false drop
