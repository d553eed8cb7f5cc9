"""``--at WHEN``: turn what the user typed into one instant. Pure: ``now`` is passed in."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from booker.exceptions import UsageError

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


def parse_when(text: str, zone: dt.tzinfo, now: dt.datetime) -> dt.datetime:
    """``HH:MM[:SS[.fff]]`` in ``zone`` (today, or tomorrow once past) or ISO 8601.

    An ISO 8601 time without an offset is read in ``zone``. The result must be
    at most 24 h ahead and at most a minute in the past.
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
                f"--at must be HH:MM[:SS[.fff]] or an ISO 8601 time, got {text!r}"
            ) from exc
        if at.tzinfo is None:
            at = at.replace(tzinfo=zone)
    if at - now > MAX_AHEAD:
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


def describe(at: dt.datetime) -> str:
    """``2026-12-01 09:00:00.000 EST``."""
    return (
        at.strftime("%Y-%m-%d %H:%M:%S.")
        + f"{at.microsecond // 1000:03d} {at.tzname() or ''}".rstrip()
    )
