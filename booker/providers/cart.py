"""ReserveAmerica-style campsite carts: requests as values, answers classified, no I/O.

Here the poll *is* the booking attempt: every tick sends "add to cart" until
the service accepts it. Shapes follow ``docs/API-NOTES.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

import orjson

from booker.core.decide import Kind, Verdict
from booker.core.exceptions import CredentialsError, ParseError
from booker.core.ports import Probe
from booker.core.tokens import ExpiringToken
from booker.core.wire import Answer, Request
from booker.providers.common import failure, json_body, throttle_or_none

NAME = "cart"  # the provider as commands, job keys and the journal name it
BASE_URL = "https://api.reserveamerica.com"
CART_PATH = "/jaxrs-json/shoppingcart/0"

BROWSER_HEADERS: Mapping[str, str] = {
    "User-Agent": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    ),
    "Origin": "https://www.reserveamerica.com",
    "Referer": "https://www.reserveamerica.com/",
    "Accept": "application/json",
    "Cache-Control": "no-cache",
    "Pragma": "no-cache",
}

NOT_YET = frozenset({"R1-V-100017.error", "R6-V-100013.error"})
OVERLAPPING_KEY = "R12-V-100007.error"
TAKEN_KEY = "inventory.exception"
OVERLAPPING = re.compile("overlapping", re.IGNORECASE)
NOT_YET_TEXT = re.compile(
    r"within \d+ month|cannot be reserved at this time|try again later at|not yet available",
    re.IGNORECASE,
)
TAKEN_TEXT = re.compile(r"unavailable|sold out|not available", re.IGNORECASE)
HOLD_MINUTES = 15  # a cart holds an item this long until checkout

ADDED = "added to cart"
OVERLAPS = "cart holds an overlapping item"
SESSION_EXPIRED = (
    "session expired: copy fresh idToken and a1Data cookies into RA_AUTHORIZATION and RA_A1DATA"
)
ALREADY_RESERVED = "Already reserved: dates not available"
CART_FULL = "Cart full: clear existing reservations from your cart"
UNKNOWN = "unknown: check your cart"


# The cart's credentials (two browser cookies), by the names they go by in the environment,
# .env and the settings file
AUTHORIZATION = "RA_AUTHORIZATION"
A1DATA = "RA_A1DATA"
CREDENTIAL_NAMES = (AUTHORIZATION, A1DATA)
AUTHORIZATION_LABEL = f"the idToken ({AUTHORIZATION})"  # what expiry warnings call it
EXPIRING_TOKEN = ExpiringToken(AUTHORIZATION, AUTHORIZATION_LABEL, None)  # nothing renews it


def decode_a1data(value: str) -> str:
    """The a1Data cookie as the service wants it: JSON, URL-decoded if pasted encoded.

    Browsers store it URL-encoded (``%7B%22...``). ``CredentialsError`` (exit 2) when
    the value is not JSON even once decoded; the value itself is never shown.
    """
    text = value.strip()
    for candidate in (text, unquote(text)):
        try:
            orjson.loads(candidate)
        except orjson.JSONDecodeError:
            continue
        return candidate
    raise CredentialsError(
        "RA_A1DATA is not JSON, even URL-decoded: copy the whole a1Data cookie value"
    )


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
    site_id: str  # the first site wanted
    arrival_date: str  # YYYY-MM-DD
    nights: int
    site_ids: tuple[str, ...] = ()  # every site, in order of preference (empty: site_id)

    @property
    def all_sites(self) -> tuple[str, ...]:
        """Every site wanted, best first."""
        return self.site_ids or (self.site_id,)

    def at(self, site_id: str) -> CartTarget:
        """The same stay at one site."""
        return replace(self, site_id=site_id, site_ids=())


@dataclass(frozen=True, slots=True)
class CartItem:
    """One item of the user's cart."""

    cart_item_id: str
    site_id: str
    arrival_date: str
    facility_id: str = ""
    nights: int | None = None  # from ``units``, else arrival to departure

    def matches(self, target: CartTarget) -> bool:
        """Is this a stay ``target`` adds: one of its sites, same arrival, facility, nights?

        Site and arrival must be stated; facility and nights must match when stated.
        """
        return (
            self.site_id in target.all_sites
            and self.arrival_date[:10] == target.arrival_date
            and self.facility_id in ("", target.facility_id)
            and self.nights in (None, target.nights)
        )

    @property
    def described(self) -> bool:
        """Does the cart say which site and day this item is (not every answer does)?"""
        return bool(self.site_id and self.arrival_date)


@dataclass(frozen=True, slots=True)
class CartView:
    """What one read of the cart shows."""

    items: tuple[CartItem, ...]
    items_count: int | None = None  # ``itemsCount``, None when absent
    added: tuple[str, ...] = ()  # ``lastChanges.addedItems``: cart item ids


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
        return _read_accepted(answer)
    if answer.status == 409:
        return Verdict(Kind.TERMINAL, 409, ALREADY_RESERVED)
    if answer.status != 417:
        return failure(answer)
    try:
        faults = fault_keys(json_body(answer))
    except ParseError as exc:
        return failure(answer, str(exc))
    return _read_faults(faults)


def _read_faults(faults: list[tuple[str, str]]) -> Verdict:
    """A 417's faults, by msgKey first and by their words when the key is unknown."""
    keys = {key for key, _ in faults}
    messages = [message for _, message in faults]
    if keys & NOT_YET or any(NOT_YET_TEXT.search(m) for m in messages):
        return Verdict(Kind.EXPECTED, 417, "not released yet")
    if OVERLAPPING_KEY in keys or any(OVERLAPPING.search(m) for m in messages):
        return Verdict(Kind.FOUND, 417, OVERLAPS)
    if TAKEN_KEY in keys or any(TAKEN_TEXT.search(m) for m in messages):
        return Verdict(Kind.TERMINAL, 417, ALREADY_RESERVED)
    shown = "; ".join(m for m in messages if m) or ", ".join(sorted(keys)) or "no msgKey"
    return Verdict(Kind.FAILURE, 417, f"HTTP 417: {shown[:200]}")


