"""The simulated ReserveAmerica-style shopping cart (api.reserveamerica.com).

One signed-in user (the scenario's `authorization`/`a1data` pair) owns one cart. Additem
checks run in this order, each answering 417 with a fault (see `cart_faults`): not open yet
(R1/R6), unknown contract/facility/site, stay longer than `max_nights`, the user's cart
already holds an overlapping stay (R12, checked before inventory so that, of several requests
in flight, the ones after the winner come back "overlapping"), site taken (inventory.exception).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from booker.sim import cart_faults as cf
from booker.sim.asgi import (
    MethodNotAllowedError,
    Request,
    Response,
    Router,
    error_response,
    json_response,
)
from booker.sim.campsites import SiteBook, Stay
from booker.sim.cart_scenario import CartSpec
from booker.sim.ledger import CartBookingRecord
from booker.sim.rivals import run_site_rivals
from booker.sim.world import World

BASE = "/jaxrs-json/shoppingcart/0"
ADD_PATH = f"{BASE}/additem"
REMOVE_PATH = f"{BASE}/remove"
_REQUIRED = ("contractCode", "facilityID", "siteID", "arrivalDate", "units", "quantity")


@dataclass(frozen=True, slots=True)
class AddItem:
    """A decoded additem body."""

    contract_code: str
    facility_id: str
    site_id: str
    arrival: date
    units: int
    quantity: int


@dataclass(frozen=True, slots=True)
class CartItem:
    """A stay in the user's cart."""

    booking: CartBookingRecord
    stay: Stay
    quantity: int = 1


def _text(value: object) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _count(value: object) -> int | None:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return None


def parse_add_item(body: object) -> AddItem | None:
    """The additem JSON (IDs as strings or numbers, counts >= 1), None when unusable."""
    if not isinstance(body, dict) or any(k not in body for k in _REQUIRED):
        return None
    contract, facility, site = (_text(body[k]) for k in ("contractCode", "facilityID", "siteID"))
    units, quantity = _count(body["units"]), _count(body["quantity"])
    day = body["arrivalDate"]
    if not (contract and facility and site and units and quantity and isinstance(day, str)):
        return None
    try:
        arrival = date.fromisoformat(day)
    except ValueError:
        return None
    if len(day) != 10:
        return None
    return AddItem(contract, facility, site, arrival, units, quantity)


