"""Scenario files: TOML parsing, validation and the built-in default."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from booker.sim.cart_scenario import CartSpec, parse_cart
from booker.sim.clock import DATE_LIES, DateLie
from booker.sim.network import Network
from booker.sim.toml_table import (
    ScenarioError,
    Table,
    parse_day,
    parse_offset,
    parse_release_at,
    parse_time,
)

__all__ = [
    "DEFAULT_API_KEY",
    "Auth",
    "Fault",
    "RateLimit",
    "Release",
    "RivalSpec",
    "Scenario",
    "ScenarioError",
    "SlotSpec",
    "Venue",
    "load_scenario",
    "parse_scenario",
]

PROVIDERS = ("resy", "cart")
SHAPES = ("2026", "legacy")  # answers as public clients see them today, or as first written
FIND_METHODS = ("GET", "POST")
FAULT_KINDS = ("status", "drop", "slow", "malformed", "oversized", "endless")
# kind=oversized: a 200 whose body (Content-Length declared) is this big; kind=endless never ends
DEFAULT_OVERSIZED_MB = 300.0
# "truncated" and the last four run the real endpoint first (a booking made is kept), then
# spoil its 2xx answer: cut in half, ids left out, ids null, only `resy_token`, or an
# error payload served with 200. Non-2xx answers pass through untouched.
MALFORMED_BODIES = (
    "html",
    "truncated",
    "wrong_types",
    "no_ids",
    "null_ids",
    "token_only",
    "error_200",
)
DEFAULT_API_KEY = "SIMAPIKEY".ljust(32, "0")
# A JWT like the service's (expires 2100-01-01), so booker can read its expiry as for a real one.
DEFAULT_AUTH_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiI3MDAwMDAxIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2ltdWxhdGVk"
)
SIGN_IN_PATHS = ("/4/auth/password", "/3/auth/password")

DEFAULT_TABLE_TYPES = ("Dining Room", "Bar")


@dataclass(frozen=True, slots=True)
class Venue:
    """The simulated venue."""

    id: int = 60029
    name: str = "Carbone (simulated)"
    time_zone: str = "America/New_York"
    lead_time_in_days: int = 30
    content: str = "Reservations open 30 days in advance at 10:00 AM"
    url_slug: str = "carbone"  # /3/venue?url_slug=...&location=... (resy.com/cities/ny/carbone)
    location: str = "ny"
    find_methods: tuple[str, ...] = FIND_METHODS  # others answer 405 (legacy: 500)
    signed_in_only: bool = False  # /4/find shows slots only with the user's token
    zone_in_venue: bool = True  # 2026: False leaves /3/venue without locale.time_zone
    calendar_in_config: bool = True  # 2026: False leaves calendar_date_to out of /2/config
    sisters: tuple[int, ...] = ()  # more venue ids: the same tables, released at once, own stock


@dataclass(frozen=True, slots=True)
class Release:
    """When and what opens: `at_offset_s` (from start) xor `at_epoch`; `day_offset` xor `day`."""

    at_offset_s: float | None = 3.0
    at_epoch: float | None = None
    day_offset: int | None = 30
    day: date | None = None
    book_token_ttl_s: float = 300.0
    allow_multiple: bool = False
    more_days: int = 0  # the days after the drop's day that open with it, each its own stock


@dataclass(frozen=True, slots=True)
class SlotSpec:
    """One release time with `quantity` tables of each type."""

    time: str  # HH:MM:SS, venue local time
    table_types: tuple[str, ...] = DEFAULT_TABLE_TYPES
    quantity: int = 1
    party_min: int = 1
    party_max: int = 4


@dataclass(frozen=True, slots=True)
class RivalSpec:
    """A group of competing bookers with lognormal reaction delays."""

    count: int = 4
    delay_median_ms: float = 300.0
    delay_sigma: float = 0.5
    prefer: tuple[str, ...] = ()  # HH:MM:SS (cart: site ids) in order of preference; empty: any


@dataclass(frozen=True, slots=True)
class Auth:
    """Credentials the sim accepts; `payment_method_id` 0 means no card on file."""

    api_key: str = DEFAULT_API_KEY
    auth_token: str = DEFAULT_AUTH_TOKEN
    payment_method_id: int = 123456
    email: str = "sim@example.com"  # sign-in (/4/auth/password) with these two
    password: str = "sim-password"
    refresh_token: str = "sim-refresh-token"  # POST /3/auth/refresh renews with it
    token_ttl_s: float = 45 * 86400.0  # lifetime of the JWTs sign-in and refresh hand out
    sign_in: tuple[str, ...] = ("/4/auth/password",)  # paths that exist ("/3/auth/password")


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Per-client token bucket."""

    rate_per_s: float
    burst: int
    retry_after_s: int = 0  # sent as Retry-After on the 429 when > 0


