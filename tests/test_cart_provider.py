"""The cart provider's pure parts: request encodings and the classification of answers."""

from __future__ import annotations

import contextlib

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booker.core.decide import Kind
from booker.core.exceptions import ParseError
from booker.net.http import Answer
from booker.providers import cart
from booker.providers.cart import CartApi, CartCredentials, CartTarget

TARGET = CartTarget("NY", "140", "245719", "2026-05-17", 2)
CREDENTIALS = CartCredentials("eyJ.id.token", '{"a1":"data"}')


def fault_answer(key: str, message: str = "") -> Answer:
    """A 417 with one fault."""
    return Answer(417, orjson.dumps({"faults": [{"msgKey": key, "defaultMessage": message}]}))


def test_add_item_body_is_the_documented_json() -> None:
    """additem sends exactly the JSON body of API-NOTES, with the auth cookies as headers."""
    request = CartApi(CREDENTIALS, TARGET).add_item()
    assert request.method == "POST"
    assert request.path == "/jaxrs-json/shoppingcart/0/additem"
    assert orjson.loads(request.body or b"") == {
        "contractCode": "NY",
        "facilityID": "140",
        "siteID": "245719",
        "arrivalDate": "2026-05-17",
        "units": 2,
        "quantity": 1,
        "primaryItemID": None,
        "primaryResNum": None,
    }
    headers = dict(request.headers)
    assert headers["authorization"] == "eyJ.id.token"  # no "Bearer"
    assert headers["a1data"] == '{"a1":"data"}'
    assert headers["Content-Type"] == "application/json"
    assert "User-Agent" in headers and headers["Origin"].startswith("https://")


def test_remove_body_lists_the_item() -> None:
    """remove sends [{"value": id}]."""
    request = CartApi(CREDENTIALS, TARGET).remove("77")
    assert request.path.endswith("/remove")
    assert orjson.loads(request.body or b"") == [{"value": "77"}]


def test_credentials_do_not_show_in_repr() -> None:
    """The cookies never appear in a repr (logs, tracebacks)."""
    assert "eyJ.id.token" not in repr(CREDENTIALS)


@pytest.mark.parametrize(
    ("answer", "kind", "reason"),
    [
        (fault_answer("R1-V-100017.error", "within 9 Month(s)"), Kind.EXPECTED, None),
        (fault_answer("R6-V-100013.error", "try again at 9:00 AM"), Kind.EXPECTED, None),
        (Answer(200, b'{"cartItemId": "1"}'), Kind.FOUND, cart.ADDED),
        (fault_answer("R12-V-100007.error"), Kind.FOUND, cart.OVERLAPS),
        (fault_answer("X-1", "Item overlapping another"), Kind.FOUND, cart.OVERLAPS),
        (fault_answer("inventory.exception"), Kind.TERMINAL, cart.ALREADY_RESERVED),
        (Answer(401), Kind.TERMINAL, cart.SESSION_EXPIRED),
        (Answer(403), Kind.TERMINAL, cart.SESSION_EXPIRED),
        (Answer(429), Kind.THROTTLE, None),
        (Answer(0, error="ConnectError"), Kind.THROTTLE, None),
        (Answer(500), Kind.FAILURE, None),
        (Answer(417, b"<html>"), Kind.FAILURE, None),
        (Answer(417, b'{"faults": "nope"}'), Kind.FAILURE, None),
        (fault_answer("some.other.error"), Kind.FAILURE, None),
    ],
    ids=[
        "R1", "R6", "added", "R12", "overlapping-text", "inventory", "401", "403", "429",
        "http000", "500", "417-html", "417-bad-faults", "417-unknown",
    ],
)  # fmt: skip
def test_add_answers_are_classified(answer: Answer, kind: Kind, reason: str | None) -> None:
    """Every documented answer to additem maps to the documented reaction."""
    verdict = cart.read_add(answer)
    assert verdict.kind is kind
    if reason is not None:
        assert verdict.reason == reason


def test_cart_items_are_read_tolerantly() -> None:
    """Items with cartItemId are read; others are skipped; ids become strings."""
    body = orjson.dumps(
        {
            "itemsCount": 3,
            "items": [
                {"cartItemId": 5, "siteID": "245719", "arrivalDate": "2026-05-17T00:00:00"},
                {"siteID": "1"},
                "junk",
            ],
        }
    )
    items = cart.read_cart(Answer(200, body))
    assert [item.cart_item_id for item in items] == ["5"]
    assert items[0].matches(TARGET)
    assert cart.read_cart(Answer(200, b'{"itemsCount": 0}')) == []


@pytest.mark.parametrize("answer", [Answer(500), Answer(200, b"[1]"), Answer(200, b'{"items": 3}')])
def test_unusable_carts_raise_parse_error(answer: Answer) -> None:
    """A cart answer that cannot be used raises ParseError, nothing else."""
    with pytest.raises(ParseError):
        cart.read_cart(answer)


@settings(max_examples=200, deadline=None)
@given(status=st.integers(0, 599), body=st.binary(max_size=300))
def test_read_add_never_raises(status: int, body: bytes) -> None:
    """Arbitrary answers to additem are always classified."""
    assert isinstance(cart.read_add(Answer(status, body)).kind, Kind)


@settings(max_examples=200, deadline=None)
@given(status=st.integers(0, 599), body=st.binary(max_size=300))
def test_read_cart_only_raises_parse_error(status: int, body: bytes) -> None:
    """Arbitrary cart answers either parse or raise ParseError."""
    with contextlib.suppress(ParseError):
        cart.read_cart(Answer(status, body))


def cart_item(**fields: object) -> cart.CartItem:
    """The one item of a cart answer with these fields (and cartItemId 9)."""
    body = orjson.dumps({"items": [{"cartItemId": 9, **fields}]})
    return cart.read_cart(Answer(200, body))[0]


@pytest.mark.parametrize(
    ("fields", "ours"),
    [
        ({"siteID": "245719", "arrivalDate": "2026-05-17", "facilityID": "140", "units": 2}, True),
        ({"siteID": "245719", "arrivalDate": "2026-05-17", "departureDate": "2026-05-19"}, True),
        ({"siteID": "245719", "arrivalDate": "2026-05-17", "facilityID": "141", "units": 2}, False),
        ({"siteID": "245719", "arrivalDate": "2026-05-17", "units": 3}, False),
        ({"siteID": "245719", "arrivalDate": "2026-05-17", "departureDate": "2026-05-18"}, False),
        ({"siteID": "245720", "arrivalDate": "2026-05-17", "units": 2}, False),
        ({"siteID": "245719", "arrivalDate": "2026-05-18", "units": 2}, False),
        ({"arrivalDate": "2026-05-17", "units": 2}, False),
    ],
)
def test_an_item_is_ours_only_if_facility_site_and_dates_match(
    fields: dict[str, object], ours: bool
) -> None:
    """The same site on other nights, or another facility's site of that number, is the
    owner's own: never recovered, never removed."""
    assert cart_item(**fields).matches(TARGET) is ours
