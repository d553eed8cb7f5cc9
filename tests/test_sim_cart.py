"""The simulated ReserveAmerica-style cart: headers, additem rules, cart, remove, rivals."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from booker.sim.testing import SimHandle, running_sim

ADD = "/jaxrs-json/shoppingcart/0/additem"
CART = "/jaxrs-json/shoppingcart/0"
REMOVE = "/jaxrs-json/shoppingcart/0/remove"
SCENARIO = """
provider = "cart"
shapes = "legacy"  # the shapes API-NOTES first described (2026: tests/test_sim_cart_2026.py)
seed = 1
[release]
at = "+0s"
[campground]
sites = ["245719", "245720", "245721"]
arrival_date = "+30d"
max_nights = 3
[[rivals]]
count = 1
delay_median_ms = 1
delay_sigma = 0
prefer = ["245721"]
"""


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimHandle]:
    with running_sim(SCENARIO, tmp_dir=tmp_path_factory.mktemp("cart")) as handle:
        yield handle


@pytest.fixture
def client(sim: SimHandle) -> Iterator[httpx.Client]:
    """A signed-in client; whatever a test leaves in the cart is removed afterwards."""
    with sim.client(headers=sim.cart_headers()) as c:
        yield c
        ids = [item["cartItemId"] for item in c.get(CART).json()["items"]]
        if ids:
            assert c.post(REMOVE, json=[{"value": i} for i in ids]).status_code == 200


def item(sim: SimHandle, site: str = "245719", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "contractCode": sim.scenario["contract_code"],
        "facilityID": sim.scenario["facility_id"],
        "siteID": site,
        "arrivalDate": sim.scenario["arrival_date"],
        "units": 2,
        "quantity": 1,
        "primaryItemID": None,
        "primaryResNum": None,
    }
    body.update(changes)
    return body


def fault_key(response: httpx.Response) -> str:
    assert response.status_code == 417, response.text
    key: str = response.json()["faults"][0]["msgKey"]
    return key


def test_ready_file_scenario_block(sim: SimHandle) -> None:
    s = sim.scenario
    assert set(s) == {
        "provider",
        "contract_code",
        "facility_id",
        "sites",
        "arrival_date",
        "max_nights",
        "time_zone",
        "release_at",
        "authorization",
        "a1data",
    }
    assert (s["provider"], s["contract_code"], s["facility_id"]) == ("cart", "NY", "140")
    assert s["sites"] == ["245719", "245720", "245721"]
    assert s["max_nights"] == 3
    assert date.fromisoformat(s["arrival_date"]) >= date.today() + timedelta(days=29)
    assert s["authorization"].count(".") == 2
    assert not s["authorization"].startswith("Bearer")
    assert s["a1data"].startswith("{")
    assert isinstance(s["release_at"], float)


def test_missing_user_agent_is_500(sim: SimHandle) -> None:
    headers = sim.cart_headers()
    del headers["User-Agent"]
    with sim.client(headers=headers) as c:
        c.headers.pop("user-agent")
        assert c.get(CART).status_code == 500


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("authorization", None),
        ("authorization", "wrong"),
        ("authorization", "Bearer {authorization}"),
        ("a1data", None),
        ("a1data", '{"sim":"other"}'),
    ],
)
def test_bad_or_missing_session_is_401(sim: SimHandle, name: str, value: str | None) -> None:
    headers = sim.cart_headers()
    if value is None:
        del headers[name]
    else:
        headers[name] = value.replace("{authorization}", sim.scenario["authorization"])
    with sim.client(headers=headers) as c:
        for r in (c.get(CART), c.post(ADD, json=item(sim))):
            assert r.status_code == 401
            assert r.json()["faults"][0]["msgKey"]


def test_unreadable_bodies_are_400(sim: SimHandle, client: httpx.Client) -> None:
    bad: list[dict[str, Any]] = [
        {"content": b"not json", "headers": {"content-type": "application/json"}},
        {"json": ["x"]},
        {"json": {k: v for k, v in item(sim).items() if k != "siteID"}},
        {"json": item(sim, units=0)},
        {"json": item(sim, arrivalDate="May 17")},
    ]
    for kwargs in bad:
        r = client.post(ADD, **kwargs)
        assert r.status_code == 400, kwargs
        assert r.json()["faults"]
    assert client.post(REMOVE, json={"value": "1"}).status_code == 400
    assert client.get(ADD).status_code == 405


def test_add_view_overlap_remove(sim: SimHandle, client: httpx.Client) -> None:
    r = client.post(ADD, json=item(sim))
    assert r.status_code == 200, r.text
    item_id = r.json()["cartItemId"]
    assert r.json()["itemsCount"] == 1
    cart = client.get(CART).json()
    assert cart["itemsCount"] == 1
    got = cart["items"][0]
    assert (got["cartItemId"], got["siteID"], got["arrivalDate"], got["units"]) == (
        item_id,
        "245719",
        sim.scenario["arrival_date"],
        2,
    )
    # any site, overlapping dates: the cart refuses before looking at inventory
    assert fault_key(client.post(ADD, json=item(sim, "245720"))) == "R12-V-100007.error"
    later = date.fromisoformat(sim.scenario["arrival_date"]) - timedelta(days=1)
    overlap = client.post(ADD, json=item(sim, "245720", arrivalDate=later.isoformat()))
    assert "overlapping" in overlap.json()["faults"][0]["defaultMessage"]
    r = client.post(REMOVE, json=[{"value": item_id}])
    assert r.status_code == 200
    assert r.json()["itemsCount"] == 0
    assert fault_key(client.post(REMOVE, json=[{"value": item_id}])) == ("cart.item.notfound.error")
    ledger = sim.ledger()
    booked = [b for b in ledger["bookings"] if b["reservation_id"] == item_id]
    assert booked == [
        {
            "t": booked[0]["t"],
            "who": "booker",
            "reservation_id": item_id,
            "cart_item_id": item_id,
            "contract_code": "NY",
            "facility_id": "140",
            "site_id": "245719",
            "arrival_date": sim.scenario["arrival_date"],
            "nights": 2,
            "active": False,
        }
    ]
    assert any(c["reservation_id"] == item_id for c in ledger["cancellations"])
    # freed: the same stay can be added again
    assert client.post(ADD, json=item(sim)).status_code == 200


def test_unknown_places_and_long_stays(sim: SimHandle, client: httpx.Client) -> None:
    assert fault_key(client.post(ADD, json=item(sim, contractCode="CA"))) == (
        "contract.notfound.error"
    )
    assert fault_key(client.post(ADD, json=item(sim, facilityID="999"))) == (
        "facility.notfound.error"
    )
    assert fault_key(client.post(ADD, json=item(sim, "1"))) == "site.notfound.error"
    assert fault_key(client.post(ADD, json=item(sim, units=4))) == "site.maxstay.error"
    later = date.fromisoformat(sim.scenario["arrival_date"]) + timedelta(days=1)
    too_far = client.post(ADD, json=item(sim, arrivalDate=later.isoformat()))
    assert fault_key(too_far) == "R1-V-100017.error"


def wait_for_rival(sim: SimHandle) -> dict[str, Any]:
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        rivals: list[dict[str, Any]] = [b for b in sim.ledger()["bookings"] if b["who"] == "rival"]
        if rivals:
            return rivals[0]
        time.sleep(0.05)
    raise AssertionError("no rival booking")


def test_rival_takes_the_site(sim: SimHandle, client: httpx.Client) -> None:
    rival = wait_for_rival(sim)
    assert (rival["site_id"], rival["arrival_date"]) == ("245721", sim.scenario["arrival_date"])
    assert rival["active"] is True
    assert fault_key(client.post(ADD, json=item(sim, "245721"))) == "inventory.exception"
    assert client.get(CART).json()["itemsCount"] == 0


async def add_at_once(sim: SimHandle, sites: list[str]) -> list[httpx.Response]:
    async with httpx.AsyncClient(
        base_url=sim.url,
        http2=True,
        verify=sim.verify(),
        trust_env=False,
        headers=sim.cart_headers(),
    ) as c:
        await c.get(CART)  # one connection, then all requests in flight on it
        return list(await asyncio.gather(*(c.post(ADD, json=item(sim, s)) for s in sites)))


@pytest.mark.parametrize("sites", [["245719"] * 3, ["245719", "245720", "245719"]])
def test_concurrent_adds_one_wins_rest_overlap(
    sim: SimHandle, client: httpx.Client, sites: list[str]
) -> None:
    responses = asyncio.run(add_at_once(sim, sites))
    assert all(r.http_version == "HTTP/2" for r in responses)
    assert sorted(r.status_code for r in responses) == [200, 417, 417]
    assert [fault_key(r) for r in responses if r.status_code == 417] == ["R12-V-100007.error"] * 2
    assert client.get(CART).json()["itemsCount"] == 1
