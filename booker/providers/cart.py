"""ReserveAmerica-style campsite carts: requests as values, answers classified, no I/O.

Here the poll *is* the booking attempt: every tick sends "add to cart" until
the service accepts it. Shapes follow ``shared/API-NOTES.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from booker.decide import Kind, Verdict
from booker.exceptions import ParseError
from booker.providers.common import failure, json_body, throttle_or_none
from booker.wire import Answer, Request

BASE_URL = "https://api.reserveamerica.com"
CART_PATH = "/jaxrs-json/shoppingcart/0"

BROWSER_HEADERS: Mapping[str, str] = {
    "User-Agent": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    ),
    "Origin": "https://www.reserveamerica.com",
    "Referer": "https://www.reserveamerica.com/",
    "Accept": "application/json, text/plain, */*",
}

NOT_YET = frozenset({"R1-V-100017.error", "R6-V-100013.error"})
OVERLAPPING_KEY = "R12-V-100007.error"
TAKEN_KEY = "inventory.exception"
OVERLAPPING = re.compile("overlapping", re.IGNORECASE)

ADDED = "added to cart"
OVERLAPS = "cart holds an overlapping item"
SESSION_EXPIRED = (
    "session expired: copy fresh idToken and a1Data cookies into RA_AUTHORIZATION and RA_A1DATA"
)
ALREADY_RESERVED = "Already reserved: dates not available"
CART_FULL = "Cart full: clear existing reservations from your cart"


@dataclass(frozen=True, slots=True)
class CartCredentials:
    """The two browser cookies, sent as headers. Never printed."""

    authorization: str = field(repr=False)
    a1data: str = field(repr=False)

    def secrets(self) -> tuple[str, ...]:
        """Values to redact wherever text leaves the process."""
        return (self.authorization, self.a1data)


@dataclass(frozen=True, slots=True)
class CartTarget:
    """The site and stay the user wants."""

    contract_code: str
    facility_id: str
    site_id: str
    arrival_date: str  # YYYY-MM-DD
    nights: int


@dataclass(frozen=True, slots=True)
class CartItem:
    """One item of the user's cart."""

    cart_item_id: str
    site_id: str
    arrival_date: str
    facility_id: str = ""
    nights: int | None = None  # from ``units``, else arrival to departure

    def matches(self, target: CartTarget) -> bool:
        """Is this the stay ``target`` adds: same site, arrival, facility and nights?

        Site and arrival must be stated; facility and nights must match when stated.
        """
        return (
            self.site_id == target.site_id
            and self.arrival_date[:10] == target.arrival_date
            and self.facility_id in ("", target.facility_id)
            and self.nights in (None, target.nights)
        )


class CartApi:
    """Builds every cart request for one user and one target."""

    def __init__(
        self,
        credentials: CartCredentials,
        target: CartTarget,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.target = target
        base = {**BROWSER_HEADERS, **(headers or {})}
        base["authorization"] = credentials.authorization
        base["a1data"] = credentials.a1data
        self._headers = tuple(base.items())
        self._json = (*self._headers, ("Content-Type", "application/json"))
        self._add_body = orjson.dumps(
            {
                "contractCode": target.contract_code,
                "facilityID": target.facility_id,
                "siteID": target.site_id,
                "arrivalDate": target.arrival_date,
                "units": target.nights,
                "quantity": 1,
                "primaryItemID": None,
                "primaryResNum": None,
            }
        )

    def add_item(self) -> Request:
        """Add the target stay to the cart (the poll and the booking at once)."""
        return Request("POST", f"{CART_PATH}/additem", self._json, self._add_body)

    def view_cart(self) -> Request:
        """Read the cart."""
        return Request("GET", CART_PATH, self._headers)

    def remove(self, cart_item_id: str) -> Request:
        """Remove one item from the cart."""
        body = orjson.dumps([{"value": cart_item_id}])
        return Request("POST", f"{CART_PATH}/remove", self._json, body)


def fault_keys(document: Any) -> list[tuple[str, str]]:
    """``(msgKey, defaultMessage)`` of each fault in a 417 body."""
    faults = document.get("faults") if isinstance(document, dict) else None
    if not isinstance(faults, list):
        raise ParseError("417 without a faults list")
    return [
        (str(item.get("msgKey") or ""), str(item.get("defaultMessage") or ""))
        for item in faults
        if isinstance(item, dict)
    ]


def read_add(answer: Answer) -> Verdict:
    """Classify an add-to-cart answer.

    FOUND with reason ADDED: accepted (confirm through the cart); FOUND with
    reason OVERLAPS: read the cart to tell our own win from a full cart.
    """
    throttled = throttle_or_none(answer)
    if throttled is not None:
        return throttled
    if answer.status in (401, 403):
        return Verdict(Kind.TERMINAL, answer.status, SESSION_EXPIRED)
    if answer.status in (200, 201):
        return Verdict(Kind.FOUND, answer.status, ADDED)
    if answer.status != 417:
        return failure(answer)
    try:
        faults = fault_keys(json_body(answer))
    except ParseError as exc:
        return failure(answer, str(exc))
    keys = {key for key, _ in faults}
    if keys & NOT_YET:
        return Verdict(Kind.EXPECTED, 417, "not released yet")
    if OVERLAPPING_KEY in keys or any(OVERLAPPING.search(message) for _, message in faults):
        return Verdict(Kind.FOUND, 417, OVERLAPS)
    if TAKEN_KEY in keys:
        return Verdict(Kind.TERMINAL, 417, ALREADY_RESERVED)
    shown = ", ".join(sorted(keys)) or "no msgKey"
    return failure(answer, shown)


def read_cart(answer: Answer) -> list[CartItem]:
    """The items in the cart; ``ParseError`` when the answer is not usable."""
    if answer.status != 200:
        raise ParseError(f"cart: HTTP {answer.status}")
    document = json_body(answer)
    if not isinstance(document, dict):
        raise ParseError("cart is not an object")
    raw_items = document.get("items", document.get("cartItems", []))
    if raw_items is None:
        raw_items = []
    if not isinstance(raw_items, list):
        raise ParseError("cart items is not a list")
    items: list[CartItem] = []
    for raw in raw_items:
        if not isinstance(raw, dict) or raw.get("cartItemId") is None:
            continue
        arrival = str(raw.get("arrivalDate") or "")
        items.append(
            CartItem(
                cart_item_id=str(raw["cartItemId"]),
                site_id=str(raw.get("siteID") or raw.get("siteId") or ""),
                arrival_date=arrival,
                facility_id=str(raw.get("facilityID") or raw.get("facilityId") or ""),
                nights=_nights(raw.get("units"), arrival, raw.get("departureDate")),
            )
        )
    return items


def _nights(units: Any, arrival: str, departure: Any) -> int | None:
    """Nights of a cart item: ``units``, else departure minus arrival, None when unstated."""
    if isinstance(units, str) and units.isdigit():
        units = int(units)
    if isinstance(units, int) and not isinstance(units, bool):
        return units
    if isinstance(departure, str):
        try:
            days = (
                dt.date.fromisoformat(departure[:10]) - dt.date.fromisoformat(arrival[:10])
            ).days
        except ValueError:
            return None
        return days
    return None


def classify_cart_answer(answer: Answer) -> Verdict | None:
    """Throttle or terminal for a cart read, None when it can be parsed."""
    throttled = throttle_or_none(answer)
    if throttled is not None:
        return throttled
    if answer.status in (401, 403):
        return Verdict(Kind.TERMINAL, answer.status, SESSION_EXPIRED)
    if answer.status != 200:
        return failure(answer)
    return None
