"""When a day is released: a venue opens day D at a fixed local time, N days before D. Pure.

N comes from ``--days-ahead``, else the service itself (``market.date.on`` of a
slot on the last released day: when that day went on sale), else ``/2/config``
``lead_time_in_days``, else the venue's free text ("30 days in advance at 10:00
AM"). The service's own instant is preferred; ``lead_time_in_days`` may be off
by one from the venue's own text, so every source that disagrees is kept as a
further candidate. The time of day comes from ``--time``, else the service, else
the text, else 10:00 (flagged as assumed).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from booker.core.exceptions import UsageError

ASSUMED_TIME = dt.time(10, 0)

_DAYS = re.compile(r"\b(\d{1,3})\s*(?:-\s*)?(days?|weeks?)\b", re.IGNORECASE)
_TIME_12H = re.compile(r"\b(1[0-2]|0?[1-9])(?::([0-5]\d))?\s*([ap])\.?\s*m\b\.?", re.IGNORECASE)
_TIME_24H = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
_NOON = re.compile(r"\bnoon\b", re.IGNORECASE)
_MIDNIGHT = re.compile(r"\bmidnight\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RuleText:
    """What a venue's free-text release rule says (None where it says nothing)."""

    days: int | None = None
    time: dt.time | None = None


def parse_rule(text: str) -> RuleText:
    """``"Reservations open 30 days in advance at 10:00 AM"`` -> ``RuleText(30, 10:00)``."""
    days = None
    match = _DAYS.search(text)
    if match:
        days = int(match.group(1)) * (7 if match.group(2).lower().startswith("week") else 1)
    return RuleText(days, _parse_time_of_day(text))


def _parse_time_of_day(text: str) -> dt.time | None:
    twelve = _TIME_12H.search(text)
    if twelve:
        hour = int(twelve.group(1)) % 12 + (12 if twelve.group(3).lower() == "p" else 0)
        return dt.time(hour, int(twelve.group(2) or 0))
    twenty_four = _TIME_24H.search(text)
    if twenty_four:
        return dt.time(int(twenty_four.group(1)), int(twenty_four.group(2)))
    if _NOON.search(text):
        return dt.time(12, 0)
    if _MIDNIGHT.search(text):
        return dt.time(0, 0)
    return None


def parse_clock(text: str) -> dt.time:
    """``--time`` as ``HH:MM``; UsageError otherwise."""
    match = re.fullmatch(r"\s*([01]?\d|2[0-3]):([0-5]\d)\s*", text)
    if not match:
        raise UsageError(f"--time must be HH:MM (24-hour), got {text!r}")
    return dt.time(int(match.group(1)), int(match.group(2)))


def zone(name: str, what: str = "--tz") -> ZoneInfo:
    """An IANA zone; UsageError naming ``what`` otherwise."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"{what}: unknown time zone {name!r} (e.g. America/New_York)") from None


def release_instant(day: dt.date, days_ahead: int, at: dt.time, tz: dt.tzinfo) -> dt.datetime:
    """The instant ``day`` opens: ``at`` local time in ``tz``, ``days_ahead`` days before it."""
    opening_day = day - dt.timedelta(days=days_ahead)
    return dt.datetime.combine(opening_day, at, tzinfo=tz)


SERVICE = "market.date.on"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible release instant and where its number of days came from."""

    days_ahead: int
    source: str
    instant: dt.datetime


@dataclass(frozen=True, slots=True)
class OnSale:
    """What the service says: ``last_day`` is released, and went on sale at ``on``."""

    last_day: dt.date
    on: dt.datetime  # aware

    def days_ahead(self, tz: dt.tzinfo) -> int:
        """Days between going on sale (in the venue's zone) and the day itself."""
        return (self.last_day - self.on.astimezone(tz).date()).days

    def time(self, tz: dt.tzinfo) -> dt.time:
        """The venue-local time of day the last released day went on sale."""
        return self.on.astimezone(tz).time().replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class ReleasePlan:
    """When ``day`` opens: the most likely instant first, an off-by-one alternative after it."""

    day: dt.date
    zone_name: str
    time: dt.time
    time_source: str
    candidates: tuple[Candidate, ...]

    @property
    def time_assumed(self) -> bool:
        """True when neither the user nor the venue gave a time of day."""
        return self.time_source == "assumed"

    def to_json(self) -> dict[str, Any]:
        """For ``booker drop --json``: instants as ISO 8601 with the venue's offset."""
        return {
            "day": self.day.isoformat(),
            "time_zone": self.zone_name,
            "time": self.time.strftime("%H:%M"),
            "time_source": self.time_source,
            "candidates": [
                {
                    "days_ahead": c.days_ahead,
                    "source": c.source,
                    "release_at": c.instant.isoformat(),
                    "release_epoch": c.instant.timestamp(),
                }
                for c in self.candidates
            ],
        }