@dataclass(frozen=True, slots=True)
class Fault:
    """A scripted fault active in [release+start_s, release+end_s) (None = unbounded)."""

    kind: str
    status: int = 0
    start_s: float | None = None
    end_s: float | None = None
    paths: tuple[str, ...] = ()  # empty means every API path
    probability: float = 1.0
    delay_ms: float = 0.0
    body: str = "html"
    statuses: tuple[
        int, ...
    ] = ()  # kind=slow: delay only answers with these statuses, after the app ran
    size_mb: float = DEFAULT_OVERSIZED_MB  # kind=oversized: the body's size in MiB
    retry_after: str = ""  # kind=status: sent as the Retry-After header
    html: bool = False  # kind=status: the body is the firewall's HTML page, not JSON
    times: int = 0  # apply to at most this many requests (0: no limit)


DEFAULT_RIVALS: tuple[RivalSpec, ...] = (RivalSpec(),)
DEFAULT_SLOTS = tuple(SlotSpec(t) for t in ("18:30:00", "19:00:00", "19:30:00", "20:00:00"))


@dataclass(frozen=True, slots=True)
class Scenario:
    """A complete, validated scenario."""

    provider: str = "resy"
    clock_skew_s: float = 0.0
    seed: int | None = None
    venue: Venue = Venue()
    release: Release = Release()
    slots: tuple[SlotSpec, ...] = DEFAULT_SLOTS
    rivals: tuple[RivalSpec, ...] = DEFAULT_RIVALS
    auth: Auth = Auth()
    rate_limit: RateLimit | None = None
    faults: tuple[Fault, ...] = ()
    cart: CartSpec | None = None  # set exactly when provider == "cart"
    date_lie: DateLie = field(default_factory=DateLie)  # [date_header]: Date headers that lie
    network: Network = field(default_factory=Network)  # [network]: an emulated internet link
    shapes: str = "2026"  # "legacy": the answers docs/API-NOTES.md first described

    def release_at(self, started_at: float) -> float:
        """The release instant on the sim clock, given the sim-clock start time."""
        if self.release.at_epoch is not None:
            return self.release.at_epoch
        return started_at + (self.release.at_offset_s or 0.0)

    def bookable_day(self, now: float) -> date:
        """The day that opens (cart: the arrival date), resolved at sim time `now`."""
        if self.cart is not None:
            return self.cart.campground.arrival(now)
        if self.release.day is not None:
            return self.release.day
        today = datetime.fromtimestamp(now, ZoneInfo(self.venue.time_zone)).date()
        return today + timedelta(days=self.release.day_offset or 0)


def load_scenario(path: Path | None) -> Scenario:
    """Read and validate a scenario file, or return the default when `path` is None."""
    if path is None:
        return Scenario()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"scenario {path} is not valid TOML: {exc}") from None
    return parse_scenario(data)


