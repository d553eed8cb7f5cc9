"""The cart flow's exactly-one rules with canned answers (the Resy flow's fake WorkerIO)."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from test_resy_flow import FakeIO

from booker.core.decide import Kind, Verdict
from booker.net.http import Answer
from booker.providers import cart
from booker.providers.cart import CartCredentials, CartTarget
from booker.providers.cart_flow import CartJob

TARGET = CartTarget("NY", "140", "245719", "2026-05-17", 2)


def item(item_id: int, site: str = "245719", arrival: str = "2026-05-17", units: int = 2,
         facility: str = "140") -> dict[str, Any]:  # fmt: skip
    """One cart item as the cart lists it."""
    return {"cartItemId": item_id, "siteID": site, "arrivalDate": arrival, "units": units,
            "facilityID": facility}  # fmt: skip


def cart_script(*items: dict[str, Any]) -> Any:
    """The cart holds ``items``; removals succeed."""

    def answer(path: str) -> Answer:
        if path.endswith("/remove"):
            return Answer(200, b"{}")
        return Answer(200, orjson.dumps({"items": list(items)}))

    return answer


def job(allow_multiple: bool = False) -> CartJob:
    return CartJob(CartCredentials("a", "b"), TARGET, allow_multiple=allow_multiple)


@pytest.mark.parametrize(("allow_multiple", "removes"), [(False, 1), (True, 0)])
def test_recovery_keeps_one_of_this_stays_items(allow_multiple: bool, removes: int) -> None:
    """A killed run left the stay twice: one is kept, the other removed (or reported);
    the owner's stays (other nights, other facility) are not touched."""
    answer = cart_script(item(1), item(2), item(3, units=3), item(4, facility="9"))
    io = FakeIO(answer)
    assert asyncio.run(job(allow_multiple).flow().warm(io)) is False
    assert io.wins == [("1", True)]
    assert sum(p.endswith("/remove") for p in io.sent) == removes
    reported = [(d["reservation_id"], d["cancelled"]) for k, d in io.reports if k == "duplicate"]
    assert reported == [("2", not allow_multiple)]


def test_the_owners_stay_of_other_nights_is_not_a_win() -> None:
    """Added (200), but the only new item is the owner's own (other nights): no claim."""
    answer = cart_script(item(5, units=1))
    io = FakeIO(answer)
    flow = job().flow()
    asyncio.run(flow.book(io, Verdict(Kind.FOUND, 200, cart.ADDED)))
    assert io.wins == []
    assert not any(p.endswith("/remove") for p in io.sent)


SITES = CartTarget("NY", "140", "245720", "2026-05-17", 2, site_ids=("245720", "245719"))
ADDED = Answer(200, b"{}")
TAKEN = Answer(409, b"{}")
NOT_YET = Answer(417, orjson.dumps({"faults": [{"msgKey": "x", "defaultMessage":
                                                "cannot be reserved at this time"}]}))  # fmt: skip


def test_several_sites_one_request_each_the_first_wanted_first() -> None:
    """Every tick adds each site (one request each); the verdict names the best site added;
    a site someone took is gone, and the job stops only when every site is."""
    flow = CartJob(CartCredentials("a", "b"), SITES).flow()
    bodies = [orjson.loads(r.body or b"{}")["siteID"] for r in flow.polls()]
    assert bodies == ["245720", "245719"]
    found = flow.read_polls([NOT_YET, ADDED])
    assert found.kind is Kind.FOUND and found.slots[0].venue == "245719"
    assert found.slots[0].rank == 2
    assert flow.read_polls([TAKEN, NOT_YET]).kind is Kind.EXPECTED  # one site left
    stopped = flow.read_polls([TAKEN, TAKEN])
    assert stopped.kind is Kind.TERMINAL and stopped.reason == cart.ALREADY_RESERVED


def test_two_sites_added_at_once_keep_one_the_first_wanted() -> None:
    """Both sites went into the cart in one tick: the first wanted is kept, the other
    removed; the owner's other stay is not touched; the win says which site and why."""
    answer = cart_script(item(7, site="245719"), item(8, site="245720"), item(9, units=1))
    io = FakeIO(answer)
    flow = CartJob(CartCredentials("a", "b"), SITES).flow()
    asyncio.run(flow.warm(FakeIO(cart_script())))  # the cart was empty before
    asyncio.run(flow.book(io, flow.read_polls([ADDED, ADDED])))
    assert io.wins == [("8", False)]
    assert [p for p in io.sent if p.endswith("/remove")] == [io.sent[-1]]
    reported = [(d["reservation_id"], d["cancelled"]) for k, d in io.reports if k == "duplicate"]
    assert reported == [("7", True)]


def test_one_site_keeps_its_journal_key_and_several_share_one() -> None:
    assert job().identity().parts == ("NY/140/245719", "2026-05-17", None, 2)
    assert CartJob(CartCredentials("a", "b"), SITES).identity().venue == "NY/140/245719,245720"
