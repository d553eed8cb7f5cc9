"""The simulated Resy API in today's shapes (``shapes = "2026"``) and in the legacy ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from booker.sim.testing import SimHandle, running_sim

MODERN = """
rivals = []
[release]
at = "+0s"
day = "+3d"
allow_multiple = true
[venue]
lead_time_in_days = 3
time_zone = "America/Chicago"
[[slots]]
time = "19:00"
table_types = ["Dining Room"]
quantity = 20
[[faults]]
kind = "status"
status = 429
retry_after = "3"
paths = ["/3/cancel"]
[[faults]]
kind = "status"
status = 403
html = true
paths = ["/2/notify"]
[[faults]]
kind = "slow"
delay_ms = 1500
paths = ["/9/slow"]
"""

LEGACY = """
shapes = "legacy"
rivals = []
[release]
at = "+0s"
"""


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimHandle]:
    with running_sim(MODERN, tmp_dir=tmp_path_factory.mktemp("modern")) as handle:
        yield handle


@pytest.fixture
def client(sim: SimHandle) -> Iterator[httpx.Client]:
    with sim.client(headers=sim.headers()) as c:
        yield c


def query(sim: SimHandle, day: str | None = None) -> dict[str, Any]:
    return {
        "lat": 0,
        "long": 0,
        "day": day or sim.scenario["day"],
        "party_size": 2,
        "venue_id": sim.scenario["venue_id"],
    }


def test_venue_zone_is_under_locale_with_a_legacy_name(client: httpx.Client) -> None:
    venue = client.get("/3/venue", params={"id": 60029}).json()
    assert venue["locale"] == {"time_zone": "CST6CDT", "currency": "USD"}
    assert "time_zone" not in venue["location"]


def test_find_by_get_and_by_post_json_carry_market_and_the_zone(
    client: httpx.Client, sim: SimHandle
) -> None:
    by_get = client.get("/4/find", params=query(sim)).json()
    by_post = client.post("/4/find", json=query(sim)).json()
    assert by_get == by_post
    venue = by_get["results"]["venues"][0]
    assert venue["venue"]["location"]["time_zone"] == "America/Chicago"
    [slot] = venue["slots"]
    on = dt.datetime.fromtimestamp(slot["market"]["date"]["on"], ZoneInfo("America/Chicago"))
    released = dt.datetime.fromtimestamp(sim.scenario["release_at"], ZoneInfo("America/Chicago"))
    assert on.replace(microsecond=0) == released.replace(microsecond=0)
    assert slot["template"]["id"] == slot["config"]["id"]


def test_a_day_released_earlier_shows_when_it_went_on_sale(
    client: httpx.Client, sim: SimHandle
) -> None:
    day = dt.date.fromisoformat(sim.scenario["day"]) - dt.timedelta(days=1)
    [slot] = client.get("/4/find", params=query(sim, day.isoformat())).json()["results"]["venues"][
        0
    ]["slots"]
    zone = ZoneInfo("America/Chicago")
    on = dt.datetime.fromtimestamp(slot["market"]["date"]["on"], zone)
    released = dt.datetime.fromtimestamp(sim.scenario["release_at"], zone)
    assert on.date() == released.date() - dt.timedelta(days=1)
    assert (on.hour, on.minute) == (released.hour, released.minute)


def test_calendar_and_config_name_the_last_released_day(
    client: httpx.Client, sim: SimHandle
) -> None:
    day = sim.scenario["day"]
    config = client.get("/2/config", params={"venue_id": 60029}).json()
    assert config["calendar_date_to"] == day
    first = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
    calendar = client.get(
        "/4/venue/calendar",
        params={"venue_id": 60029, "num_seats": 2, "start_date": first, "end_date": "2099-01-01"},
    ).json()
    assert calendar["last_calendar_day"] == day
    assert [s["date"] for s in calendar["scheduled"]] == [first, day]
    assert calendar["scheduled"][0]["inventory"] == {"reservation": "available"}


def test_find_refuses_a_wrong_token_and_a_method_it_does_not_serve(sim: SimHandle) -> None:
    headers = {**sim.headers(), "X-Resy-Auth-Token": "nope"}
    with sim.client(headers=headers) as c:
        assert c.get("/4/find", params=query(sim)).status_code == 419
    with sim.client(headers=sim.headers(user=False)) as c:  # signed out: still served
        assert c.get("/4/find", params=query(sim)).status_code == 200
        assert c.put("/4/find").status_code == 500


def test_reservations_page_by_limit_and_offset(client: httpx.Client, sim: SimHandle) -> None:
    slots = client.get("/4/find", params=query(sim)).json()["results"]["venues"][0]["slots"]
    token = slots[0]["config"]["token"]
    ids = []
    for _ in range(12):
        value = client.post(
            "/3/details", json={"config_id": token, "day": sim.scenario["day"], "party_size": 2}
        ).json()["book_token"]["value"]
        booked = client.post(
            "/3/book",
            data={"book_token": value, "struct_payment_method": '{"id":123456}'},
        )
        assert booked.status_code == 201
        ids.append(booked.json()["reservation_id"])
    default = client.get("/3/user/reservations", params={"type": "upcoming"}).json()
    assert [r["reservation_id"] for r in default["reservations"]] == ids[:10]  # newest missing
    every = client.get(
        "/3/user/reservations", params={"type": "upcoming", "limit": 50, "offset": 1}
    ).json()
    assert [r["reservation_id"] for r in every["reservations"]] == ids
    page = client.get("/3/user/reservations", params={"limit": 50, "offset": 12}).json()
    assert [r["reservation_id"] for r in page["reservations"]] == ids[11:]


def test_retry_after_and_the_firewall_page(client: httpx.Client) -> None:
    throttled = client.post("/3/cancel", data={"resy_token": "rr://x"})
    assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "3")
    blocked = client.post("/2/notify")
    assert blocked.status_code == 403
    assert blocked.headers["content-type"].startswith("text/html")
    assert b"firewall" in blocked.content


def test_legacy_shapes(tmp_path: Any) -> None:
    with running_sim(LEGACY, tmp_dir=tmp_path) as sim, sim.client(headers=sim.headers()) as c:
        venue = c.get("/3/venue", params={"id": 60029}).json()
        assert venue["location"] == {"time_zone": "America/New_York"}
        assert "locale" not in venue
        assert c.post("/4/find", json=query(sim)).status_code == 500
        found = c.get("/4/find", params=query(sim)).json()["results"]["venues"][0]
        assert "location" not in found["venue"]
        assert all("market" not in s for s in found["slots"])
        assert c.get("/2/config", params={"venue_id": 60029}).json() == {"lead_time_in_days": 30}
        calendar: dict[str, str | int] = {
            "venue_id": 60029,
            "num_seats": 2,
            "start_date": "x",
            "end_date": "y",
        }
        assert c.get("/4/venue/calendar", params=calendar).status_code == 404


def test_booker_client_reads_retry_after_and_the_page_type(sim: SimHandle) -> None:
    """booker's own HTTP client hands Retry-After and Content-Type to the readers."""
    import asyncio

    from booker.core.wire import ClientConfig, Request
    from booker.net.http import HttpClient

    config = ClientConfig(base_url=sim.url, ca_cert=sim.ca, request_timeout_s=5.0)
    headers = tuple(sim.headers().items())

    async def both() -> tuple[Any, Any]:
        async with HttpClient(config) as client:
            cancel = await client.send(Request("POST", "/3/cancel", headers, b""))
            notify = await client.send(Request("POST", "/2/notify", headers, b""))
            return cancel, notify

    throttled, blocked = asyncio.run(both())
    assert (throttled.status, throttled.retry_after) == (429, "3")
    assert blocked.status == 403 and blocked.content_type.startswith("text/html")


def test_a_request_can_carry_a_longer_deadline_than_the_client(sim: SimHandle) -> None:
    """/3/book's own deadline (Request.timeout_s) outlasts the client's short poll deadline."""
    import asyncio

    from booker.core.wire import NO_ANSWER, ClientConfig, Request
    from booker.net.http import HttpClient

    config = ClientConfig(base_url=sim.url, ca_cert=sim.ca, request_timeout_s=0.5)
    headers = tuple(sim.headers().items())

    async def both() -> tuple[Any, Any]:
        async with HttpClient(config) as client:
            short = await client.send(Request("GET", "/9/slow", headers))
            long = await client.send(Request("GET", "/9/slow", headers, timeout_s=5.0))
            return short, long

    short, long = asyncio.run(both())
    assert short.status == NO_ANSWER
    assert short.error.startswith("timed out")
    assert long.status == 404  # answered, 1.5 s later
