"""The cart in today's shapes: proof of a win, words of refusals, a1Data, headers (pure parts)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import orjson
import pytest

from booker.core.decide import DEFAULT_POLICY, Kind, Verdict
from booker.core.exceptions import CredentialsError
from booker.core.model import Booked
from booker.core.settings import EngineSettings
from booker.core.wire import Answer, Request
from booker.providers import cart
from booker.providers.cart import CartApi, CartCredentials, CartTarget
from booker.providers.cart_flow import CartFlow, CartJob

TARGET = CartTarget("NY", "140", "245719", "2026-05-17", 2)
CREDENTIALS = CartCredentials("eyJ.id.token", '{"a1":"data"}')


def body(document: Any, status: int = 200) -> Answer:
    return Answer(status, orjson.dumps(document))


def fault(key: str, message: str, status: int = 417) -> Answer:
    return body({"faults": [{"msgKey": key, "defaultMessage": message}]}, status)


# --- headers and a1Data ----------------------------------------------------------------------


def test_every_cart_request_asks_for_fresh_json() -> None:
    api = CartApi(CREDENTIALS, TARGET)
    for request in (api.add_item(), api.view_cart(), api.remove("1")):
        headers = {k.lower(): v for k, v in request.headers}
        assert headers["cache-control"] == "no-cache"
        assert headers["pragma"] == "no-cache"
        assert headers["accept"] == "application/json"


def test_a1data_is_url_decoded_once_and_json_is_required() -> None:
    plain = '{"user":"camper","k":"a%20b"}'
    assert cart.decode_a1data(plain) == plain  # JSON already: untouched, even with a %
    assert cart.decode_a1data(quote(plain, safe="")) == plain  # decoded once, not twice
    for junk in ("not json", "%ZZ", quote("still not json"), ""):
        with pytest.raises(CredentialsError) as caught:
            cart.decode_a1data(junk)
        assert str(caught.value).startswith("RA_A1DATA is not JSON")
        assert junk not in str(caught.value) or not junk


# --- additem answers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "kind", "reason"),
    [
        (fault("any.key", "Bookable only within 9 Month(s) of arrival."), Kind.EXPECTED, None),
        (fault("", "This site cannot be reserved at this time."), Kind.EXPECTED, None),
        (fault("x", "Please try again later at 9:00 AM."), Kind.EXPECTED, None),
        (body({}, 409), Kind.TERMINAL, cart.ALREADY_RESERVED),
        (fault("site.unavailable.error", "Site is sold out", 409), Kind.TERMINAL, cart.ALREADY_RESERVED),
        (fault("x", "This site is unavailable for your dates"), Kind.TERMINAL, cart.ALREADY_RESERVED),
        (fault("x", "Sold out"), Kind.TERMINAL, cart.ALREADY_RESERVED),
        (fault("x", "Dates not available"), Kind.TERMINAL, cart.ALREADY_RESERVED),
        (fault("odd.key", "Your card was declined."), Kind.FAILURE, "HTTP 417: Your card was declined."),
        (body({"success": False, "message": "Limit of 2 sites per order"}), Kind.FAILURE,
         "HTTP 200: Limit of 2 sites per order"),
        (body({"success": False, "messages": [{"defaultMessage": "Sold out"}]}), Kind.TERMINAL,
         cart.ALREADY_RESERVED),
        (body({"success": False}), Kind.FAILURE, "HTTP 200: success: false"),
        (body({"success": True, "lastChanges": {"addedItems": [{"cartItemId": "9"}]}}),
         Kind.FOUND, cart.ADDED),
    ],
)  # fmt: skip
def test_add_answers_in_todays_words(answer: Answer, kind: Kind, reason: str | None) -> None:
    verdict = cart.read_add(answer)
    assert verdict.kind is kind
    if reason is not None:
        assert verdict.reason == reason


def test_added_item_id_travels_with_the_verdict() -> None:
    added = body({"success": True, "lastChanges": {"addedItems": [{"cartItemId": "9"}]}})
    assert cart.read_add(added).book_token == "9"


# --- reading the cart -------------------------------------------------------------------------


def test_items_anywhere_with_every_site_spelling() -> None:
    document = {
        "cart": {"itemsCount": 4},
        "cartItemsByType": {
            "CAMPING": [
                {"item": {"cartItemId": "1", "siteID": "245719", "arrivalDate": "2026-05-17"}},
                {"item": {"cartItemId": 2, "siteId": "245720",
                          "arrivalDate": "2026-05-17T00:00:00.000-04:00"}},
                {"item": {"cartItemId": {"value": "3"}, "siteId": {"value": "245719"},
                          "arrivalDate": "2026-06-01"}},
                {"cartItemId": "4"},
            ]
        },
        "lastChanges": {"addedItems": [{"cartItemId": "4"}]},
    }  # fmt: skip
    view = cart.read_cart_view(body(document))
    assert [(i.cart_item_id, i.site_id, i.arrival_date) for i in view.items] == [
        ("1", "245719", "2026-05-17"),
        ("2", "245720", "2026-05-17"),
        ("3", "245719", "2026-06-01"),
        ("4", "", ""),
    ]
    assert view.items[0].matches(TARGET) and not view.items[1].matches(TARGET)
    assert (view.items_count, view.added) == (4, ("4",))


# --- the flow's proof of a win ----------------------------------------------------------------


class FakeIO:
    """Answers the cart read from a script; records wins, terminals and warnings."""

    def __init__(self, cart_answer: Answer) -> None:
        self.index = 0
        self.settings = EngineSettings()
        self.policy = DEFAULT_POLICY
        self.cart_answer = cart_answer
        self.claimed = False
        self.stopped = False
        self.wins: list[str] = []
        self.terminated: list[str] = []
        self.warnings: list[str] = []

    async def send(self, request: Request) -> Answer:
        return self.cart_answer

    def apply(self, verdict: Verdict) -> None:
        pass

    def won(self, booked: Booked, attempt: int, recovered: bool = False) -> bool:
        self.wins.append(booked.reservation_id)
        self.claimed = True
        return True

    def terminal(self, message: str) -> None:
        self.terminated.append(message)

    def report(self, kind: str, **data: Any) -> None:
        if kind == "warning":
            self.warnings.append(str(data.get("message")))


def settle(
    flow: CartFlow, verdict: Verdict, cart_answer: Answer, before: frozenset[str] = frozenset()
) -> FakeIO:
    io = FakeIO(cart_answer)
    flow.before = before
    asyncio.run(flow.book(io, verdict))  # type: ignore[arg-type]
    return io


ADDED = Verdict(Kind.FOUND, 200, cart.ADDED)
OVERLAPS = Verdict(Kind.FOUND, 417, cart.OVERLAPS)


def anonymous_cart(*ids: str, count: int | None = None) -> Answer:
    items = [{"item": {"cartItemId": i}} for i in ids]
    return body({"cart": {"itemsCount": len(ids) if count is None else count}, "list": items})


def test_items_count_rise_over_the_warm_snapshot_is_a_win() -> None:
    flow = CartFlow(CartJob(CREDENTIALS, TARGET))
    flow.count_before = 1
    io = settle(flow, ADDED, body({"itemsCount": 2}), frozenset({"old"}))
    assert len(io.wins) == 1 and not io.terminated


def test_new_anonymous_item_is_ours_old_one_is_not() -> None:
    flow = CartFlow(CartJob(CREDENTIALS, TARGET))
    io = settle(flow, OVERLAPS, anonymous_cart("old", "new"), frozenset({"old"}))
    assert io.wins == ["new"]
    full = settle(CartFlow(CartJob(CREDENTIALS, TARGET)), OVERLAPS, anonymous_cart("old"),
                  frozenset({"old"}))  # fmt: skip
    assert full.terminated == [cart.CART_FULL] and not full.wins


def test_never_cart_full_without_a_foreign_item_read() -> None:
    flow = CartFlow(CartJob(CREDENTIALS, TARGET))
    empty = settle(flow, OVERLAPS, body({"itemsCount": 0, "items": []}))
    assert not empty.terminated and not empty.wins
    assert empty.warnings and empty.warnings[0].startswith(cart.UNKNOWN)
    unreadable = settle(CartFlow(CartJob(CREDENTIALS, TARGET)), OVERLAPS, Answer(502))
    assert not unreadable.terminated and not unreadable.wins
    assert unreadable.warnings and unreadable.warnings[0].startswith(cart.UNKNOWN)


def test_unknown_is_said_once_per_worker() -> None:
    flow = CartFlow(CartJob(CREDENTIALS, TARGET))
    io = FakeIO(Answer(502))
    for _ in range(3):
        asyncio.run(flow.book(io, OVERLAPS))  # type: ignore[arg-type]
    assert len(io.warnings) == 1 and not io.terminated
