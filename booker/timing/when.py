"""``--at WHEN``: turn what the user typed into one instant. Pure: ``now`` is passed in.

The one parser of ``--at`` for ``book`` and ``schedule``: a bare time is read in the
venue's zone (looked up), in ``--tz`` when given, and refused when neither is known.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from booker.core.exceptions import UsageError

MAX_AHEAD = dt.timedelta(hours=24)
MAX_BEHIND = dt.timedelta(minutes=1)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$")


def zone_named(name: str) -> ZoneInfo:
    """An IANA time zone, or a usage error naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UsageError(
            f"unknown time zone {name!r} (use an IANA name like America/New_York)"
        ) from exc


def needs_zone(text: str) -> bool:
    """True unless ``text`` is an ISO 8601 time that carries its own offset."""
    raw = text.strip()
    if _CLOCK.match(raw):
        return True
    try:
        return dt.datetime.fromisoformat(raw).tzinfo is None
    except ValueError:
        return True


def zone_for(text: str, tz: str | None, venue_zone: Callable[[], str | None]) -> dt.tzinfo:
    """The zone ``--at text`` is read in: ``--tz``, else none needed (an offset), else the
    venue's (``venue_zone`` is called only then); a usage error when it cannot be known."""
    if tz is not None:
        return zone_named(tz)
    if not needs_zone(text):
        return dt.UTC  # the time carries its own offset
    looked_up = venue_zone()
    if not looked_up:
        raise UsageError(
            f"--at {text.strip()!r} has no UTC offset and the venue's time zone cannot be "
            "looked up: give --tz (e.g. --tz America/New_York)"
        )
    return zone_named(looked_up)


def parse_when(
    text: str, zone: dt.tzinfo, now: dt.datetime, max_ahead: dt.timedelta | None = MAX_AHEAD
) -> dt.datetime:
    """``HH:MM[:SS[.fff]]`` in ``zone`` (today, or tomorrow once past) or ISO 8601.

    An ISO 8601 time without an offset (``2026-12-01 09:00`` too) is read in ``zone``;
    one the clocks skip is refused. The result must be at most ``max_ahead`` ahead
    (None: no limit) and at most a minute in the past.
    """
    raw = text.strip()
    clock = _CLOCK.match(raw)
    if clock:
        at = _next_clock_time(clock, zone, now)
    else:
        try:
            at = dt.datetime.fromisoformat(raw)
        except ValueError as exc:
            raise UsageError(
                f"--at must be HH:MM[:SS[.fff]] or a date and time like '2026-12-01 09:00' "
                f"(ISO 8601), got {text!r}"
            ) from exc
        if at.tzinfo is None:
            at = _in_zone(at, zone)
    if max_ahead is not None and at - now > max_ahead:
        raise UsageError(f"--at {at.isoformat()} is more than 24 h away")
    if now - at > MAX_BEHIND:
        raise UsageError(f"--at {at.isoformat()} is in the past")
    return at


def _next_clock_time(clock: re.Match[str], zone: dt.tzinfo, now: dt.datetime) -> dt.datetime:
    hour, minute = int(clock.group(1)), int(clock.group(2))
    second = int(clock.group(3) or 0)
    micro = int((clock.group(4) or "0").ljust(6, "0"))
    if hour > 23 or minute > 59 or second > 59:
        raise UsageError(f"--at: not a time of day: {clock.group(0)!r}")
    local_now = now.astimezone(zone)
    at = local_now.replace(hour=hour, minute=minute, second=second, microsecond=micro)
    if local_now - at > MAX_BEHIND:
        tomorrow = local_now.date() + dt.timedelta(days=1)
        at = dt.datetime.combine(tomorrow, at.timetz()).replace(tzinfo=zone)
    return at


def _in_zone(naive: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise UsageError(
            f"--at {naive.isoformat(sep=' ')} does not exist in {zone} (the clocks skip it)"
        )
    return aware


def describe(at: dt.datetime) -> str:
    """``2026-12-01 09:00:00.000 EST``."""
    return (
        at.strftime("%Y-%m-%d %H:%M:%S.")
        + f"{at.microsecond // 1000:03d} {at.tzname() or ''}".rstrip()
    )
