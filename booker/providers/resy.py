"""Resy: requests as values and answers classified, without any I/O.

Shapes follow ``docs/API-NOTES.md``; where the notes are uncertain, the
readers accept both readings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import orjson

from booker.core import matching
from booker.core.decide import Kind, Verdict
from booker.core.exceptions import ParseError
from booker.core.matching import fast_set
from booker.core.model import Booked, Slot
from booker.core.ports import Probe
from booker.core.settings import BOOKING_TIMEOUT_S
from booker.core.tokens import ExpiringToken
from booker.core.wire import Answer, Request
from booker.providers.common import dig, failure, json_body, throttle_or_none
from booker.providers.resy_target import ResyTarget, rank_slots

NAME = "resy"  # the provider as commands, job keys and the journal name it
BASE_URL = "https://api.resy.com"
SOURCE_ID = "resy.com-venue-details"

# Every header booker sends to Resy is here, in one place: they change every few months,
# so ``ResyApi(headers=..., book_headers=...)`` overrides any of them.
# Browser-like headers on every call; no-cache so that no cache between us and the
# service answers a /4/find at the drop with the "no slots yet" of a moment before.
BROWSER_HEADERS: Mapping[str, str] = {
    "User-Agent": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
    ),
    "Origin": "https://resy.com",
    "X-Origin": "https://resy.com",
    "Referer": "https://resy.com/",
    "Accept": "application/json, text/plain, */*",
    "Cache-Control": "no-cache",
    "Pragma": "no-cache",
}
# /3/book goes as the booking widget sends it, as most maintained clients do.
BOOK_HEADERS: Mapping[str, str] = {
    "Origin": "https://widgets.resy.com",
    "X-Origin": "https://widgets.resy.com",
    "Referer": "https://widgets.resy.com/",
}
BOOK_TIMEOUT_S = BOOKING_TIMEOUT_S  # /3/book may commit slowly; a short deadline loses a booking
FIND_METHODS = ("POST", "GET")  # the web app's POST first; GET still works for most clients

# Resy's credentials, by the names they go by in the environment, .env and the settings file
API_KEY = "RESY_API_KEY"
AUTH_TOKEN = "RESY_AUTH_TOKEN"
REFRESH_TOKEN = (
    "RESY_REFRESH_TOKEN"  # stored by `booker login resy`; a run renews the token with it
)
CREDENTIAL_NAMES = (API_KEY, AUTH_TOKEN, REFRESH_TOKEN)
# the token that expires, as expiry warnings call it, and the one that renews it
EXPIRING_TOKEN = ExpiringToken(AUTH_TOKEN, AUTH_TOKEN, REFRESH_TOKEN)

BAD_CREDENTIALS = "the service refused the credentials (check RESY_API_KEY and RESY_AUTH_TOKEN)"
NO_PAYMENT = "payment method required: add a card to your Resy account"


@dataclass(frozen=True, slots=True)
class ResyCredentials:
    """The API key and the user's token. Never printed."""

    api_key: str = field(repr=False)
    auth_token: str = field(repr=False)

    def secrets(self) -> tuple[str, ...]:
        """Values to redact wherever text leaves the process."""
        return (self.api_key, self.auth_token)


@dataclass(frozen=True, slots=True)
class Reservation:
    """One of the user's reservations, as /3/user/reservations lists it."""

    reservation_id: str
    resy_token: str
    day: str
    time_slot: str
    venue_id: int | None
    seats: int | None = None
    table_type: str = ""


