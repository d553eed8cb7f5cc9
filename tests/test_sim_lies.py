"""Simulator faults for issue 13: bookings whose 2xx answer names nothing, at most ``times``
times, and reservations the account's owner makes by hand (``POST /_sim/reserve``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from booker.sim.testing import running_sim

PM = '{"id": 123456}'
RESY = """
rivals = []
[release]
at = "-1s"
day = "2026-12-24"
allow_multiple = true
[[slots]]
time = "19:00"
table_types = ["Dining Room"]
quantity = 9
[[faults]]
kind = "malformed"
body = "%s"
paths = ["/3/book"]
times = 1
"""


def book(client: httpx.Client) -> httpx.Response:
    token = "rgs://resy/60029/1677001/2/2026-12-24/2026-12-24/19:00:00/2/Dining Room"
    details = client.post(
        "/3/details", json={"config_id": token, "day": "2026-12-24", "party_size": 2}
    )
    assert details.status_code == 200, details.text
    value = details.json()["book_token"]["value"]
    return client.post("/3/book", data={"book_token": value, "struct_payment_method": PM})


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        ("no_ids", 201, {}),
        ("null_ids", 201, {"resy_token": None, "reservation_id": None}),
        ("token_only", 201, None),
        ("error_200", 200, {"status": 500, "message": "Internal Server Error"}),
    ],
)
def test_a_spoiled_booking_answer_still_books_once(
    tmp_path: Path, body: str, status: int, answer: Any
) -> None:
    """The booking is made, its answer spoiled; the next booking is answered normally."""
    with running_sim(RESY % body, plain=True, tmp_dir=tmp_path) as sim:
        with sim.client(headers=sim.headers()) as client:
            first, second = book(client), book(client)
        ledger = sim.ledger()
    assert first.status_code == status
    if answer is None:
        assert list(first.json()) == ["resy_token"]
    else:
        assert first.json() == answer
    assert second.status_code == 201 and set(second.json()) == {"resy_token", "reservation_id"}
    assert sum(b["who"] == "booker" for b in ledger["bookings"]) == 2


def test_reservations_by_hand_show_in_the_account_and_cancel(tmp_path: Path) -> None:
    """The owner's own reservation: any time and party, listed, cancellable, who="hand"."""
    with running_sim(RESY % "html", plain=True, tmp_dir=tmp_path) as sim:
        made = sim.reserve_by_hand(time="21:30", party_size=4)
        with sim.client() as control:
            refused = control.post("/_sim/reserve", json={"time": "25:00", "party_size": 2})
            later = control.post("/_sim/reserve", json={"time": "12:00", "party_size": 2,
                                                        "in_ms": 10_000})  # fmt: skip
        with sim.client(headers=sim.headers()) as client:
            listed = client.get("/3/user/reservations").json()["reservations"]
            cancelled = client.post("/3/cancel", data={"resy_token": made["resy_token"]})
        ledger = sim.ledger()
    assert refused.status_code == 400
    assert later.status_code == 202
    assert [(r["time_slot"], r["num_seats"], r["day"]) for r in listed] == [
        ("21:30:00", 4, "2026-12-24")
    ]
    assert cancelled.status_code == 200
    assert [(b["who"], b["active"]) for b in ledger["bookings"]] == [("hand", False)]


def test_a_stay_added_by_hand_is_in_the_cart(tmp_path: Path) -> None:
    """Cart: the owner's own stay is in the cart with its site, dates and facility."""
    scenario = (
        'provider = "cart"\nshapes = "legacy"\n[release]\nat = "+3600s"\n'
        '[campground]\nsites = ["1", "2"]\n'
    )  # the legacy shapes list items flat, with their site fields
    with running_sim(scenario, plain=True, tmp_dir=tmp_path) as sim:
        made = sim.reserve_by_hand(site_id="2", arrival_date="2026-06-01", nights=3)
        with sim.client(headers=sim.cart_headers()) as client:
            items = client.get("/jaxrs-json/shoppingcart/0").json()["items"]
    assert [(i["cartItemId"], i["siteID"], i["arrivalDate"], i["units"]) for i in items] == [
        (made["cartItemId"], "2", "2026-06-01", 3)
    ]