def _read_accepted(answer: Answer) -> Verdict:
    """A 2xx to additem: added, unless its body says ``success: false`` (a failure, its words)."""
    try:
        document = json_body(answer)
    except ParseError:
        document = None
    if isinstance(document, dict) and document.get("success") is False:
        words = _messages(document)
        if any(NOT_YET_TEXT.search(m) for m in words):
            return Verdict(Kind.EXPECTED, answer.status, "not released yet")
        if any(TAKEN_TEXT.search(m) for m in words):
            return Verdict(Kind.TERMINAL, answer.status, ALREADY_RESERVED)
        shown = "; ".join(words)[:200] or "success: false"
        return Verdict(Kind.FAILURE, answer.status, f"HTTP {answer.status}: {shown}")
    added = [item.cart_item_id for item in _items(document)] if document is not None else []
    # the added item's id travels as book_token: the flow names the win by it if the cart cannot
    return Verdict(Kind.FOUND, answer.status, ADDED, book_token=added[0] if added else "")


def _messages(document: dict[str, Any]) -> list[str]:
    """The words of a ``success: false`` answer: message, messages[], faults[]."""
    found: list[str] = []
    for key in ("message", "defaultMessage", "error"):
        if isinstance(document.get(key), str):
            found.append(document[key])
    for key in ("messages", "faults", "errors"):
        listed = document.get(key)
        for entry in listed if isinstance(listed, list) else ():
            if isinstance(entry, str):
                found.append(entry)
            elif isinstance(entry, dict) and isinstance(entry.get("defaultMessage"), str):
                found.append(entry["defaultMessage"])
            elif isinstance(entry, dict) and isinstance(entry.get("message"), str):
                found.append(entry["message"])
    return [text for text in found if text]


def read_cart(answer: Answer) -> list[CartItem]:
    """The items in the cart; ``ParseError`` when the answer is not usable."""
    return list(read_cart_view(answer).items)


def read_cart_view(answer: Answer) -> CartView:
    """Items (every object with a ``cartItemId``, wherever it sits), ``itemsCount`` and
    ``lastChanges.addedItems``; ``ParseError`` when the answer is not usable."""
    if answer.status != 200:
        raise ParseError(f"cart: HTTP {answer.status}")
    document = json_body(answer)
    if not isinstance(document, dict):
        raise ParseError("cart is not an object")
    for key in ("items", "cartItems"):
        if document.get(key) is not None and not isinstance(document[key], list):
            raise ParseError("cart items is not a list")
    items = _items(document, skip=("lastChanges",))
    count = _find_key(document, "itemsCount")
    changes = document.get("lastChanges")
    added = _items(changes.get("addedItems")) if isinstance(changes, dict) else []
    return CartView(
        tuple(items),
        count if isinstance(count, int) and not isinstance(count, bool) else None,
        tuple(item.cart_item_id for item in added),
    )


def _items(value: Any, skip: tuple[str, ...] = ()) -> list[CartItem]:
    """Every object carrying a ``cartItemId`` in ``value``, once per id, in document order."""
    seen: dict[str, CartItem] = {}
    for raw in _objects_with(value, "cartItemId", skip):
        item_id = raw["cartItemId"]
        if isinstance(item_id, dict):  # {"value": "..."} as some answers nest ids
            item_id = item_id.get("value")
        if item_id is None or isinstance(item_id, bool | dict | list) or item_id == "":
            continue
        arrival = _text(raw, "arrivalDate")[:10]
        item = CartItem(
            cart_item_id=str(item_id),
            site_id=_text(raw, "siteID", "siteId"),
            arrival_date=arrival,
            facility_id=_text(raw, "facilityID", "facilityId"),
            nights=_nights(raw.get("units"), arrival, raw.get("departureDate")),
        )
        previous = seen.get(item.cart_item_id)
        if previous is None or (item.described and not previous.described):
            seen[item.cart_item_id] = item
    return list(seen.values())


def _objects_with(value: Any, key: str, skip: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
    """Depth-first: the dicts in ``value`` that hold ``key`` (not below the keys in ``skip``)."""
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if key in node:
                yield node
            stack.extend(reversed([v for k, v in node.items() if k not in skip]))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _find_key(document: dict[str, Any], key: str) -> Any:
    """``document[key]``, else the first ``key`` one level down (``{"cart": {...}}``)."""
    if key in document:
        return document[key]
    for value in document.values():
        if isinstance(value, dict) and key in value:
            return value[key]
    return None


def _text(raw: dict[str, Any], *keys: str) -> str:
    """The first of ``keys`` as text; ``{"value": x}`` unwrapped; "" when absent."""
    for key in keys:
        value = raw.get(key)
        if isinstance(value, dict):
            value = value.get("value")
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value):
            return str(value)
    return ""


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


def credentials_probe(credentials: CartCredentials) -> Probe:
    """Read the cart with the session cookies (``booker ping cart``, ``booker check cart``)."""
    api = CartApi(credentials, CartTarget("", "", "", "", 1))
    return Probe(NAME, api.view_cart(), _read_probe)


def _read_probe(answer: Answer) -> Verdict:
    """EXPECTED when the cart could be read."""
    refused = classify_cart_answer(answer)
    if refused is not None:
        return refused
    try:
        read_cart(answer)
    except ParseError as exc:
        return Verdict(Kind.FAILURE, answer.status, str(exc))
    return Verdict(Kind.EXPECTED, answer.status, "cart readable")