def parse_scenario(data: dict[str, Any]) -> Scenario:
    """Build a Scenario from decoded TOML, rejecting unknown keys and bad values."""
    top = Table(data, "scenario")
    provider = top.get("provider", str, "resy")
    if provider not in PROVIDERS:
        raise ScenarioError(f"provider must be one of {', '.join(PROVIDERS)}, not {provider!r}")
    skew = top.get("clock_skew_s", float, 0.0)
    seed = top.get("seed", int, None)
    shapes = top.get("shapes", str, "2026")
    if shapes not in SHAPES:
        raise ScenarioError(f"shapes must be one of {', '.join(SHAPES)}, not {shapes!r}")
    if provider == "cart":
        return replace(_cart_scenario(top, skew, seed), shapes=shapes)
    venue = _venue(top.table("venue"), shapes)
    release = _release(top.table("release"))
    slots = DEFAULT_SLOTS
    if top.has("slots"):
        slots = tuple(_slot(t) for t in top.tables("slots"))
    rivals = DEFAULT_RIVALS
    if top.has("rivals"):
        rivals = tuple(_rival(t, parse_time) for t in top.tables("rivals"))
    auth = _auth(top.table("auth"))
    rate_limit = _rate_limit(top.table("rate_limit")) if top.has("rate_limit") else None
    faults = tuple(_fault(t) for t in top.tables("faults")) if top.has("faults") else ()
    date_lie = _date_lie(top.table("date_header"))
    network = _network(top.table("network"))
    top.done()
    if not slots:
        raise ScenarioError("scenario needs at least one [[slots]] entry")
    times = {s.time for s in slots}
    for rival in rivals:
        missing = [t for t in rival.prefer if t not in times]
        if missing:
            raise ScenarioError(f"rivals.prefer names times with no slot: {', '.join(missing)}")
    return Scenario(
        provider,
        skew,
        seed,
        venue,
        release,
        slots,
        rivals,
        auth,
        rate_limit,
        faults,
        date_lie=date_lie,
        network=network,
        shapes=shapes,
    )


def _cart_scenario(top: Table, skew: float, seed: int | None) -> Scenario:
    """The `provider = "cart"` keys: release.at, [campground], [auth], [cart], rivals by site."""
    release_table = top.table("release")
    at_offset_s, at_epoch = parse_release_at(release_table, Release().at_offset_s)
    cart = parse_cart(top, release_table)
    release_table.done()
    rivals = DEFAULT_RIVALS
    if top.has("rivals"):
        rivals = tuple(_rival(t, _prefer_site) for t in top.tables("rivals"))
    rate_limit = _rate_limit(top.table("rate_limit")) if top.has("rate_limit") else None
    faults = tuple(_fault(t) for t in top.tables("faults")) if top.has("faults") else ()
    date_lie = _date_lie(top.table("date_header"))
    network = _network(top.table("network"))
    top.done()
    sites = set(cart.campground.sites)
    for rival in rivals:
        missing = [p for p in rival.prefer if p not in sites]
        if missing:
            raise ScenarioError(f"rivals.prefer names unknown sites: {', '.join(missing)}")
    release = Release(at_offset_s, at_epoch)
    return Scenario(
        "cart",
        skew,
        seed,
        release=release,
        rivals=rivals,
        rate_limit=rate_limit,
        faults=faults,
        cart=cart,
        date_lie=date_lie,
        network=network,
    )


def _venue(t: Table, shapes: str = "2026") -> Venue:
    d = Venue()
    methods = FIND_METHODS if shapes == "2026" else ("GET",)
    venue = Venue(
        t.get("id", int, d.id),
        t.get("name", str, d.name),
        t.get("time_zone", str, d.time_zone),
        t.get("lead_time_in_days", int, d.lead_time_in_days),
        t.get("content", str, d.content),
        find_methods=tuple(m.upper() for m in t.strings("find_methods", methods)),
        signed_in_only=t.get("signed_in_only", bool, d.signed_in_only),
        zone_in_venue=t.get("zone_in_venue", bool, d.zone_in_venue),
        calendar_in_config=t.get("calendar_in_config", bool, d.calendar_in_config),
        url_slug=t.get("url_slug", str, d.url_slug),
        location=t.get("location", str, d.location),
        sisters=tuple(t.get("sisters", list, [])),
    )
    t.done()
    t.check(
        all(type(v) is int and v > 0 and v != venue.id for v in venue.sisters)
        and len(set(venue.sisters)) == len(venue.sisters),
        "sisters",
        "must list other positive venue ids, once each",
    )
    t.check(venue.id > 0, "id", "must be positive")
    t.check(
        bool(venue.find_methods) and all(m in FIND_METHODS for m in venue.find_methods),
        "find_methods",
        "must list GET and/or POST",
    )
    t.check_zone("time_zone", venue.time_zone)
    return venue


