"""The simulated cart in today's shapes (``shapes = "2026"``, the default)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from booker.sim.testing import SimHandle, running_sim

ADD = "/jaxrs-json/shoppingcart/0/additem"
CART = "/jaxrs-json/shoppingcart/0"


def scenario(release: str = "+0s", extra: str = "") -> str:
    return f"""
provider = "cart"
rivals = []
[release]
at = "{release}"
[campground]
sites = ["245719", "245720"]
arrival_date = "+30d"
{extra}
"""


def item(sim: SimHandle, site: str = "245719", arrival: str | None = None) -> dict[str, Any]:
    return {
        "contractCode": sim.scenario["contract_code"],
        "facilityID": sim.scenario["facility_id"],
        "siteID": site,
        "arrivalDate": arrival or sim.scenario["arrival_date"],
        "units": 2,
        "quantity": 1,
        "primaryItemID": None,
        "primaryResNum": None,
    }


def test_add_and_view_shapes(tmp_path: Path) -> None:
    with (
        running_sim(scenario(), tmp_dir=tmp_path) as sim,
        sim.client(headers=sim.cart_headers()) as c,
    ):
        added = c.post(ADD, json=item(sim))
        assert added.status_code == 200
        document = added.json()
        assert document["success"] is True and document["itemsCount"] == 1
        [new] = document["lastChanges"]["addedItems"]
        view = c.get(CART).json()
        assert view["cart"]["itemsCount"] == 1
        [entry] = view["cartItemsByType"]["CAMPING"]
        assert entry["item"]["cartItemId"] == new["cartItemId"]
        assert entry["item"]["siteId"] == {"value": "245719"}
        assert entry["item"]["arrivalDate"].startswith(sim.scenario["arrival_date"] + "T")
        assert view["lastChanges"]["addedItems"] == [new]
        assert "items" not in view
        taken = c.post(ADD, json=item(sim, "245720"))  # overlapping dates, another site
        assert taken.status_code == 417


def test_items_without_sites_and_refusals_in_words(tmp_path: Path) -> None:
    text = scenario("+3600s", "[cart]\nsite_fields = false\n")
    with running_sim(text, tmp_dir=tmp_path) as sim, sim.client(headers=sim.cart_headers()) as c:
        early = c.post(ADD, json=item(sim))
        assert early.status_code == 417
        assert "within 9 Month(s)" in early.json()["faults"][0]["defaultMessage"]
        assert not early.json()["faults"][0]["msgKey"].startswith("R1")
        later = dt.date.fromisoformat(sim.scenario["arrival_date"]) + dt.timedelta(days=5)
        assert c.post(ADD, json=item(sim, arrival=later.isoformat())).status_code == 417
        view = c.get(CART).json()
        assert view["cart"]["itemsCount"] == 0


def test_last_minutes_in_words(tmp_path: Path) -> None:
    with (
        running_sim(scenario("+120s"), tmp_dir=tmp_path) as sim,
        sim.client(headers=sim.cart_headers()) as c,
    ):
        words = c.post(ADD, json=item(sim)).json()["faults"][0]["defaultMessage"]
    assert "cannot be reserved at this time" in words
    assert "try again later at" in words


def test_a_site_taken_is_409_sold_out(tmp_path: Path) -> None:
    rival = '[[rivals]]\ncount = 1\ndelay_median_ms = 1\ndelay_sigma = 0\nprefer = ["245719"]'
    text = scenario("+0s").replace("rivals = []", rival)
    with running_sim(text, tmp_dir=tmp_path) as sim, sim.client(headers=sim.cart_headers()) as c:
        time.sleep(0.3)  # the rival reacts within milliseconds of the release
        taken = c.post(ADD, json=item(sim))
    assert taken.status_code == 409
    assert "sold out" in taken.json()["faults"][0]["defaultMessage"]