class ResyApi:
    """Builds every Resy request for one user and one target."""

    def __init__(
        self,
        credentials: ResyCredentials,
        target: ResyTarget,
        headers: Mapping[str, str] | None = None,
        book_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.target = target
        base = {**BROWSER_HEADERS, **(headers or {})}
        base["Authorization"] = f'ResyAPI api_key="{credentials.api_key}"'
        self._public = tuple(base.items())
        self._user = (
            *self._public,
            ("X-Resy-Auth-Token", credentials.auth_token),
            ("X-Resy-Universal-Auth", credentials.auth_token),
        )
        # /4/find shows some inventory only to signed-in users: send the token when we have one
        self._find_headers = self._user if credentials.auth_token else self._public
        booking = {**dict(self._user), **BOOK_HEADERS, **(book_headers or {})}
        self._book = (*booking.items(), FORM)

    def find(
        self, method: str = FIND_METHODS[0], day: str | None = None, venue_id: int | None = None
    ) -> Request:
        """Poll the venue's (or ``venue_id``'s) slots for the target day (or ``day``) and party.

        POST with a JSON body, as the web app sends it, or GET with a query.
        """
        fields = {
            "lat": 0,
            "long": 0,
            "day": day or self.target.day,
            "party_size": self.target.party_size,
            "venue_id": venue_id or self.target.venue_id,
        }
        if method == "GET":
            return Request("GET", f"/4/find?{urlencode(fields)}", self._find_headers)
        headers = (*self._find_headers, ("Content-Type", "application/json"))
        return Request("POST", "/4/find", headers, orjson.dumps(fields))

    def user(self) -> Request:
        """Check the credentials and list payment methods."""
        return Request("GET", "/2/user", self._user)

    def details(self, slot: Slot) -> Request:
        """Ask for a book token for ``slot``."""
        body = orjson.dumps(
            {
                "config_id": slot.token,
                "day": slot.day or self.target.day,
                "party_size": self.target.party_size,
            }
        )
        return Request(
            "POST", "/3/details", (*self._user, ("Content-Type", "application/json")), body
        )

    def book(self, book_token: str, payment_method_id: int) -> Request:
        """Book with a book token (form-encoded, the payment method as a JSON string)."""
        body = urlencode(
            {
                "book_token": book_token,
                "struct_payment_method": orjson.dumps({"id": payment_method_id}).decode(),
                "source_id": SOURCE_ID,
            }
        ).encode()
        return Request("POST", "/3/book", self._book, body, timeout_s=BOOK_TIMEOUT_S)

    def cancel(self, resy_token: str) -> Request:
        """Cancel one reservation."""
        body = urlencode({"resy_token": resy_token}).encode()
        return Request("POST", "/3/cancel", (*self._user, FORM), body)

    def reservations(self) -> Request:
        """List the user's upcoming reservations, 50 on the first page (the default page is short)."""
        return Request("GET", RESERVATIONS_PATH, self._user)

    def venue(self) -> Request:
        """Name, time zone and release rule of the target venue."""
        return Request("GET", f"/3/venue?id={self.target.venue_id}", self._public)

    def config(self) -> Request:
        """How many days ahead the venue releases, and its last released day."""
        return Request("GET", f"/2/config?venue_id={self.target.venue_id}", self._public)

    def calendar(self, start: str, end: str) -> Request:
        """Which days between ``start`` and ``end`` are released (``last_calendar_day``)."""
        query = urlencode(
            {
                "venue_id": self.target.venue_id,
                "num_seats": self.target.party_size,
                "start_date": start,
                "end_date": end,
            }
        )
        return Request("GET", f"/4/venue/calendar?{query}", self._public)


FORM = ("Content-Type", "application/x-www-form-urlencoded")
RESERVATIONS_PATH = "/3/user/reservations?limit=50&offset=1&type=upcoming"


def refused_credentials(answer: Answer) -> Verdict | None:
    """401/419: the service refuses the API key or the token, for good; else None."""
    if answer.status in (401, 419):
        return Verdict(Kind.TERMINAL, answer.status, BAD_CREDENTIALS)
    return None


def classify_refusal(answer: Answer) -> Verdict | None:
    """Throttles and the refusals that are final for the whole run."""
    throttled = throttle_or_none(answer)
    if throttled is not None:
        return throttled
    refused = refused_credentials(answer)
    if refused is not None:
        return refused
    if answer.status == 402:
        return Verdict(Kind.TERMINAL, 402, NO_PAYMENT)
    return None


def read_find(answer: Answer, target: ResyTarget) -> Verdict:
    """Classify a /4/find answer; FOUND carries the matching slots, best first."""
    refused = classify_refusal(answer)
    if refused is not None:
        return refused
    if answer.status == 412:  # /4/find answers 412 when it throttles
        return Verdict(Kind.THROTTLE, 412, "throttled (HTTP 412)")
    if answer.status != 200:
        return failure(answer)
    try:
        document = json_body(answer)
    except ParseError as exc:
        return failure(answer, str(exc))
    return find_verdict(document, target)


def find_verdict(document: Any, target: ResyTarget) -> Verdict:
    """The decision on a decoded 200 /4/find answer: FOUND with the wanted slots, best first."""
    try:
        slots = parse_slots(document, target.day, target.party_size, fast_set(target.times))
    except ParseError as exc:
        return Verdict(Kind.FAILURE, 200, f"HTTP 200: {exc}")
    ranked = rank_slots(slots, target.times, target.table_types, target.exclude_types)
    if not ranked:
        offered = _count_slots(document)
        return Verdict(
            Kind.EXPECTED, 200, f"{offered} slots, none wanted" if offered else "no slots yet"
        )
    return Verdict(Kind.FOUND, 200, f"{len(ranked)} matching slots", slots=ranked)


def _count_slots(document: Any) -> int:
    """How many slot entries the first venue lists (for messages only)."""
    try:
        listed = document["results"]["venues"][0]["slots"]
    except (KeyError, IndexError, TypeError):
        return 0
    return len(listed) if isinstance(listed, list) else 0


def parse_slots(
    document: Any, day: str, party_size: int, wanted: frozenset[str] | None = None
) -> list[Slot]:
    """Every slot of the first venue (only ``wanted`` times when given); empty before release."""
    venues = dig(document, "results", "venues")
    if not isinstance(venues, list):
        raise ParseError("results.venues is not a list")
    if not venues:
        return []
    raw_slots = venues[0].get("slots") if isinstance(venues[0], dict) else None
    if raw_slots is None:
        return []
    if not isinstance(raw_slots, list):
        raise ParseError("slots is not a list")
    slots: list[Slot] = []
    for raw in raw_slots:
        if wanted is not None:  # the fast path, inline: most slots are at other times
            try:
                start = raw["date"]["start"]
            except (KeyError, TypeError, IndexError):
                start = None
            if type(start) is str:
                clock = start[-8:]
                if clock not in wanted and (
                    (clock in _WHOLE_MINUTES and len(start) == 19 and start[10] == " ")
                    or _is_canonical(start)
                ):
                    continue
        slot = read_slot(raw, party_size)
        if slot is not None and (not slot.day or slot.day == day):
            slots.append(slot)
    return slots


def read_slot(raw: Any, party_size: int) -> Slot | None:
    """One slot, or None when it is malformed or does not fit the party."""
    if not isinstance(raw, dict):
        return None
    date = raw.get("date")
    start = date.get("start") if isinstance(date, dict) else None
    if not isinstance(start, str):
        return None
    config = raw.get("config")
    if not isinstance(config, dict):
        return None
    token = config.get("token")
    if not isinstance(token, str) or not token:
        token = config.get("id")  # some answers carry the token as config.id
        if not isinstance(token, str) or not token.startswith("rgs://"):
            return None
    size = raw.get("size")
    if isinstance(size, dict):
        low, high = size.get("min"), size.get("max")
        if isinstance(low, int) and party_size < low:
            return None
        if isinstance(high, int) and party_size > high:
            return None
    if _is_canonical(start):
        day, time = start[:10], start[11:]
        if time > "23:59:59" or time[3] > "5" or time[6] > "5":
            return None
    else:
        day, _, clock = start.partition(" ")
        if not clock:
            day, clock = "", start
        try:
            time = normalise_time(clock)
        except ValueError:
            return None
    table_type = config.get("type")
    return Slot(
        time=time,
        table_type=table_type if isinstance(table_type, str) else "",
        token=token,
        day=day,
    )


# "00:00:00" ... "23:59:00": one set lookup tells most slots' times are well formed.
_WHOLE_MINUTES = frozenset(f"{m // 60:02d}:{m % 60:02d}:00" for m in range(24 * 60))


def _is_canonical(start: str) -> bool:
    """``... HH:MM:SS``, two digits each: its last 8 characters are then its whole time of day.

    Cheaper than a regular expression; this runs for every slot of every answer.
    """
    return (
        len(start) == 19
        and start[10] == " "
        and start[13] == ":"
        and start[16] == ":"
        and start[11:13].isdigit()
        and start[14:16].isdigit()
        and start[17:].isdigit()
    )


def normalise_time(text: str) -> str:
    """``19:00`` or ``19:00:00`` -> ``19:00:00``; ``ValueError`` when it is not a time."""
    return matching.normalise_time(text)


def read_details(answer: Answer) -> Verdict:
    """Classify /3/details; FOUND carries the book token."""
    refused = classify_refusal(answer)
    if refused is not None:
        return refused
    if answer.status in (404, 412):
        return Verdict(Kind.GONE, answer.status, "slot gone")
    if answer.status not in (200, 201):
        return failure(answer)
    try:
        token = dig(json_body(answer), "book_token", "value")
    except ParseError as exc:
        return failure(answer, str(exc))
    if not isinstance(token, str) or not token:
        return failure(answer, "book_token.value is not a string")
    return Verdict(Kind.FOUND, answer.status, "book token", book_token=token)


def read_book(answer: Answer, slot: Slot) -> Verdict:
    """Classify /3/book: 404/412 gone, a 2xx naming its ``resy_token`` booked.

    Any other 2xx (no token, null ids, a cut body, an error payload served with 200) may
    well have booked: UNKNOWN, never a plain failure that would book again.
    """
    refused = classify_refusal(answer)
    if refused is not None:
        return refused
    if answer.status in (404, 412):
        return Verdict(Kind.GONE, answer.status, "slot gone")
    if not 200 <= answer.status < 300:
        return failure(answer)
    try:
        document = json_body(answer)
    except ParseError as exc:
        return unknown(answer, str(exc))
    if not isinstance(document, dict):
        return unknown(answer, "not a JSON object")
    resy_token = document.get("resy_token")
    if not isinstance(resy_token, str) or not resy_token:
        return unknown(answer, "no resy_token")
    reservation_id = document.get("reservation_id")
    if not isinstance(reservation_id, int | str) or isinstance(reservation_id, bool):
        reservation_id = ""  # optional: the token names the reservation
    booked = Booked(str(reservation_id), slot, resy_token)
    return Verdict(Kind.BOOKED, answer.status, "booked", booked=booked)


def unknown(answer: Answer, what: str) -> Verdict:
    """A 2xx booking answer that does not say what it booked."""
    return Verdict(
        Kind.UNKNOWN, answer.status, f"HTTP {answer.status} without a reservation: {what}"
    )


def read_user(answer: Answer) -> tuple[Verdict, int | None]:
    """Classify /2/user and pick the default payment method (or the first)."""
    refused = classify_refusal(answer)
    if refused is not None:
        return refused, None
    if answer.status != 200:
        return failure(answer), None
    try:
        methods = dig(json_body(answer), "payment_methods")
    except ParseError as exc:
        return failure(answer, str(exc)), None
    ids = [
        (bool(m.get("is_default")), m["id"])
        for m in (methods if isinstance(methods, list) else [])
        if isinstance(m, dict) and isinstance(m.get("id"), int)
    ]
    chosen = next((pid for default, pid in ids if default), ids[0][1] if ids else None)
    return Verdict(Kind.EXPECTED, 200, "credentials accepted"), chosen


def credentials_probe(credentials: ResyCredentials) -> Probe:
    """``GET /2/user`` with the user's token (``booker ping resy``, ``booker check resy``)."""
    api = ResyApi(credentials, ResyTarget(0, "", 1, ()))
    return Probe(NAME, api.user(), lambda answer: read_user(answer)[0])


def read_reservations(answer: Answer) -> list[Reservation]:
    """The user's upcoming reservations; ``ParseError`` when the answer is not usable."""
    if answer.status != 200:
        raise ParseError(f"reservations: HTTP {answer.status}")
    listed = dig(json_body(answer), "reservations")
    if not isinstance(listed, list):
        raise ParseError("reservations is not a list")
    found: list[Reservation] = []
    for raw in listed:
        if not isinstance(raw, dict) or "reservation_id" not in raw:
            continue
        venue = raw.get("venue")
        venue_id = venue.get("id") if isinstance(venue, dict) else None
        if isinstance(venue_id, dict):  # some answers nest ids as {"resy": N}
            venue_id = venue_id.get("resy")
        seats = raw.get("num_seats")
        config = raw.get("config")
        table_type = config.get("type") if isinstance(config, dict) else None
        found.append(
            Reservation(
                reservation_id=str(raw["reservation_id"]),
                resy_token=str(raw.get("resy_token") or ""),
                day=str(raw.get("day") or ""),
                time_slot=str(raw.get("time_slot") or ""),
                venue_id=venue_id if isinstance(venue_id, int) else None,
                seats=seats if isinstance(seats, int) else None,
                table_type=table_type if isinstance(table_type, str) else "",
            )
        )
    return found


def is_for(reservation: Reservation, target: ResyTarget) -> bool:
    """Is this reservation one the job ``target`` could have made?

    Its venue and day are among the job's, its party size matches, its time is one of the
    wanted times or in a wanted window (minutes compared: listings write ``19:00`` or
    ``19:00:00``) and, when the listing names its table type, that type is wanted and not
    excluded. Anything else is the owner's own.
    """
    return (
        reservation.venue_id in target.all_venues
        and reservation.day in target.all_days
        and reservation.seats == target.party_size
        and matching.minute_choice(reservation.time_slot[:5], target.times) is not None
        and matching.type_allowed(reservation.table_type, target.table_types, target.exclude_types)
    )


# a tick's answers folded into one verdict: the strongest reaction wins
_MERGE_ORDER = (Kind.TERMINAL, Kind.THROTTLE, Kind.FAILURE, Kind.GONE, Kind.UNKNOWN)


def merge_finds(verdicts: list[Verdict], targets: tuple[ResyTarget, ...]) -> Verdict:
    """One tick's /4/find verdicts (one per day and venue, in order of preference) as one.

    FOUND when any found: every wanted slot, best first (the day, the venue, then as each
    answer ranked them), each stamped with its day, its rank (slots the job wants as much,
    such as two tables of one time when any type will do, share one) and, with several
    venues, its venue. Otherwise the strongest of the others (a refusal for good, a
    throttle, a failure), else EXPECTED.
    """
    if len(verdicts) == 1 and verdicts[0].kind is not Kind.FOUND:
        return verdicts[0]  # the common case, every tick before the drop: nothing to fold
    several = len({target.venue_id for target in targets}) > 1
    found = [
        (v, index, t)
        for index, (v, t) in enumerate(zip(verdicts, targets, strict=False))
        if v.kind is Kind.FOUND
    ]
    if found:
        slots: list[Slot] = []
        rank, last = 0, None
        for verdict, index, target in found:
            for slot in verdict.slots:
                key = (
                    index,
                    matching.time_choice(slot.time, target.times),
                    slot.time,
                    matching.type_choice(slot.table_type, target.table_types, target.exclude_types),
                )
                if key != last:
                    rank, last = rank + 1, key
                slots.append(
                    replace(
                        slot,
                        day=slot.day or target.day,
                        venue=str(target.venue_id) if several else slot.venue,
                        rank=rank,
                    )
                )
        first = found[0][0]
        reason = first.reason if len(found) == 1 else f"{len(slots)} matching slots"
        return replace(first, slots=tuple(slots), reason=reason)
    for kind in _MERGE_ORDER:
        same = [v for v in verdicts if v.kind is kind]
        if same:
            if kind is Kind.THROTTLE:
                waits = [v.retry_after_s for v in same if v.retry_after_s is not None]
                return replace(same[0], retry_after_s=max(waits) if waits else None)
            return same[0]
    return verdicts[0] if verdicts else Verdict(Kind.EXPECTED, 0, "no answer")


def reservation_rank(reservation: Reservation, target: ResyTarget) -> tuple[int, ...]:
    """Where a reservation of the job (``is_for``) stands among its wants: day, venue,
    wanted time, time, table type; lower is better."""
    days, venues = target.all_days, target.all_venues
    when = matching.minute_choice(reservation.time_slot[:5], target.times)
    kind = matching.type_choice(reservation.table_type, target.table_types, target.exclude_types)
    return (
        days.index(reservation.day) if reservation.day in days else len(days),
        venues.index(reservation.venue_id) if reservation.venue_id in venues else len(venues),
        len(target.times) if when is None else when,
        minute_of(reservation.time_slot),
        len(target.table_types) if kind is None else kind,
    )


def minute_of(time: str) -> int:
    """``19:30:00`` -> 1170 (minute of the day); -1 when unreadable."""
    try:
        return int(time[:2]) * 60 + int(time[3:5])
    except ValueError:
        return -1
