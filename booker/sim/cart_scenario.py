"""The `provider = "cart"` part of a scenario: campground, cart credentials, pre-filled cart.

provider = "cart"                # also: clock_skew_s, seed, [rate_limit], [[faults]], [date_header]
[release]
at = "+3s"                       # as for Resy; default +3s
try_again_window = "10m"         # R6 instead of R1 this close to release
[campground]
contract_code = "NY"
facility_id = "140"
name = "Sim Lake State Park (simulated)"
sites = ["245719", "245720"]
arrival_date = "+30d"            # YYYY-MM-DD or +Nd (in time_zone): the date released
max_nights = 14
time_zone = "America/New_York"
[auth]
authorization = "<idToken>"      # header values expected verbatim
a1data = "<a1Data JSON>"
[[cart.items]]                   # already in the user's cart at start (any number)
site_id = "245720"               # required
arrival_date = "+30d"            # default: campground.arrival_date
units = 2                        # nights, default 1
contract_code = "NY"             # defaults: the campground's; another facility's item
facility_id = "140"              #   holds no campground inventory
[[rivals]]                       # count, delay_median_ms, delay_sigma, prefer = site ids
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from booker.sim.toml_table import Table, parse_day, parse_offset

DEFAULT_SITES = ("245719", "245720")
DEFAULT_AUTHORIZATION = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiJzaW0tY2FtcGVyIiwiaXNzIjoiYm9va2VyLXNpbSJ9.c2ltLXNpZ25hdHVyZQ"
)
DEFAULT_A1DATA = '{"sim":"a1data","user":"camper"}'


def _resolve(offset_days: int | None, day: date | None, now: float, time_zone: str) -> date:
    if day is not None:
        return day
    today = datetime.fromtimestamp(now, ZoneInfo(time_zone)).date()
    return today + timedelta(days=offset_days or 0)


@dataclass(frozen=True, slots=True)
class Campground:
    """What can be booked: `sites` of one facility, arriving on one date (`+Nd` or fixed)."""

    contract_code: str = "NY"
    facility_id: str = "140"
    name: str = "Sim Lake State Park (simulated)"
    sites: tuple[str, ...] = DEFAULT_SITES
    arrival_offset_days: int | None = 30
    arrival_day: date | None = None
    max_nights: int = 14
    time_zone: str = "America/New_York"

    def arrival(self, now: float) -> date:
        """The bookable arrival date, resolved in the campground's zone at sim time `now`."""
        return _resolve(self.arrival_offset_days, self.arrival_day, now, self.time_zone)


@dataclass(frozen=True, slots=True)
class CartAuth:
    """The two cookie values the API expects as `authorization` and `a1data` headers."""

    authorization: str = DEFAULT_AUTHORIZATION
    a1data: str = DEFAULT_A1DATA


@dataclass(frozen=True, slots=True)
class CartItemSpec:
    """An item already in the user's cart at start (`[[cart.items]]`)."""

    site_id: str
    contract_code: str
    facility_id: str
    arrival_offset_days: int | None
    arrival_day: date | None
    units: int = 1


@dataclass(frozen=True, slots=True)
class CartSpec:
    """Everything cart-specific; `try_again_window_s` is where R6 replaces R1 before release."""

    campground: Campground = Campground()
    auth: CartAuth = CartAuth()
    items: tuple[CartItemSpec, ...] = ()
    try_again_window_s: float = 600.0

    def item_arrival(self, item: CartItemSpec, now: float) -> date:
        """A pre-filled item's arrival date at sim time `now`."""
        zone = self.campground.time_zone
        return _resolve(item.arrival_offset_days, item.arrival_day, now, zone)


def parse_cart(top: Table, release: Table) -> CartSpec:
    """Read [campground], [auth], [cart] and release.try_again_window from a cart scenario."""
    window = parse_offset(release.get("try_again_window", str, "10m"), "release.try_again_window")
    release.check(window >= 0, "try_again_window", "must not be negative")
    campground = _campground(top.table("campground"))
    auth = _auth(top.table("auth"))
    cart = top.table("cart")
    items = tuple(_item(t, campground) for t in cart.tables("items")) if cart.has("items") else ()
    cart.done()
    return CartSpec(campground, auth, items, window)


def _campground(t: Table) -> Campground:
    d = Campground()
    offset, day = d.arrival_offset_days, d.arrival_day
    if t.has("arrival_date"):
        offset, day = parse_day(t.raw("arrival_date"), f"{t.where}.arrival_date")
    camp = Campground(
        t.get("contract_code", str, d.contract_code),
        t.get("facility_id", str, d.facility_id),
        t.get("name", str, d.name),
        t.strings("sites", d.sites),
        offset,
        day,
        t.get("max_nights", int, d.max_nights),
        t.get("time_zone", str, d.time_zone),
    )
    t.done()
    t.check(bool(camp.contract_code), "contract_code", "must be non-empty")
    t.check(bool(camp.facility_id), "facility_id", "must be non-empty")
    t.check(bool(camp.sites), "sites", "must not be empty")
    t.check(all(camp.sites), "sites", "entries must be non-empty")
    t.check(len(set(camp.sites)) == len(camp.sites), "sites", "must not repeat")
    t.check(camp.max_nights >= 1, "max_nights", "must be >= 1")
    t.check_zone("time_zone", camp.time_zone)
    return camp


def _auth(t: Table) -> CartAuth:
    d = CartAuth()
    auth = CartAuth(t.get("authorization", str, d.authorization), t.get("a1data", str, d.a1data))
    t.done()
    t.check(bool(auth.authorization.strip()), "authorization", "must be non-empty")
    t.check(bool(auth.a1data.strip()), "a1data", "must be non-empty")
    return auth


def _item(t: Table, camp: Campground) -> CartItemSpec:
    site_id = t.get("site_id", str, "")
    offset, day = camp.arrival_offset_days, camp.arrival_day
    if t.has("arrival_date"):
        offset, day = parse_day(t.raw("arrival_date"), f"{t.where}.arrival_date")
    item = CartItemSpec(
        site_id,
        t.get("contract_code", str, camp.contract_code),
        t.get("facility_id", str, camp.facility_id),
        offset,
        day,
        t.get("units", int, 1),
    )
    t.done()
    t.check(bool(site_id), "site_id", "is required")
    t.check(item.units >= 1, "units", "must be >= 1")
    return item
