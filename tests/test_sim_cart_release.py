"""Cart sims before release (R1, R6), scripted faults on cart paths, and a pre-filled cart."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from booker.sim.cart_faults import clock_text
from booker.sim.testing import SimHandle, running_sim

ADD = "/jaxrs-json/shoppingcart/0/additem"
CART = "/jaxrs-json/shoppingcart/0"
REMOVE = "/jaxrs-json/shoppingcart/0/remove"
EARLY = """
provider = "cart"
shapes = "legacy"  # the shapes API-NOTES first described (2026: tests/test_sim_cart_2026.py)
rivals = []
[release]
at = "+20m"
"""
SOON = """
provider = "cart"
shapes = "legacy"  # the shapes API-NOTES first described (2026: tests/test_sim_cart_2026.py)
rivals = []
[release]
at = "+5m"
[campground]
time_zone = "America/Denver"
[[faults]]
kind = "status"
status = 429
end = "+0s"
paths = ["/jaxrs-json/shoppingcart/0"]
[[faults]]
kind = "status"
status = 401
paths = ["/jaxrs-json/shoppingcart/0/remove"]
"""
PREFILLED = """
provider = "cart"
shapes = "legacy"  # the shapes API-NOTES first described (2026: tests/test_sim_cart_2026.py)
rivals = []
[release]
at = "+0s"
[campground]
arrival_date = "2031-07-01"
[[cart.items]]
site_id = "245720"
arrival_date = "2031-06-30"
units = 3
[[cart.items]]
facility_id = "77"
site_id = "9"
arrival_date = "2031-08-01"
"""


def body(sim: SimHandle, site: str = "245719", arrival: str | None = None) -> dict[str, Any]:
    return {
        "contractCode": "NY",
        "facilityID": "140",
        "siteID": site,
        "arrivalDate": arrival or sim.scenario["arrival_date"],
        "units": 2,
        "quantity": 1,
        "primaryItemID": None,
        "primaryResNum": None,
    }


def fault(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 417, response.text
    first: dict[str, str] = response.json()["faults"][0]
    return first


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cart-release")


def test_long_before_release_is_r1_and_earlier_dates_are_open(tmp: Path) -> None:
    with (
        running_sim(EARLY, tmp_dir=tmp / "early") as sim,
        sim.client(headers=sim.cart_headers()) as c,
    ):
        f = fault(c.post(ADD, json=body(sim)))
        assert f["msgKey"] == "R1-V-100017.error"
        assert "within 9 Month(s)" in f["defaultMessage"]
        earlier = date.fromisoformat(sim.scenario["arrival_date"]) - timedelta(days=3)
        assert c.post(ADD, json=body(sim, arrival=earlier.isoformat())).status_code == 200
        assert sim.ledger()["bookings"][0]["who"] == "booker"


def test_last_minutes_are_r6_and_faults_hit_cart_paths(tmp: Path) -> None:
    with (
        running_sim(SOON, tmp_dir=tmp / "soon") as sim,
        sim.client(headers=sim.cart_headers()) as c,
    ):
        f = fault(c.post(ADD, json=body(sim)))
        assert f["msgKey"] == "R6-V-100013.error"
        release_clock = clock_text(sim.scenario["release_at"], "America/Denver")
        assert f"try again at {release_clock}" in f["defaultMessage"]
        limited = c.get(CART)
        assert limited.status_code == 429
        expired = c.post(REMOVE, json=[{"value": "1"}])  # a scripted "expired session"
        assert expired.status_code == 401
        faults = {r["path"]: r["fault"] for r in sim.ledger()["requests"]}
        assert faults == {ADD: None, CART: "429-window", REMOVE: "401-window"}


@pytest.fixture(scope="module")
def prefilled(tmp: Path) -> Iterator[SimHandle]:
    with running_sim(PREFILLED, tmp_dir=tmp / "prefilled") as handle:
        yield handle


def test_prefilled_cart_blocks_with_overlapping(prefilled: SimHandle) -> None:
    sim = prefilled
    with sim.client(headers=sim.cart_headers()) as c:
        cart = c.get(CART).json()
        assert cart["itemsCount"] == 2
        ours = cart["items"][0]
        assert (ours["siteID"], ours["arrivalDate"], ours["departureDate"]) == (
            "245720",
            "2031-06-30",
            "2031-07-03",
        )
        assert (cart["items"][1]["facilityID"], cart["items"][1]["siteID"]) == ("77", "9")
        for site in ("245719", "245720"):
            f = fault(c.post(ADD, json=body(sim, site)))
            assert f["msgKey"] == "R12-V-100007.error"
            assert "overlapping" in f["defaultMessage"]
        assert c.post(REMOVE, json=[{"value": ours["cartItemId"]}]).status_code == 200
        added = c.post(ADD, json=body(sim, "245720"))
        assert added.status_code == 200, added.text
        assert added.json()["itemsCount"] == 2
    whos = [(b["who"], b["site_id"], b["active"]) for b in sim.ledger()["bookings"]]
    assert whos == [
        ("prefilled", "245720", False),
        ("prefilled", "9", True),
        ("booker", "245720", True),
    ]
