"""Resy's venues outside a drop: name, zone, release rule, lead time, the last released
day, when slots went on sale, and the offers ``booker slots`` lists. Pure readers.

Shapes follow ``docs/API-NOTES.md``; where the notes are uncertain, the readers accept
both readings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from booker.core.exceptions import ParseError
from booker.core.model import Slot
from booker.core.wire import Answer
from booker.providers.common import dig, json_body
from booker.providers.resy import read_slot

# Zones /3/venue names the old POSIX way, and the IANA zones they stand for.
LEGACY_ZONES: Mapping[str, str] = {
    "EST5EDT": "America/New_York",
    "CST6CDT": "America/Chicago",
    "MST7MDT": "America/Denver",
    "PST8PDT": "America/Los_Angeles",
    "EST": "America/New_York",
    "CST": "America/Chicago",
    "MST": "America/Phoenix",
    "PST": "America/Los_Angeles",
    "HST": "Pacific/Honolulu",
    "AKST9AKDT": "America/Anchorage",
}


@dataclass(frozen=True, slots=True)
class Venue:
    """What /3/venue and /2/config say about a venue."""

    venue_id: int
    name: str
    time_zone: str
    rule: str = ""
    lead_time_in_days: int | None = None


RULE_ENTRIES = ("need_to_know", "from_the_venue")


def read_venue(answer: Answer, venue_id: int) -> Venue:
    """Name, zone and free-text release rule; ``ParseError`` when unusable.

    The zone is read from ``locale.time_zone``, else ``location.time_zone``, and
    mapped to an IANA name; ``time_zone`` is "" when neither has one (then
    ``find_zone`` on a /4/find answer may).
    """
    if answer.status != 200:
        raise ParseError(f"venue: HTTP {answer.status}")
    document = json_body(answer)
    name = dig(document, "name")
    if not isinstance(name, str):
        raise ParseError("venue name missing")
    zone = _zone_at(document, "locale") or _zone_at(document, "location")
    content = document.get("content")
    entries = [i for i in (content if isinstance(content, list) else []) if isinstance(i, dict)]
    named = [i for i in entries if i.get("name") in RULE_ENTRIES]
    rule = " ".join(str(i.get("body")) for i in (named or entries) if i.get("body"))
    return Venue(venue_id, name, zone, rule)


def _zone_at(document: Any, key: str) -> str:
    """``document[key].time_zone`` as an IANA name, "" when absent."""
    holder = document.get(key) if isinstance(document, dict) else None
    zone = holder.get("time_zone") if isinstance(holder, dict) else None
    return iana_zone(zone) if isinstance(zone, str) and zone.strip() else ""


def iana_zone(name: str) -> str:
    """``EST5EDT`` -> ``America/New_York``; other names as they are."""
    name = name.strip()
    return LEGACY_ZONES.get(name.upper(), name)


def find_zone(document: Any) -> str:
    """The zone of the first venue in a /4/find answer (``venue.location.time_zone``), or ""."""
    try:
        venue = document["results"]["venues"][0]["venue"]
    except (KeyError, IndexError, TypeError):
        return ""
    return _zone_at(venue, "location")


def market_on(document: Any) -> int | None:
    """The earliest ``market.date.on`` (epoch seconds: when a slot went on sale), or None."""
    try:
        listed = document["results"]["venues"][0]["slots"]
    except (KeyError, IndexError, TypeError):
        return None
    found: list[int] = []
    for raw in listed if isinstance(listed, list) else ():
        try:
            on = raw["market"]["date"]["on"]
        except (KeyError, TypeError):
            continue
        if isinstance(on, int | float) and not isinstance(on, bool) and on > 0:
            found.append(int(on))
    return min(found) if found else None


def read_lead_time(answer: Answer) -> int | None:
    """``lead_time_in_days`` from /2/config, None when absent."""
    value = _field(answer, "lead_time_in_days")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_last_day(answer: Answer) -> str | None:
    """The last released day: /2/config ``calendar_date_to`` or /4/venue/calendar
    ``last_calendar_day`` (YYYY-MM-DD), None when absent."""
    for key in ("calendar_date_to", "last_calendar_day"):
        value = _field(answer, key)
        if isinstance(value, str) and len(value) >= 10 and _is_day(value[:10]):
            return value[:10]
    return None


def _is_day(text: str) -> bool:
    parts = text.split("-")
    return len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[0]) == 4


def _field(answer: Answer, key: str) -> Any:
    if answer.status != 200:
        return None
    try:
        document = json_body(answer)
    except ParseError:
        return None
    return document.get(key) if isinstance(document, dict) else None


@dataclass(frozen=True, slots=True)
class Offer:
    """A slot as ``booker slots`` lists it: the slot and what holding it costs."""

    slot: Slot
    is_paid: bool = False
    deposit_fee: float | None = None


def parse_offers(document: Any, day: str, party_size: int) -> list[Offer]:
    """Like ``resy.parse_slots``, each slot with ``payment.is_paid`` and ``payment.deposit_fee``."""
    venues = dig(document, "results", "venues")
    if not isinstance(venues, list):
        raise ParseError("results.venues is not a list")
    raw_slots = venues[0].get("slots") if venues and isinstance(venues[0], dict) else None
    if raw_slots is None:
        return []
    if not isinstance(raw_slots, list):
        raise ParseError("slots is not a list")
    offers: list[Offer] = []
    for raw in raw_slots:
        slot = read_slot(raw, party_size)
        if slot is None or (slot.day and slot.day != day):
            continue
        payment = raw.get("payment")
        payment = payment if isinstance(payment, dict) else {}
        fee = _amount(payment.get("deposit_fee"))
        offers.append(Offer(slot, bool(payment.get("is_paid")) or bool(fee), fee))
    return offers


def _amount(value: Any) -> float | None:
    """A fee as a number (numbers or numeric strings), None when absent or unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
