"""The simulated Resy API (api.resy.com) on top of the shared world."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from booker.sim.asgi import (
    MethodNotAllowedError,
    Request,
    Response,
    Router,
    error_response,
    json_response,
)
from booker.sim.clock import rfc3339
from booker.sim.inventory import Inventory, Stock
from booker.sim.ledger import BookingRecord
from booker.sim.resy_account import ResyAccount
from booker.sim.world import World

USER_PATHS = frozenset({"/2/user", "/3/details", "/3/book", "/3/cancel", "/3/user/reservations"})
ACCOUNT_USER_PATHS = frozenset({"/2/notify"})  # see booker.sim.resy_account
SLOT_MINUTES = 90
FORM = "application/x-www-form-urlencoded"
RESERVATIONS_PAGE = 10  # 2026: /3/user/reservations without ?limit= lists this many
LEGACY_ZONES = {  # 2026: /3/venue names these zones the old POSIX way
    "America/New_York": "EST5EDT",
    "America/Chicago": "CST6CDT",
    "America/Denver": "MST7MDT",
    "America/Los_Angeles": "PST8PDT",
}
_SLOT_TOKEN = re.compile(
    r"^rgs://resy/(\d+)/(\d+)/\d+/(\d{4}-\d{2}-\d{2})/\d{4}-\d{2}-\d{2}/"
    r"(\d{2}:\d{2}:\d{2})/\d+/([^/]+)$"
)
_HAND_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


@dataclass(frozen=True, slots=True)
class BookToken:
    """A /3/details hand-out: which stock, for how many, until when (sim clock)."""

    stock: Stock
    party_size: int
    expires_at: float
    venue_id: int = 0
    day: str = ""


@dataclass(frozen=True, slots=True)
class Held:
    """A reservation the user holds."""

    booking: BookingRecord
    stock: Stock
    resy_token: str
    venue_id: int = 0


def slot_token(venue_id: int, day: str, stock: Stock) -> str:
    """The `config.token` string of a slot."""
    return (
        f"rgs://resy/{venue_id}/{stock.config_id}/2/{day}/{day}/{stock.time}/2/{stock.table_type}"
    )


class ResyApp:
    """Resy's endpoints with the real service's checks, in its order."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.scenario = world.scenario
        self.venue = world.scenario.venue
        auth = world.scenario.auth
        self.authorization = f'ResyAPI api_key="{auth.api_key}"'
        self.book_tokens: dict[str, BookToken] = {}
        self.held: dict[str, Held] = {}
        self.router = Router()
        for method, path, handler in (
            ("GET", "/2/user", self.user),
            ("GET", "/4/find", self.find),
            ("POST", "/4/find", self.find),
            ("GET", "/4/venue/calendar", self.calendar),
            ("POST", "/3/details", self.details),
            ("POST", "/3/book", self.book),
            ("POST", "/3/cancel", self.cancel),
            ("GET", "/3/user/reservations", self.reservations),
            ("GET", "/3/venue", self.venue_info),
            ("GET", "/2/config", self.config),
        ):
            self.router.add(method, path, handler)
        self.account = ResyAccount(world, self._payment_methods())
        for method, path, handler in self.account.routes():
            self.router.add(method, path, handler)

    async def handle(self, request: Request) -> Response:
        """User-Agent, API key, path, method and user token checks, then the endpoint."""
        if not request.header("user-agent"):
            return Response(500, b"Internal Server Error", "text/plain; charset=utf-8")
        if request.header("authorization") != self.authorization:
            return error_response(401, "Unauthorized")
        try:
            handler = self.router.match(request.method, request.path)
        except MethodNotAllowedError:
            return error_response(500, "Internal Server Error")
        if handler is None:
            return error_response(404, "Not Found")
        if request.path in USER_PATHS | ACCOUNT_USER_PATHS and not self.account.accepts(
            request.header("x-resy-auth-token")
        ):
            return error_response(419, "Unauthorized")
        return await handler(request)

    def rearm(self) -> None:
        """A new drop began (the world holds its day and stock): earlier book tokens die."""
        self.book_tokens.clear()

    def check_by_hand(self, params: dict[str, Any]) -> None:
        """``time`` (HH:MM[:SS]), ``party_size``, optional ``day`` and ``table_type``."""
        unknown = sorted(set(params) - {"time", "party_size", "day", "table_type"})
        if unknown:
            raise ValueError(f"unknown parameter(s): {', '.join(unknown)}")
        time, party = params.get("time"), params.get("party_size")
        if not isinstance(time, str) or not _HAND_TIME.match(time):
            raise ValueError("time must be HH:MM or HH:MM:SS")
        if isinstance(party, bool) or not isinstance(party, int) or party < 1:
            raise ValueError("party_size must be a positive number")
        day = params.get("day", self.world.day)
        if not isinstance(day, str):
            raise ValueError("day must be YYYY-MM-DD")
        try:
            date.fromisoformat(day)
        except ValueError:
            raise ValueError("day must be YYYY-MM-DD") from None
        if not isinstance(params.get("table_type", ""), str):
            raise ValueError("table_type must be text")

    def by_hand(self, params: dict[str, Any]) -> dict[str, Any]:
        """The owner books by phone: a reservation outside the stock (ledger who="hand")."""
        time = str(params["time"])
        booking = self.world.ledger.book(
            self.world.clock.now(),
            "hand",
            time=time if len(time) == 8 else f"{time}:00",
            table_type=str(params.get("table_type") or "Phone"),
            day=str(params.get("day") or self.world.day),
            party_size=int(params["party_size"]),
        )
        resy_token = f"rr://{secrets.token_hex(24)}"
        stock = Stock(0, booking.time, booking.table_type, 1, booking.party_size, 0)
        self.held[resy_token] = Held(booking, stock, resy_token)
        return {"reservation_id": booking.reservation_id, "resy_token": resy_token}

    def rate_key(self, request: Request) -> str:
        """User token, else API key, else client address."""
        key = request.header("x-resy-auth-token") or request.header("authorization")
        if key:
            return key
        return request.client[0] if request.client else "?"

    def wrong_types(self, path: str) -> object:
        """Valid JSON, wrong field types, per endpoint."""
        if path == "/4/find":
            return {"results": {"venues": [{"venue": {"id": "resy"}, "slots": "none"}]}}
        if path == "/3/details":
            return {"book_token": "expired", "user": None}
        if path == "/3/book":
            return {"resy_token": 0, "reservation_id": "none"}
        if path == "/2/user":
            return {"payment_methods": "none"}
        if path == "/3/user/reservations":
            return {"reservations": {"count": 0}}
        return {"status": "ok", "results": []}

    # --- endpoints -------------------------------------------------------------------------

    def _payment_methods(self) -> list[dict[str, Any]]:
        pm = self.scenario.auth.payment_method_id
        return [{"id": pm, "is_default": True, "type": "visa"}] if pm else []

    async def user(self, request: Request) -> Response:
        """GET /2/user."""
        return json_response(
            200,
            {
                "id": 7_000_001,
                "first_name": "Sim",
                "last_name": "User",
                "payment_methods": self._payment_methods(),
            },
        )

    @property
    def modern(self) -> bool:
        """Answers in the 2026 shapes (``shapes = "2026"``, the default)."""
        return self.scenario.shapes == "2026"

    async def find(self, request: Request) -> Response:
        """GET /4/find (query) or POST (JSON body): slots of the venue and day.

        Empty before release. 2026 shapes: days released earlier show their slots
        too, each with ``market.date.on``; a wrong user token is refused (419), and
        ``signed_in_only`` venues show slots only to signed-in users.
        """
        if request.method not in self.venue.find_methods:
            if self.modern:
                return error_response(405, "Method Not Allowed")
            return error_response(500, "Internal Server Error")
        q: Any = request.query if request.method == "GET" else request.json()
        try:
            float(q["lat"])
            float(q["long"])
            day = date.fromisoformat(str(q["day"])).isoformat()
            party_size = int(q["party_size"])
            venue_id = int(q["venue_id"])
        except (KeyError, ValueError, TypeError):
            return error_response(400, "Bad Request")
        if party_size < 1:
            return error_response(400, "Bad Request")
        token = request.header("x-resy-auth-token")
        signed_in = token is not None and self.account.accepts(token)
        if token is not None and self.modern and not signed_in:
            return error_response(419, "Unauthorized")
        here = venue_id == self.venue.id or venue_id in self.venue.sisters
        name = self.venue.name if here else ""
        slots: list[dict[str, Any]] = []
        stock = self.world.inventory_at(venue_id, day)
        if here and (signed_in or not self.venue.signed_in_only):
            if stock is not None:
                slots = [self._slot(s, day, venue_id) for s in stock.visible(party_size)]
            elif self.modern and self._released_before(day):
                slots = [self._slot(s, day, venue_id) for s in self._earlier_stock(party_size)]
        inner: dict[str, Any] = {"id": {"resy": venue_id}, "name": name}
        if self.modern and here:
            inner["location"] = {"time_zone": self.venue.time_zone}
        venue = {"venue": inner, "slots": slots}
        if self.modern:
            venue["templates"] = {}
            venue["notifies"] = []
        return json_response(
            200,
            {"query": {"day": day, "party_size": party_size}, "results": {"venues": [venue]}},
        )

    def _on_sale(self, day: str) -> float:
        """When ``day`` went (or goes) on sale: the current drop's local time, as many days earlier."""
        zone = ZoneInfo(self.venue.time_zone)
        release = datetime.fromtimestamp(self.world.release_at, zone)
        back = date.fromisoformat(self.world.day) - date.fromisoformat(day)
        opening = datetime.combine(release.date() - back, release.timetz().replace(tzinfo=None))
        return opening.replace(tzinfo=zone).timestamp()

    def _released_before(self, day: str) -> bool:
        """A day before the current drop's, inside the booking window, already on sale.

        Days that were drops of this run show only what their drop left (nothing here).
        """
        if any(d.day == day for d in self.world.ledger.drops):
            return False
        try:
            back = (date.fromisoformat(self.world.day) - date.fromisoformat(day)).days
        except ValueError:
            return False
        return 0 < back <= self.venue.lead_time_in_days and (
            self._on_sale(day) <= self.world.clock.now()
        )

    def _earlier_stock(self, party_size: int) -> list[Stock]:
        """A day released earlier: the scenario's tables, as the day opened (not bookable)."""
        stock = Inventory(self.scenario.slots, "", 0.0, self.world.clock).stock
        return [s for s in stock if s.quantity > 0 and s.seats(party_size)]

    def last_released_day(self) -> str:
        """``calendar_date_to``: the current drop's day once released, else the day before."""
        if self.world.clock.now() >= self.world.release_at:
            return self.world.day
        return (date.fromisoformat(self.world.day) - timedelta(days=1)).isoformat()

    def _slot(self, stock: Stock, day: str, venue_id: int) -> dict[str, Any]:
        start = datetime.fromisoformat(f"{day}T{stock.time}")
        end = start + timedelta(minutes=SLOT_MINUTES)
        shaped = {
            "config": {
                "id": stock.config_id,
                "token": slot_token(venue_id, day, stock),
                "type": stock.table_type,
            },
            "date": {"start": f"{day} {stock.time}", "end": end.strftime("%Y-%m-%d %H:%M:%S")},
            "size": {"min": stock.party_min, "max": stock.party_max},
            "quantity": stock.quantity,
            "payment": {"is_paid": False, "deposit_fee": None},
        }
        if self.modern:
            on = self._on_sale(day)
            off = start.replace(tzinfo=ZoneInfo(self.venue.time_zone)).timestamp()
            shaped["market"] = {"date": {"on": int(on), "off": int(off)}}
            shaped["template"] = {"id": stock.config_id}
            shaped["shift"] = {"service": {"type": {"id": 2}}, "day": day}
        return shaped

    async def details(self, request: Request) -> Response:
        """POST /3/details (JSON): a book token, even for a slot already gone."""
        body = request.json()
        if not isinstance(body, dict):
            return error_response(400, "Bad Request")
        token, day, party_size = body.get("config_id"), body.get("day"), body.get("party_size")
        if isinstance(party_size, str) and party_size.isdigit():
            party_size = int(party_size)
        if not isinstance(token, str) or not isinstance(day, str):
            return error_response(400, "Bad Request")
        if not isinstance(party_size, int) or isinstance(party_size, bool) or party_size < 1:
            return error_response(400, "Bad Request")
        m = _SLOT_TOKEN.match(token)
        if m is None:
            return error_response(400, "Bad Request")
        venue_id = int(m.group(1))
        inventory = self.world.inventory_at(venue_id, day)
        stock = inventory.find(int(m.group(2))) if inventory is not None else None
        if stock is None or token != slot_token(venue_id, day, stock):
            return error_response(404, "Not Found")
        if not stock.seats(party_size):
            return error_response(400, "Bad Request")
        value = secrets.token_urlsafe(48)
        expires_at = request.t + self.scenario.release.book_token_ttl_s
        self.book_tokens[value] = BookToken(stock, party_size, expires_at, venue_id, day)
        return json_response(
            200,
            {
                "book_token": {"value": value, "date_expires": rfc3339(expires_at)},
                "user": {"payment_methods": self._payment_methods()},
            },
        )

    async def book(self, request: Request) -> Response:
        """POST /3/book (form): 201 with the reservation, or 402/412 as the real service."""
        form = request.form()
        if form is None or not form.get("book_token"):
            return error_response(400, "Bad Request")
        try:
            payment = orjson.loads(form["struct_payment_method"])
            payment_id = payment["id"]
        except (KeyError, TypeError, orjson.JSONDecodeError):
            return error_response(400, "Bad Request")
        pm = self.scenario.auth.payment_method_id
        if pm == 0 or str(payment_id) != str(pm):
            return error_response(402, "Payment method required")
        now = self.world.clock.now()
        ticket = self.book_tokens.get(form["book_token"])
        if ticket is None or ticket.expires_at <= now:
            return error_response(412, "Book token is invalid or has expired")
        stock = ticket.stock
        if stock.quantity <= 0:
            return error_response(412, "Sorry, this reservation is no longer available")
        day = ticket.day or self.world.day
        if not self.scenario.release.allow_multiple and self._holds_day(day):
            return error_response(412, "You already have a reservation for this day")
        self.world.inventory.take(stock)
        del self.book_tokens[form["book_token"]]
        venue_id = ticket.venue_id or self.venue.id
        booking = self.world.ledger.book(
            now,
            "booker",
            time=stock.time,
            table_type=stock.table_type,
            day=day,
            party_size=ticket.party_size,
            venue_id=venue_id if self.venue.sisters else None,
        )
        resy_token = f"rr://{secrets.token_hex(24)}"
        self.held[resy_token] = Held(booking, stock, resy_token, venue_id)
        return json_response(
            201, {"resy_token": resy_token, "reservation_id": booking.reservation_id}
        )

    def _holds_day(self, day: str) -> bool:
        return any(h.booking.active and h.booking.day == day for h in self.held.values())

    async def cancel(self, request: Request) -> Response:
        """POST /3/cancel (form): 200, or 404 for an unknown or cancelled reservation."""
        form = request.form()
        if form is None or not form.get("resy_token"):
            return error_response(400, "Bad Request")
        held = self.held.get(form["resy_token"])
        if held is None or not held.booking.active:
            return error_response(404, "Not Found")
        self.world.ledger.cancel(self.world.clock.now(), held.booking)
        if held.stock.config_id:  # by-hand reservations hold no stock
            self.world.inventory.give_back(held.stock)
        return json_response(
            200,
            {
                "payment": {},
                "status": "cancelled",
                "reservation_id": held.booking.reservation_id,
            },
        )

    async def reservations(self, request: Request) -> Response:
        """GET /3/user/reservations: the user's reservations, oldest first.

        2026 shapes: without ``type=upcoming`` cancelled ones (history) are listed
        too, and one page holds ``limit`` (default 10) from the 1-based ``offset``.
        """
        upcoming = not self.modern or request.query.get("type") == "upcoming"
        items = [
            {
                "reservation_id": h.booking.reservation_id,
                "resy_token": h.resy_token,
                "day": h.booking.day,
                "time_slot": h.booking.time,
                "num_seats": h.booking.party_size,
                "venue": {"id": h.venue_id or self.venue.id, "name": self.venue.name},
                "config": {"type": h.booking.table_type},
                "status": {"finished": 0, "cancelled": 0 if h.booking.active else 1},
            }
            for h in self.held.values()
            if h.booking.active or not upcoming
        ]
        if self.modern:
            try:
                limit = int(request.query.get("limit", RESERVATIONS_PAGE))
                offset = int(request.query.get("offset", 1))
            except ValueError:
                return error_response(400, "Bad Request")
            if limit < 1 or offset < 1:
                return error_response(400, "Bad Request")
            items = items[offset - 1 : offset - 1 + limit]
        return json_response(200, {"reservations": items})

    async def venue_info(self, request: Request) -> Response:
        """GET /3/venue?id=V, or ?url_slug=S&location=L as the web app looks a venue up."""
        if "url_slug" in request.query:
            slug, location = request.query["url_slug"], request.query.get("location", "")
            if (slug.lower(), location.lower()) != (self.venue.url_slug, self.venue.location):
                return error_response(404, "Not Found")
        elif request.query.get("id") != str(self.venue.id):
            return error_response(404, "Not Found")
        document: dict[str, Any] = {
            "id": {"resy": self.venue.id},
            "name": self.venue.name,
            "content": [{"name": "need_to_know", "body": self.venue.content}],
        }
        if self.modern:
            zone = LEGACY_ZONES.get(self.venue.time_zone, self.venue.time_zone)
            document["locale"] = {"currency": "USD"}
            if self.venue.zone_in_venue:
                document["locale"]["time_zone"] = zone
            document["location"] = {"latitude": 40.7281, "longitude": -74.0001, "city": "Sim"}
        else:
            document["location"] = {"time_zone": self.venue.time_zone}
        return json_response(200, document)

    async def config(self, request: Request) -> Response:
        """GET /2/config?venue_id=V."""
        if request.query.get("venue_id") != str(self.venue.id):
            return error_response(404, "Not Found")
        document: dict[str, Any] = {"lead_time_in_days": self.venue.lead_time_in_days}
        if self.modern and self.venue.calendar_in_config:
            document["calendar_date_to"] = self.last_released_day()
        return json_response(200, document)

    async def calendar(self, request: Request) -> Response:
        """GET /4/venue/calendar (2026 shapes): the last released day and each day's state."""
        q = request.query
        if not self.modern:
            return error_response(404, "Not Found")
        if q.get("venue_id") != str(self.venue.id):
            return error_response(404, "Not Found")
        try:
            start = date.fromisoformat(q["start_date"])
            end = date.fromisoformat(q["end_date"])
            int(q["num_seats"])
        except (KeyError, ValueError):
            return error_response(400, "Bad Request")
        last = date.fromisoformat(self.last_released_day())
        scheduled = []
        day = start
        while day <= min(end, last):
            state = "available"
            if day.isoformat() == self.world.day and not self.world.inventory.visible(1):
                state = "sold-out"
            scheduled.append({"date": day.isoformat(), "inventory": {"reservation": state}})
            day += timedelta(days=1)
        return json_response(200, {"last_calendar_day": last.isoformat(), "scheduled": scheduled})