def _release(t: Table) -> Release:
    d = Release()
    at_offset_s, at_epoch = parse_release_at(t, d.at_offset_s)
    day_offset, day = d.day_offset, d.day
    if t.raw("day") is not None:
        day_offset, day = parse_day(t.raw("day"), "release.day")
    ttl = t.get("book_token_ttl_s", float, d.book_token_ttl_s)
    t.check(ttl > 0, "book_token_ttl_s", "must be positive")
    allow = t.get("allow_multiple", bool, d.allow_multiple)
    more_days = t.get("more_days", int, d.more_days)
    t.done()
    t.check(0 <= more_days <= 30, "more_days", "must be 0-30")
    return Release(at_offset_s, at_epoch, day_offset, day, ttl, allow, more_days)


def _slot(t: Table) -> SlotSpec:
    time = parse_time(t.get("time", str, ""), f"{t.where}.time")
    types = t.strings("table_types", DEFAULT_TABLE_TYPES)
    quantity = t.get("quantity", int, 1)
    pmin = t.get("party_min", int, 1)
    pmax = t.get("party_max", int, 4)
    t.done()
    t.check(bool(types), "table_types", "must not be empty")
    for name in types:
        t.check(bool(name) and "/" not in name, "table_types", "entries must be non-empty, no '/'")
    t.check(len(set(types)) == len(types), "table_types", "must not repeat")
    t.check(quantity >= 0, "quantity", "must be >= 0")
    t.check(1 <= pmin <= pmax, "party_min", "must satisfy 1 <= party_min <= party_max")
    return SlotSpec(time, types, quantity, pmin, pmax)


def _prefer_site(text: str, where: str) -> str:
    if not text:
        raise ScenarioError(f"{where} entries must be non-empty site ids")
    return text


def _rival(t: Table, prefer_item: Callable[[str, str], str]) -> RivalSpec:
    count = t.get("count", int, 1)
    median = t.get("delay_median_ms", float, 300.0)
    sigma = t.get("delay_sigma", float, 0.5)
    prefer = tuple(prefer_item(p, f"{t.where}.prefer") for p in t.strings("prefer", ()))
    t.done()
    t.check(count >= 0, "count", "must be >= 0")
    t.check(median > 0, "delay_median_ms", "must be positive")
    t.check(sigma >= 0, "delay_sigma", "must be >= 0")
    return RivalSpec(count, median, sigma, prefer)


def _auth(t: Table) -> Auth:
    d = Auth()
    auth = Auth(
        t.get("api_key", str, d.api_key),
        t.get("auth_token", str, d.auth_token),
        t.get("payment_method_id", int, d.payment_method_id),
        email=t.get("email", str, d.email),
        password=t.get("password", str, d.password),
        refresh_token=t.get("refresh_token", str, d.refresh_token),
        token_ttl_s=t.get("token_ttl_s", float, d.token_ttl_s),
        sign_in=tuple(t.strings("sign_in", d.sign_in)),
    )
    t.done()
    t.check(auth.token_ttl_s > 0, "token_ttl_s", "must be positive")
    t.check(
        all(p in SIGN_IN_PATHS for p in auth.sign_in),
        "sign_in",
        f"must list paths among {', '.join(SIGN_IN_PATHS)}",
    )
    t.check(bool(auth.api_key) and '"' not in auth.api_key, "api_key", "must be non-empty")
    t.check(bool(auth.auth_token), "auth_token", "must be non-empty")
    t.check(auth.payment_method_id >= 0, "payment_method_id", "must be >= 0")
    return auth


def _rate_limit(t: Table) -> RateLimit:
    rate = t.get("rate_per_s", float, 20.0)
    burst = t.get("burst", int, 10)
    retry_after = t.get("retry_after_s", int, 0)
    t.done()
    t.check(rate > 0, "rate_per_s", "must be positive")
    t.check(burst >= 1, "burst", "must be >= 1")
    t.check(retry_after >= 0, "retry_after_s", "must be >= 0")
    return RateLimit(rate, burst, retry_after)


