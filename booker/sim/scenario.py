"""Scenario files: TOML parsing, validation and the built-in default."""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROVIDERS = ("resy",)
FAULT_KINDS = ("status", "drop", "slow", "malformed")
MALFORMED_BODIES = ("html", "truncated", "wrong_types")
DEFAULT_API_KEY = "SIMAPIKEY".ljust(32, "0")

_OFFSET = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(ms|s|m)$")
_DAY_OFFSET = re.compile(r"^\+(\d+)d$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0}
DEFAULT_TABLE_TYPES = ("Dining Room", "Bar")

T = TypeVar("T")


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Venue:
    """The simulated venue."""

    id: int = 60029
    name: str = "Carbone (simulated)"
    time_zone: str = "America/New_York"
    lead_time_in_days: int = 30
    content: str = "Reservations open 30 days in advance at 10:00 AM"


@dataclass(frozen=True, slots=True)
class Release:
    """When and what opens: `at_offset_s` (from start) xor `at_epoch`; `day_offset` xor `day`."""

    at_offset_s: float | None = 3.0
    at_epoch: float | None = None
    day_offset: int | None = 30
    day: date | None = None
    book_token_ttl_s: float = 300.0
    allow_multiple: bool = False


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
    prefer: tuple[str, ...] = ()  # HH:MM:SS in order of preference; empty means any


@dataclass(frozen=True, slots=True)
class Auth:
    """Credentials the sim accepts; `payment_method_id` 0 means no card on file."""

    api_key: str = DEFAULT_API_KEY
    auth_token: str = "sim.jwt.token"
    payment_method_id: int = 123456


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Per-client token bucket."""

    rate_per_s: float
    burst: int


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

    def release_at(self, started_at: float) -> float:
        """The release instant on the sim clock, given the sim-clock start time."""
        if self.release.at_epoch is not None:
            return self.release.at_epoch
        return started_at + (self.release.at_offset_s or 0.0)

    def bookable_day(self, now: float) -> date:
        """The day that opens, resolved in the venue's zone at sim time `now`."""
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
    top = _Table(data, "scenario")
    provider = top.get("provider", str, "resy")
    if provider not in PROVIDERS:
        raise ScenarioError(f"provider must be one of {', '.join(PROVIDERS)}, not {provider!r}")
    skew = top.get("clock_skew_s", float, 0.0)
    seed = top.get("seed", int, None)
    venue = _venue(top.table("venue"))
    release = _release(top.table("release"))
    slots = DEFAULT_SLOTS
    if top.has("slots"):
        slots = tuple(_slot(t) for t in top.tables("slots"))
    rivals = DEFAULT_RIVALS
    if top.has("rivals"):
        rivals = tuple(_rival(t) for t in top.tables("rivals"))
    auth = _auth(top.table("auth"))
    rate_limit = _rate_limit(top.table("rate_limit")) if top.has("rate_limit") else None
    faults = tuple(_fault(t) for t in top.tables("faults")) if top.has("faults") else ()
    top.done()
    if not slots:
        raise ScenarioError("scenario needs at least one [[slots]] entry")
    times = {s.time for s in slots}
    for rival in rivals:
        missing = [t for t in rival.prefer if t not in times]
        if missing:
            raise ScenarioError(f"rivals.prefer names times with no slot: {', '.join(missing)}")
    return Scenario(provider, skew, seed, venue, release, slots, rivals, auth, rate_limit, faults)


class _Table:
    """Typed access to one TOML table that remembers which keys were used."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise ScenarioError(f"{where} must be a table")
        self.data: dict[str, Any] = data
        self.where = where
        self.used: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, kind: type[T], default: T) -> T:
        self.used.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ScenarioError(f"{self.where}.{key} must be {kind.__name__}, not {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(f"{self.where}.{key} must be finite")
        return value

    def raw(self, key: str) -> object:
        self.used.add(key)
        return self.data.get(key)

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.get(key, list, list(default))
        if not all(isinstance(v, str) for v in value):
            raise ScenarioError(f"{self.where}.{key} must be a list of strings")
        return tuple(value)

    def table(self, key: str) -> _Table:
        self.used.add(key)
        return _Table(self.data.get(key, {}), f"{self.where}.{key}")

    def tables(self, key: str) -> list[_Table]:
        self.used.add(key)
        items = self.data.get(key)
        if not isinstance(items, list):
            raise ScenarioError(f"{key} must be an array of tables ([[{key}]])")
        return [_Table(item, f"{key}[{i}]") for i, item in enumerate(items)]

    def check(self, ok: bool, key: str, what: str) -> None:
        if not ok:
            raise ScenarioError(f"{self.where}.{key} {what}")

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ScenarioError(f"unknown key {self.where}.{unknown[0]}")


def _venue(t: _Table) -> Venue:
    d = Venue()
    venue = Venue(
        t.get("id", int, d.id),
        t.get("name", str, d.name),
        t.get("time_zone", str, d.time_zone),
        t.get("lead_time_in_days", int, d.lead_time_in_days),
        t.get("content", str, d.content),
    )
    t.done()
    t.check(venue.id > 0, "id", "must be positive")
    try:
        ZoneInfo(venue.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScenarioError(f"venue.time_zone {venue.time_zone!r} is not a known zone") from None
    return venue


def _release(t: _Table) -> Release:
    d = Release()
    at = t.raw("at")
    at_offset_s, at_epoch = d.at_offset_s, d.at_epoch
    if isinstance(at, int | float) and not isinstance(at, bool):
        at_offset_s, at_epoch = None, float(at)
    elif isinstance(at, str):
        if _OFFSET.match(at):
            at_offset_s = parse_offset(at, "release.at")
        else:
            at_offset_s, at_epoch = None, _iso_instant(at)
    elif isinstance(at, datetime):
        at_offset_s, at_epoch = None, _aware(at, "release.at").timestamp()
    elif at is not None:
        raise ScenarioError(f"release.at must be '+Ns', an ISO 8601 instant or epoch, not {at!r}")
    day_value = t.raw("day")
    day_offset, day = d.day_offset, d.day
    if isinstance(day_value, date) and not isinstance(day_value, datetime):
        day_offset, day = None, day_value
    elif isinstance(day_value, str):
        m = _DAY_OFFSET.match(day_value)
        if m:
            day_offset = int(m.group(1))
        else:
            try:
                day_offset, day = None, date.fromisoformat(day_value)
            except ValueError:
                raise ScenarioError(
                    f"release.day must be 'YYYY-MM-DD' or '+Nd', not {day_value!r}"
                ) from None
    elif day_value is not None:
        raise ScenarioError(f"release.day must be 'YYYY-MM-DD' or '+Nd', not {day_value!r}")
    ttl = t.get("book_token_ttl_s", float, d.book_token_ttl_s)
    t.check(ttl > 0, "book_token_ttl_s", "must be positive")
    allow = t.get("allow_multiple", bool, d.allow_multiple)
    t.done()
    return Release(at_offset_s, at_epoch, day_offset, day, ttl, allow)


def _slot(t: _Table) -> SlotSpec:
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


def _rival(t: _Table) -> RivalSpec:
    count = t.get("count", int, 1)
    median = t.get("delay_median_ms", float, 300.0)
    sigma = t.get("delay_sigma", float, 0.5)
    prefer = tuple(parse_time(p, f"{t.where}.prefer") for p in t.strings("prefer", ()))
    t.done()
    t.check(count >= 0, "count", "must be >= 0")
    t.check(median > 0, "delay_median_ms", "must be positive")
    t.check(sigma >= 0, "delay_sigma", "must be >= 0")
    return RivalSpec(count, median, sigma, prefer)


def _auth(t: _Table) -> Auth:
    d = Auth()
    auth = Auth(
        t.get("api_key", str, d.api_key),
        t.get("auth_token", str, d.auth_token),
        t.get("payment_method_id", int, d.payment_method_id),
    )
    t.done()
    t.check(bool(auth.api_key) and '"' not in auth.api_key, "api_key", "must be non-empty")
    t.check(bool(auth.auth_token), "auth_token", "must be non-empty")
    t.check(auth.payment_method_id >= 0, "payment_method_id", "must be >= 0")
    return auth


def _rate_limit(t: _Table) -> RateLimit:
    rate = t.get("rate_per_s", float, 20.0)
    burst = t.get("burst", int, 10)
    t.done()
    t.check(rate > 0, "rate_per_s", "must be positive")
    t.check(burst >= 1, "burst", "must be >= 1")
    return RateLimit(rate, burst)


def _fault(t: _Table) -> Fault:
    kind = t.get("kind", str, "")
    t.check(kind in FAULT_KINDS, "kind", f"must be one of {', '.join(FAULT_KINDS)}")
    status = t.get("status", int, 0)
    start = _maybe(t.get("start", str, ""), lambda s: parse_offset(s, f"{t.where}.start"))
    end = _maybe(t.get("end", str, ""), lambda s: parse_offset(s, f"{t.where}.end"))
    paths = t.strings("paths", ())
    probability = t.get("probability", float, 1.0)
    delay_ms = t.get("delay_ms", float, 0.0)
    body = t.get("body", str, "html")
    t.done()
    if kind == "status":
        t.check(100 <= status <= 599, "status", "must be an HTTP status for kind=status")
    if kind == "slow":
        t.check(delay_ms > 0, "delay_ms", "must be positive for kind=slow")
    t.check(body in MALFORMED_BODIES, "body", f"must be one of {', '.join(MALFORMED_BODIES)}")
    t.check(0.0 <= probability <= 1.0, "probability", "must be within 0..1")
    t.check(all(p.startswith("/") for p in paths), "paths", "entries must start with '/'")
    if start is not None and end is not None:
        t.check(start < end, "end", "must be after start")
    return Fault(kind, status, start, end, paths, probability, delay_ms, body)


def _maybe(text: str, parse: Callable[[str], float]) -> float | None:
    return parse(text) if text else None


def parse_offset(text: str, where: str) -> float:
    """Parse '+3s', '-1s', '+250ms', '2m' into signed seconds."""
    m = _OFFSET.match(text.strip())
    if not m:
        raise ScenarioError(f"{where} must look like '+3s', '-1s' or '+250ms', not {text!r}")
    value = float(m.group(2)) * _UNIT_S[m.group(3)]
    return -value if m.group(1) == "-" else value


def parse_time(text: str, where: str) -> str:
    """Normalise 'HH:MM' or 'HH:MM:SS' to 'HH:MM:SS'."""
    m = _TIME.match(text)
    if not m:
        raise ScenarioError(f"{where} must be 'HH:MM' or 'HH:MM:SS', not {text!r}")
    return f"{m.group(1)}:{m.group(2)}:{m.group(3) or '00'}"


def _iso_instant(text: str) -> float:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ScenarioError(
            f"release.at must be '+Ns', an ISO 8601 instant or epoch, not {text!r}"
        ) from None
    return _aware(parsed, "release.at").timestamp()


def _aware(value: datetime, where: str) -> datetime:
    if value.tzinfo is None:
        raise ScenarioError(f"{where} needs a UTC offset (e.g. 2026-05-01T10:00:00-04:00)")
    return value
