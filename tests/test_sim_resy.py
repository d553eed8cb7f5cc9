"""The simulated Resy API refuses wrong requests as the real service does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest

from booker.sim.testing import SimHandle, running_sim

SKEW_S = 3600.0
SCENARIO = f"""
clock_skew_s = {SKEW_S}
rivals = []
[release]
at = "+0s"
book_token_ttl_s = 0.5
[[slots]]
time = "19:00"
table_types = ["Dining Room", "Patio"]
[[slots]]
time = "19:30"
table_types = ["Dining Room"]
party_max = 2
[[slots]]
time = "21:00"
table_types = ["Bar", "Counter", "Lounge", "Terrace", "Garden", "Cellar"]
party_min = 5
party_max = 8
"""


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimHandle]:
    with running_sim(SCENARIO, tmp_dir=tmp_path_factory.mktemp("resy")) as handle:
        yield handle


@pytest.fixture
def client(sim: SimHandle) -> Iterator[httpx.Client]:
    with sim.client(headers=sim.headers()) as c:
        yield c


def find(client: httpx.Client, sim: SimHandle, party_size: int = 2) -> list[dict[str, Any]]:
    r = client.get(
        "/4/find",
        params={
            "lat": 0,
            "long": 0,
            "day": sim.scenario["day"],
            "party_size": party_size,
            "venue_id": sim.scenario["venue_id"],
        },
    )
    assert r.status_code == 200
    slots: list[dict[str, Any]] = r.json()["results"]["venues"][0]["slots"]
    return slots


def token_of(slots: list[dict[str, Any]], time_: str, table_type: str) -> str:
    for slot in slots:
        if slot["date"]["start"].endswith(time_) and slot["config"]["type"] == table_type:
            token: str = slot["config"]["token"]
            return token
    raise AssertionError(f"no slot {time_} {table_type}")


def details(client: httpx.Client, sim: SimHandle, token: str, party_size: int = 2) -> str:
    r = client.post(
        "/3/details",
        json={"config_id": token, "day": sim.scenario["day"], "party_size": party_size},
    )
    assert r.status_code == 200, r.text
    value: str = r.json()["book_token"]["value"]
    return value


def book(client: httpx.Client, book_token: str, payment: str = '{"id":123456}') -> httpx.Response:
    return client.post(
        "/3/book",
        data={
            "book_token": book_token,
            "struct_payment_method": payment,
            "source_id": "resy.com-venue-details",
        },
    )


def test_missing_user_agent_is_500(sim: SimHandle) -> None:
    headers = sim.headers()
    del headers["User-Agent"]
    with sim.client(headers=headers) as c:
        c.headers.pop("user-agent")
        assert c.get("/2/user").status_code == 500


def test_bad_or_missing_api_key_is_401(sim: SimHandle) -> None:
    for auth in ('ResyAPI api_key="wrong"', f"ResyAPI api_key={sim.scenario['api_key']}", None):
        headers = sim.headers()
        if auth is None:
            del headers["Authorization"]
        else:
            headers["Authorization"] = auth
        with sim.client(headers=headers) as c:
            r = c.get("/3/venue", params={"id": sim.scenario["venue_id"]})
        assert r.status_code == 401
        assert r.json() == {"status": 401, "message": "Unauthorized"}


def test_bad_or_missing_user_token_is_419(sim: SimHandle) -> None:
    for token in ("nope", None):
        headers = sim.headers()
        if token is None:
            del headers["X-Resy-Auth-Token"]
        else:
            headers["X-Resy-Auth-Token"] = token
        with sim.client(headers=headers) as c:
            for path in ("/2/user", "/3/user/reservations"):
                r = c.get(path)
                assert r.status_code == 419
                assert r.json() == {"status": 419, "message": "Unauthorized"}
            assert c.post("/3/cancel", data={"resy_token": "rr://x"}).status_code == 419
            assert c.get("/2/config", params={"venue_id": 60029}).status_code == 200


def test_wrong_method_is_500_and_unknown_path_404(client: httpx.Client) -> None:
    assert client.put("/4/find").status_code == 500
    assert client.get("/3/book").status_code == 500
    assert client.get("/9/nothing").status_code == 404


def test_user_venue_and_config(client: httpx.Client, sim: SimHandle) -> None:
    user = client.get("/2/user").json()
    assert user["payment_methods"] == [{"id": 123456, "is_default": True, "type": "visa"}]
    venue = client.get("/3/venue", params={"id": 60029}).json()
    assert venue["id"] == {"resy": 60029}
    assert venue["locale"]["time_zone"] == "EST5EDT"  # 2026: the legacy name, under locale
    assert "time_zone" not in venue["location"]
    assert "30 days" in venue["content"][0]["body"]
    assert client.get("/3/venue", params={"id": 1}).status_code == 404
    config = client.get("/2/config", params={"venue_id": 60029}).json()
    assert config == {"lead_time_in_days": 30, "calendar_date_to": sim.scenario["day"]}
    assert client.get("/2/config", params={"venue_id": 1}).status_code == 404


def test_find_shapes_and_bad_params(client: httpx.Client, sim: SimHandle) -> None:
    day = sim.scenario["day"]
    slots = find(client, sim, party_size=4)
    assert len(slots) == 2  # 19:30 seats at most 2
    slot = slots[0]
    assert slot["config"]["id"] == 1677001
    assert slot["config"]["token"] == (
        f"rgs://resy/60029/1677001/2/{day}/{day}/19:00:00/2/Dining Room"
    )
    assert slot["date"] == {"start": f"{day} 19:00:00", "end": f"{day} 20:30:00"}
    assert slot["size"] == {"min": 1, "max": 4}
    assert slot["quantity"] == 1
    assert slot["payment"] == {"is_paid": False, "deposit_fee": None}
    other = client.get(
        "/4/find",
        params={"lat": 0, "long": 0, "day": "2001-01-01", "party_size": 2, "venue_id": 60029},
    )
    assert other.json()["results"]["venues"][0]["slots"] == []
    bad_params: tuple[dict[str, str | int], ...] = (
        {"lat": 0, "long": 0, "day": day, "party_size": 2},
        {"lat": 0, "long": 0, "day": "tomorrow", "party_size": 2, "venue_id": 60029},
        {"lat": 0, "long": 0, "day": day, "party_size": "two", "venue_id": 60029},
        {"lat": "north", "long": 0, "day": day, "party_size": 2, "venue_id": 60029},
    )
    for params in bad_params:
        assert client.get("/4/find", params=params).status_code == 400


def test_details_refusals(client: httpx.Client, sim: SimHandle) -> None:
    day = sim.scenario["day"]
    token = token_of(find(client, sim), "19:00:00", "Patio")
    form = client.post("/3/details", data={"config_id": token, "day": day, "party_size": "2"})
    assert form.status_code == 400
    bad_json = client.post(
        "/3/details", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400
    garbage = client.post("/3/details", json={"config_id": "x", "day": day, "party_size": 2})
    assert garbage.status_code == 400
    unknown = token.replace("1677002", "1999999")
    r = client.post("/3/details", json={"config_id": unknown, "day": day, "party_size": 2})
    assert r.status_code == 404
    ok = client.post(
        "/3/details", json={"config_id": token, "day": day, "party_size": 2, "commit": 1}
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["book_token"]["date_expires"].endswith("Z")
    assert body["user"]["payment_methods"][0]["id"] == 123456


def test_book_refusals(client: httpx.Client, sim: SimHandle) -> None:
    token = token_of(find(client, sim), "19:00:00", "Patio")
    book_token = details(client, sim, token)
    as_json = client.post(
        "/3/book",
        json={"book_token": book_token, "struct_payment_method": '{"id":123456}'},
    )
    assert as_json.status_code == 400
    assert client.post("/3/book", data={"book_token": book_token}).status_code == 400
    no_card = book(client, book_token, '{"id":1}')
    assert no_card.status_code == 402
    assert no_card.json() == {"status": 402, "message": "Payment method required"}
    assert book(client, "not-a-token").status_code == 412
    time.sleep(0.6)  # ttl is 0.5 s
    expired = book(client, book_token)
    assert expired.status_code == 412
    assert find(client, sim)[1]["quantity"] == 1  # nothing was taken


def test_book_gone_duplicate_cancel_and_listing(client: httpx.Client, sim: SimHandle) -> None:
    slots = find(client, sim)
    dining = token_of(slots, "19:00:00", "Dining Room")
    first, second = details(client, sim, dining), details(client, sim, dining)
    r = book(client, first)
    assert r.status_code == 201, r.text
    booked = r.json()
    assert booked["resy_token"].startswith("rr://")
    assert all(s["config"]["token"] != dining for s in find(client, sim))
    late = details(client, sim, dining)  # tokens are handed out for gone slots too
    gone = book(client, second)
    assert gone.status_code == 412
    assert gone.json()["status"] == 412
    assert book(client, late).status_code == 412
    other = details(client, sim, token_of(slots, "19:30:00", "Dining Room"))
    dup = book(client, other)
    assert dup.status_code == 412
    assert dup.json()["message"] != gone.json()["message"]

    listing = client.get("/3/user/reservations", params={"type": "upcoming"}).json()
    [item] = listing["reservations"]
    assert item["reservation_id"] == booked["reservation_id"]
    assert item["resy_token"] == booked["resy_token"]
    assert (item["day"], item["time_slot"], item["num_seats"]) == (
        sim.scenario["day"],
        "19:00:00",
        2,
    )
    assert item["venue"]["id"] == 60029

    assert client.post("/3/cancel", data={"resy_token": "rr://nope"}).status_code == 404
    cancel = client.post("/3/cancel", data={"resy_token": booked["resy_token"]})
    assert cancel.status_code == 200
    assert cancel.json()["status"] == "cancelled"
    assert client.post("/3/cancel", data={"resy_token": booked["resy_token"]}).status_code == 404
    assert client.get("/3/user/reservations", params={"type": "upcoming"}).json() == {
        "reservations": []
    }
    history = client.get("/3/user/reservations").json()["reservations"]  # 2026: with history
    assert [h["status"]["cancelled"] for h in history] == [1]
    assert book(client, other).status_code == 201  # no longer holding one that day

    ledger = sim.ledger()
    mine = [b for b in ledger["bookings"] if b["who"] == "booker"]
    assert [(b["time"], b["active"]) for b in mine] == [("19:00:00", False), ("19:30:00", True)]
    assert ledger["cancellations"][0]["reservation_id"] == booked["reservation_id"]
    assert ledger["release_at"] <= mine[0]["t"] <= time.time() + SKEW_S
    statuses = [(r["path"], r["status"]) for r in ledger["requests"]]
    assert ("/3/book", 201) in statuses
    assert all(not p.startswith("/_sim") for p, _ in statuses)


@pytest.mark.parametrize("http2", [False, True])
def test_protocol_single_skewed_date(sim: SimHandle, http2: bool) -> None:
    with sim.client(http2=http2, headers=sim.headers()) as c:
        r = c.get("/2/user")
    assert r.http_version == ("HTTP/2" if http2 else "HTTP/1.1")
    [date] = r.headers.get_list("date")
    shown = parsedate_to_datetime(date).timestamp()
    assert abs(shown - (time.time() + SKEW_S)) < 2.0
    assert "server" not in r.headers
    assert r.headers["content-type"] == "application/json"


def test_gzip_when_asked_and_large(sim: SimHandle) -> None:
    with sim.client(headers=sim.headers()) as c:
        slots = find(c, sim, party_size=6)
        assert len(slots) == 6
        params = {"lat": 0, "long": 0, "day": sim.scenario["day"], "party_size": 6}
        r = c.get("/4/find", params={**params, "venue_id": 60029})
        assert r.headers.get("content-encoding") == "gzip"
        assert r.json()["results"]["venues"][0]["slots"] == slots
        small = c.get("/2/config", params={"venue_id": 60029})
        assert "content-encoding" not in small.headers
        plain = c.get(
            "/4/find", params={**params, "venue_id": 60029}, headers={"Accept-Encoding": "identity"}
        )
        assert "content-encoding" not in plain.headers