def plan_release(
    day: dt.date,
    zone_name: str,
    *,
    days_option: int | None = None,
    time_option: dt.time | None = None,
    config_days: int | None = None,
    rule_text: str = "",
    on_sale: OnSale | None = None,
) -> ReleasePlan:
    """Combine the options and what the service and venue say into candidate release instants.

    The first candidate is the preferred one; the others disagree with it.
    """
    tz = zone(zone_name, "time zone")
    rule = parse_rule(rule_text)
    service_days = on_sale.days_ahead(tz) if on_sale is not None else None
    if time_option is not None:
        at, time_source = time_option, "--time"
    elif on_sale is not None:
        at, time_source = on_sale.time(tz), SERVICE
    elif rule.time is not None:
        at, time_source = rule.time, "venue text"
    else:
        at, time_source = ASSUMED_TIME, "assumed"
    # the text's own time for the text's candidate, when the service set the preferred one
    text_at = rule.time if rule.time is not None and time_option is None else at
    sources: list[tuple[int, str, dt.time]] = []
    if days_option is not None:
        sources.append((days_option, "--days-ahead", at))
    else:
        if service_days is not None:
            sources.append((service_days, SERVICE, at))
        if config_days is not None:
            sources.append((config_days, "/2/config", at))
        if rule.days is not None:
            sources.append((rule.days, "venue text", text_at))
    if not sources:
        raise UsageError(
            "the venue does not say how many days ahead it releases: pass --days-ahead"
        )
    for days, source, _ in sources:
        if not 0 <= days <= 3650:
            raise UsageError(f"days ahead from {source} must be between 0 and 3650 (got {days})")
    candidates: list[Candidate] = []
    for days, source, when in sources:
        instant = release_instant(day, days, when, tz)
        if all(c.instant != instant for c in candidates):
            candidates.append(Candidate(days, source, instant))
    return ReleasePlan(day, zone_name, at, time_source, tuple(candidates))


def relative(instant: dt.datetime, now: dt.datetime) -> str:
    """``in 3 d 4 h``, ``in 12 min``, ``2 h ago``: coarse, for people."""
    seconds = int((instant - now).total_seconds())
    future = seconds >= 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = f"{days} d {hours} h"
    elif hours:
        text = f"{hours} h {minutes} min"
    elif minutes:
        text = f"{minutes} min {secs} s"
    else:
        text = f"{secs} s"
    return f"in {text}" if future else f"{text} ago (already released)"


def describe(plan: ReleasePlan, now: dt.datetime, local: dt.tzinfo | None = None) -> list[str]:
    """Lines for people: each candidate in the venue's zone and in local time."""
    time_note = {
        "--time": "from --time",
        SERVICE: "from the service: when its last released day went on sale",
        "venue text": "from the venue's text",
        "assumed": "assumed: neither --time nor the venue's text gives one",
    }[plan.time_source]
    lines = [f"{plan.day} opens at {plan.time:%H:%M} venue time ({time_note})"]
    for index, candidate in enumerate(plan.candidates):
        when = candidate.instant
        here = when.astimezone(local) if local is not None else when.astimezone()
        label = "release" if index == 0 else f"or, if {_WHO[candidate.source]} is right"
        lines += [
            f"{label}: {candidate.days_ahead} days ahead ({candidate.source})",
            f"  venue: {when:%Y-%m-%d %H:%M %Z} ({plan.zone_name})",
            f"  local: {here:%Y-%m-%d %H:%M %Z} (UTC{here:%z}), {relative(when, now)}",
        ]
    if len(plan.candidates) > 1:
        said = [
            f"{_SAYS[c.source]} {c.days_ahead} days"
            + (f" at {c.instant:%H:%M}" if c.instant.time() != plan.time else "")
            for c in plan.candidates
        ]
        if [c.source for c in plan.candidates] == ["/2/config", "venue text"]:
            lines.append(
                f"note: {said[0]} but {said[1]}; they can be off by one, so be ready for both"
            )
        else:
            lines.append(
                f"note: {', '.join(said[:-1])} but {said[-1]}; "
                "the first is the service's own record, but be ready for each"
            )
    return lines


_WHO = {
    "--days-ahead": "--days-ahead",
    SERVICE: "the service",
    "/2/config": "/2/config",
    "venue text": "the venue's text",
}
_SAYS = {
    "--days-ahead": "--days-ahead says",
    SERVICE: "the service's market.date.on says",
    "/2/config": "/2/config says",
    "venue text": "the venue's text says",
}