class CartApp:
    """The cart endpoints with the real service's header checks."""

    def __init__(self, world: World) -> None:
        if world.scenario.cart is None:
            raise ValueError("CartApp needs a provider = 'cart' scenario")
        self.world = world
        self.spec: CartSpec = world.scenario.cart
        self.camp = self.spec.campground
        self.released_day = date.fromisoformat(world.day)
        self.sites = SiteBook(self.camp.sites)
        self.items: dict[str, CartItem] = {}
        self.modern = world.scenario.shapes == "2026"
        self.last_added: list[str] = []  # 2026: lastChanges.addedItems of the latest add
        self.router = Router()
        self.router.add("POST", ADD_PATH, self.additem)
        self.router.add("GET", BASE, self.view)
        self.router.add("POST", REMOVE_PATH, self.remove)
        self._prefill()

    def _prefill(self) -> None:
        """Put the scenario's `[[cart.items]]` in the cart (ledger who="prefilled")."""
        for spec in self.spec.items:
            arrival = self.spec.item_arrival(spec, self.world.started_at)
            booking = self.world.ledger.book_site(
                self.world.started_at,
                "prefilled",
                contract_code=spec.contract_code,
                facility_id=spec.facility_id,
                site_id=spec.site_id,
                arrival_date=arrival.isoformat(),
                nights=spec.units,
            )
            stay = Stay(spec.site_id, arrival, spec.units)
            if self._here(spec.contract_code, spec.facility_id):
                self.sites.take(stay, booking.reservation_id)
            self.items[booking.reservation_id] = CartItem(booking, stay)

    def rearm(self) -> None:
        """A new drop began: its arrival date opens at the world's release instant.

        The campsites start afresh, held only by the stays still in the user's cart.
        """
        self.released_day = date.fromisoformat(self.world.day)
        self.sites = SiteBook(self.camp.sites)
        for item_id, item in self.items.items():
            if self._here(item.booking.contract_code, item.booking.facility_id):
                self.sites.take(item.stay, item_id)

    async def run_rivals(self) -> None:
        """Rivals holding campsites after release (the gateway runs this in the background)."""
        await run_site_rivals(self.world, self.sites, self.camp)

    def _here(self, contract_code: str, facility_id: str) -> bool:
        return contract_code == self.camp.contract_code and facility_id == self.camp.facility_id

    async def handle(self, request: Request) -> Response:
        """User-Agent, then `authorization` and `a1data`, then path and method."""
        if not request.header("user-agent"):
            return Response(500, b"Internal Server Error", "text/plain; charset=utf-8")
        auth = self.spec.auth
        if (
            request.header("authorization") != auth.authorization
            or request.header("a1data") != auth.a1data
        ):
            return cf.unauthorized()
        try:
            handler = self.router.match(request.method, request.path)
        except MethodNotAllowedError:
            return error_response(405, "Method Not Allowed")
        if handler is None:
            return error_response(404, "Not Found")
        return await handler(request)

    def check_by_hand(self, params: dict[str, Any]) -> None:
        """``site_id``, ``arrival_date``, ``nights``, optional ``facility_id``, ``contract_code``."""
        known = {"site_id", "arrival_date", "nights", "facility_id", "contract_code"}
        unknown = sorted(set(params) - known)
        if unknown:
            raise ValueError(f"unknown parameter(s): {', '.join(unknown)}")
        if parse_add_item(self._hand_body(params)) is None:
            raise ValueError("site_id, arrival_date (YYYY-MM-DD) and nights (>= 1) are needed")

    def _hand_body(self, params: dict[str, Any]) -> dict[str, Any]:
        """The add-to-cart body a stay made by hand stands for (defaults: this campground)."""
        return {
            "contractCode": params.get("contract_code", self.camp.contract_code),
            "facilityID": params.get("facility_id", self.camp.facility_id),
            "siteID": params.get("site_id"),
            "arrivalDate": params.get("arrival_date", self.world.day),
            "units": params.get("nights", 1),
            "quantity": 1,
        }

    def by_hand(self, params: dict[str, Any]) -> dict[str, Any]:
        """The owner adds a stay in the browser: in the cart, ledger who="hand"."""
        add = parse_add_item(self._hand_body(params))
        assert add is not None  # checked by check_by_hand
        booking = self.world.ledger.book_site(
            self.world.clock.now(),
            "hand",
            contract_code=add.contract_code,
            facility_id=add.facility_id,
            site_id=add.site_id,
            arrival_date=add.arrival.isoformat(),
            nights=add.units,
        )
        stay = Stay(add.site_id, add.arrival, add.units)
        if self._here(add.contract_code, add.facility_id):
            self.sites.take(stay, booking.reservation_id)
        self.items[booking.reservation_id] = CartItem(booking, stay)
        return {"cartItemId": booking.cart_item_id}

    def rate_key(self, request: Request) -> str:
        """The session token, else the client address."""
        key = request.header("authorization")
        if key:
            return key
        return request.client[0] if request.client else "?"

    def wrong_types(self, path: str) -> object:
        """Valid JSON, wrong field types, per endpoint."""
        if path == ADD_PATH:
            return {"cartItemId": 0, "itemsCount": "one"}
        if path == REMOVE_PATH:
            return {"itemsCount": None, "items": "none"}
        return {"itemsCount": "none", "items": {"cartItemId": None}}

    # --- endpoints -------------------------------------------------------------------------

    async def additem(self, request: Request) -> Response:
        """POST .../additem: 200 with the new cart item, or 400/417."""
        add = parse_add_item(request.json())
        if add is None:
            return cf.bad_request("The request body is not a valid cart item.")
        now = self.world.clock.now()
        if add.arrival > self.released_day:
            return cf.too_far_ahead_2026() if self.modern else cf.too_far_ahead()
        if add.arrival == self.released_day and now < self.world.release_at:
            not_open = cf.not_open_2026 if self.modern else cf.not_open
            return not_open(
                now, self.world.release_at, self.spec.try_again_window_s, self.camp.time_zone
            )
        refused = self._unknown(add) or self._too_long(add)
        if refused is not None:
            return refused
        stay = Stay(add.site_id, add.arrival, add.units)
        if any(item.stay.overlaps(stay) for item in self.items.values()):
            return cf.overlapping()
        if not self.sites.free(stay):
            return cf.sold_out_2026() if self.modern else cf.inventory_taken()
        booking = self.world.ledger.book_site(
            now,
            "booker",
            contract_code=add.contract_code,
            facility_id=add.facility_id,
            site_id=add.site_id,
            arrival_date=add.arrival.isoformat(),
            nights=add.units,
        )
        self.sites.take(stay, booking.reservation_id)
        item = CartItem(booking, stay, add.quantity)
        self.items[booking.reservation_id] = item
        if self.modern:
            self.last_added = [booking.cart_item_id]
            return json_response(
                200,
                {
                    "success": True,
                    "itemsCount": len(self.items),
                    "lastChanges": {"addedItems": [{"cartItemId": booking.cart_item_id}]},
                },
            )
        return json_response(
            200,
            {
                "cartItemId": booking.cart_item_id,
                "itemsCount": len(self.items),
                "item": self._item_json(item),
                "messages": [{"msgKey": "cart.item.added", "defaultMessage": "Added to cart."}],
            },
        )

    def _unknown(self, add: AddItem) -> Response | None:
        if add.contract_code != self.camp.contract_code:
            return cf.fault_417(
                cf.CONTRACT_NOT_FOUND, f"Contract {add.contract_code} was not found."
            )
        if add.facility_id != self.camp.facility_id:
            return cf.fault_417(cf.FACILITY_NOT_FOUND, f"Facility {add.facility_id} was not found.")
        if add.site_id not in self.sites:
            return cf.fault_417(
                cf.SITE_NOT_FOUND, f"Site {add.site_id} was not found at this facility."
            )
        return None

    def _too_long(self, add: AddItem) -> Response | None:
        if add.units <= self.camp.max_nights:
            return None
        return cf.fault_417(
            cf.MAX_STAY, f"The maximum stay for this site is {self.camp.max_nights} night(s)."
        )

    async def view(self, request: Request) -> Response:
        """GET the cart."""
        return json_response(200, self._cart_json())

    async def remove(self, request: Request) -> Response:
        """POST .../remove `[{"value": id}, ...]`: all or nothing; frees the sites."""
        body = request.json()
        if not isinstance(body, list) or not body:
            return cf.bad_request("Expected a list of cart item ids.")
        ids = [_text(entry.get("value")) if isinstance(entry, dict) else None for entry in body]
        if any(item_id is None for item_id in ids):
            return cf.bad_request("Expected a list of cart item ids.")
        missing = [item_id for item_id in ids if item_id not in self.items]
        if missing:
            return cf.fault_417(cf.ITEM_NOT_FOUND, f"Item {missing[0]} was not found in your cart.")
        now = self.world.clock.now()
        for item_id in dict.fromkeys(i for i in ids if i is not None):
            item = self.items.pop(item_id)
            self.world.ledger.cancel(now, item.booking)
            self.sites.give_back(item_id)
        return json_response(200, self._cart_json())

    def _cart_json(self) -> dict[str, Any]:
        if self.modern:
            return self._cart_json_2026()
        items = [self._item_json(item) for item in self.items.values()]
        return {"cartId": "0", "itemsCount": len(items), "items": items}

    def _cart_json_2026(self) -> dict[str, Any]:
        """Items grouped by type, ids nested, sites as ``siteId.value`` (or not at all)."""
        camping = []
        for item in self.items.values():
            b = item.booking
            shaped: dict[str, Any] = {
                "cartItemId": b.cart_item_id,
                "itemType": "CAMPING",
                "units": b.nights,
            }
            if self.spec.site_fields:
                shaped["siteId"] = {"value": b.site_id}
                shaped["facilityId"] = {"value": b.facility_id}
                shaped["arrivalDate"] = f"{b.arrival_date}T00:00:00.000"
            camping.append({"item": shaped, "status": "HELD"})
        added = [{"cartItemId": i} for i in self.last_added if i in self.items]
        return {
            "cart": {"cartId": "0", "itemsCount": len(camping)},
            "cartItemsByType": {"CAMPING": camping},
            "lastChanges": {"addedItems": added},
        }

    def _item_json(self, item: CartItem) -> dict[str, Any]:
        b = item.booking
        here = self._here(b.contract_code, b.facility_id)
        return {
            "cartItemId": b.cart_item_id,
            "itemType": "CAMPING",
            "contractCode": b.contract_code,
            "facilityID": b.facility_id,
            "facilityName": self.camp.name if here else "",
            "siteID": b.site_id,
            "arrivalDate": b.arrival_date,
            "departureDate": item.stay.departure.isoformat(),
            "units": b.nights,
            "quantity": item.quantity,
            "primaryItemID": None,
            "primaryResNum": None,
        }