def _date_lie(t: Table) -> DateLie:
    """``[date_header]``: ``lie`` is none, fixed (``epoch``), offset (``offset_s``) or jumping."""
    d = DateLie()
    lie = DateLie(
        t.get("lie", str, d.kind),
        t.get("epoch", float, d.epoch),
        t.get("offset_s", float, d.offset_s),
        t.get("jump_s", float, d.jump_s),
    )
    t.done()
    t.check(lie.kind in DATE_LIES, "lie", f"must be one of {', '.join(DATE_LIES)}")
    t.check(lie.epoch >= 0, "epoch", "must not be negative")
    return lie


def _network(t: Table) -> Network:
    """``[network]``: ``rtt_ms``, ``jitter_ms`` (each way), ``handshake_rtts`` (new connections)."""
    d = Network()
    network = Network(
        t.get("rtt_ms", float, d.rtt_ms),
        t.get("jitter_ms", float, d.jitter_ms),
        t.get("handshake_rtts", int, d.handshake_rtts),
    )
    t.done()
    t.check(0 <= network.rtt_ms <= 10_000, "rtt_ms", "must be between 0 and 10000")
    t.check(0 <= network.jitter_ms <= 10_000, "jitter_ms", "must be between 0 and 10000")
    t.check(0 <= network.handshake_rtts <= 10, "handshake_rtts", "must be between 0 and 10")
    return network


def _fault(t: Table) -> Fault:
    kind = t.get("kind", str, "")
    t.check(kind in FAULT_KINDS, "kind", f"must be one of {', '.join(FAULT_KINDS)}")
    status = t.get("status", int, 0)
    start = _maybe(t.get("start", str, ""), lambda s: parse_offset(s, f"{t.where}.start"))
    end = _maybe(t.get("end", str, ""), lambda s: parse_offset(s, f"{t.where}.end"))
    paths = t.strings("paths", ())
    probability = t.get("probability", float, 1.0)
    delay_ms = t.get("delay_ms", float, 0.0)
    body = t.get("body", str, "html")
    raw_statuses = t.get("statuses", list, [])
    t.check(
        all(isinstance(v, int) and not isinstance(v, bool) for v in raw_statuses),
        "statuses",
        "must be a list of HTTP statuses",
    )
    statuses = tuple(int(v) for v in raw_statuses)
    size_mb = t.get("size_mb", float, DEFAULT_OVERSIZED_MB)
    retry_after = t.get("retry_after", str, "")
    html = t.get("html", bool, False)
    times = t.get("times", int, 0)
    t.done()
    t.check(
        not (retry_after or html) or kind == "status", "retry_after", "only applies to kind=status"
    )
    t.check(times >= 0, "times", "must be >= 0")
    if kind == "status":
        t.check(100 <= status <= 599, "status", "must be an HTTP status for kind=status")
    if kind == "slow":
        t.check(delay_ms > 0, "delay_ms", "must be positive for kind=slow")
    t.check(body in MALFORMED_BODIES, "body", f"must be one of {', '.join(MALFORMED_BODIES)}")
    t.check(0.0 <= probability <= 1.0, "probability", "must be within 0..1")
    t.check(all(p.startswith("/") for p in paths), "paths", "entries must start with '/'")
    if start is not None and end is not None:
        t.check(start < end, "end", "must be after start")
    t.check(all(100 <= v <= 599 for v in statuses), "statuses", "must be HTTP statuses")
    t.check(not statuses or kind == "slow", "statuses", "only applies to kind=slow")
    t.check(0 < size_mb <= 1024 * 1024, "size_mb", "must be within 0..1048576 (1 TiB)")
    return Fault(
        kind,
        status,
        start,
        end,
        paths,
        probability,
        delay_ms,
        body,
        statuses,
        retry_after=retry_after,
        html=html,
        size_mb=size_mb,
        times=times,
    )


def _maybe(text: str, parse: Callable[[str], float]) -> float | None:
    return parse(text) if text else None
