"""Unit tests of the Resy provider: request builders and pure answer readers, no I/O."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booker.core.decide import Kind, Verdict
from booker.core.exceptions import ParseError
from booker.core.model import Slot
from booker.net.http import Answer, Request
from booker.providers import resy, resy_venue
from booker.providers.resy_target import ResyTarget

DAY = "2026-12-24"
KEY = "k" * 32
TOKEN = "eyJhbGciOiJIUzI1NiJ9.user.token"
PROPERTY = settings(max_examples=200, deadline=None, database=None, derandomize=True)

PUBLIC_CALLS = ("venue", "config", "calendar")
USER_CALLS = ("user", "details", "book", "cancel", "reservations", "find", "find_get")


@pytest.fixture
def target() -> ResyTarget:
    """Venue 60029, party of 2, 19:00 preferred over 18:30."""
    return ResyTarget(venue_id=60029, day=DAY, party_size=2, times=("19:00:00", "18:30:00"))


@pytest.fixture
def api(target: ResyTarget) -> resy.ResyApi:
    """The request builder for the default target."""
    return resy.ResyApi(resy.ResyCredentials(KEY, TOKEN), target)


def build(api: resy.ResyApi, name: str) -> Request:
    """Build the request called ``name`` with plausible arguments."""
    calls: dict[str, Callable[[], Request]] = {
        "find": api.find,
        "find_get": lambda: api.find("GET"),
        "calendar": lambda: api.calendar(DAY, DAY),
        "venue": api.venue,
        "config": api.config,
        "user": api.user,
        "reservations": api.reservations,
        "details": lambda: api.details(Slot("19:00:00", "Dining Room", "rgs://x", DAY)),
        "book": lambda: api.book("book-token", 123),
        "cancel": lambda: api.cancel("rr://abc"),
    }
    return calls[name]()


def answer(status: int, document: Any = None, raw: bytes | None = None) -> Answer:
    """An answer with ``document`` serialised as JSON (or ``raw`` bytes)."""
    body = raw if raw is not None else orjson.dumps(document)
    return Answer(status, body)


def raw_slot(
    start: Any = f"{DAY} 19:00:00",
    token: Any = "rgs://resy/60029/1/2/19:00/Dining Room",
    table: Any = "Dining Room",
    size: Any = None,
) -> dict[str, Any]:
    """A slot as /4/find serves it."""
    return {
        "config": {"id": 1, "token": token, "type": table},
        "date": {"start": start, "end": f"{DAY} 20:30:00"},
        "size": {"min": 1, "max": 4} if size is None else size,
        "quantity": 1,
        "payment": {"is_paid": False, "deposit_fee": None},
    }


def find_doc(slots: Any) -> dict[str, Any]:
    """A /4/find document whose first venue serves ``slots``."""
    return {"results": {"venues": [{"venue": {"id": {"resy": 60029}}, "slots": slots}]}}


def found_tokens(verdict: Verdict) -> list[str]:
    """Tokens of the slots a verdict carries, in order."""
    return [s.token for s in verdict.slots]


# --- request builders ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PUBLIC_CALLS + USER_CALLS)
def test_every_call_carries_key_and_browser_headers(api: resy.ResyApi, name: str) -> None:
    """Every request carries the API key and the browser-like headers."""
    headers = dict(build(api, name).headers)
    assert headers["Authorization"] == f'ResyAPI api_key="{KEY}"'
    assert headers["User-Agent"].startswith("Mozilla/5.0")
    site = "https://widgets.resy.com" if name == "book" else "https://resy.com"
    assert headers["Origin"] == site
    assert headers["X-Origin"] == site
    assert headers["Referer"] == site + "/"
    assert headers["Accept"] == "application/json, text/plain, */*"
    assert headers["Cache-Control"] == "no-cache"
    assert headers["Pragma"] == "no-cache"


def test_book_headers_are_overridable_in_one_place(target: ResyTarget) -> None:
    """The widget headers of /3/book can be overridden like the browser headers."""
    api = resy.ResyApi(
        resy.ResyCredentials(KEY, TOKEN),
        target,
        headers={"X-Origin": "https://a.example"},
        book_headers={"Origin": "https://b.example"},
    )
    assert dict(api.find().headers)["X-Origin"] == "https://a.example"
    booking = dict(api.book("t", 1).headers)
    assert (booking["Origin"], booking["X-Origin"]) == (
        "https://b.example",
        "https://widgets.resy.com",
    )
    assert booking["X-Resy-Auth-Token"] == TOKEN


def test_book_has_a_longer_deadline_than_polls(api: resy.ResyApi) -> None:
    """/3/book may take seconds to commit: it gets about 10 s; polls keep the client's."""
    assert api.book("t", 1).timeout_s == pytest.approx(10.0)
    assert api.find().timeout_s is None
    assert api.details(Slot("19:00:00", "", "rgs://x", DAY)).timeout_s is None


def test_find_without_a_user_token_sends_none(target: ResyTarget) -> None:
    """Lookups that have only the API key send /4/find without the token headers."""
    request = resy.ResyApi(resy.ResyCredentials(KEY, ""), target).find()
    names = {key.lower() for key, _ in request.headers}
    assert "x-resy-auth-token" not in names


@pytest.mark.parametrize("name", USER_CALLS)
def test_user_scoped_calls_carry_the_user_token_twice(api: resy.ResyApi, name: str) -> None:
    """User-scoped calls carry the token as X-Resy-Auth-Token and X-Resy-Universal-Auth."""
    headers = dict(build(api, name).headers)
    assert headers["X-Resy-Auth-Token"] == TOKEN
    assert headers["X-Resy-Universal-Auth"] == TOKEN


@pytest.mark.parametrize("name", PUBLIC_CALLS)
def test_public_calls_never_carry_the_user_token(api: resy.ResyApi, name: str) -> None:
    """/3/venue, /2/config and /4/venue/calendar do not send the user's token anywhere."""
    request = build(api, name)
    names = {key.lower() for key, _ in request.headers}
    assert "x-resy-auth-token" not in names
    assert "x-resy-universal-auth" not in names
    assert all(TOKEN not in value for _, value in request.headers)
    assert TOKEN not in request.path


@pytest.mark.parametrize("name", PUBLIC_CALLS + USER_CALLS)
def test_no_header_is_sent_twice(api: resy.ResyApi, name: str) -> None:
    """Header names are unique within each request."""
    names = [key.lower() for key, _ in build(api, name).headers]
    assert len(names) == len(set(names))


def test_header_overrides_replace_browser_headers_but_not_the_key(target: ResyTarget) -> None:
    """Configured headers override the browser defaults; Authorization always holds the key."""
    api = resy.ResyApi(
        resy.ResyCredentials(KEY, TOKEN),
        target,
        headers={"User-Agent": "Custom/1.0", "Authorization": "stolen", "X-Extra": "1"},
    )
    headers = dict(api.find().headers)
    assert headers["User-Agent"] == "Custom/1.0"
    assert headers["X-Extra"] == "1"
    assert headers["Authorization"] == f'ResyAPI api_key="{KEY}"'


def test_find_is_a_json_post_by_default(api: resy.ResyApi) -> None:
    """/4/find is a POST with lat, long, day, party_size and venue_id as JSON, as the web app."""
    request = api.find()
    assert (request.method, request.path) == ("POST", "/4/find")
    assert dict(request.headers)["Content-Type"] == "application/json"
    assert request.body is not None
    assert json.loads(request.body) == {
        "lat": 0,
        "long": 0,
        "day": DAY,
        "party_size": 2,
        "venue_id": 60029,
    }


def test_find_query(api: resy.ResyApi) -> None:
    """/4/find by GET has lat, long, day, party_size and venue_id in the query, no body."""
    request = api.find("GET")
    parts = urlsplit(request.path)
    assert (request.method, parts.path, request.body) == ("GET", "/4/find", None)
    assert parse_qs(parts.query) == {
        "lat": ["0"],
        "long": ["0"],
        "day": [DAY],
        "party_size": ["2"],
        "venue_id": ["60029"],
    }


def test_details_body_is_json(api: resy.ResyApi) -> None:
    """/3/details is a JSON POST with config_id (the slot token), day and party_size."""
    request = api.details(Slot("19:00:00", "Bar", 'rgs://resy/1/2/"odd" token', DAY))
    assert (request.method, request.path) == ("POST", "/3/details")
    assert dict(request.headers)["Content-Type"] == "application/json"
    assert request.body is not None
    assert json.loads(request.body) == {
        "config_id": 'rgs://resy/1/2/"odd" token',
        "day": DAY,
        "party_size": 2,
    }


@pytest.mark.parametrize("book_token", ["plain", "a+b/c=d&e f%20?", "ünïcødé"])
@pytest.mark.parametrize("payment_id", [1, 123, 987654321])
def test_book_body_is_form_encoded_with_json_payment(
    api: resy.ResyApi, book_token: str, payment_id: int
) -> None:
    """/3/book is form-encoded; struct_payment_method is the JSON string {"id":N}."""
    request = api.book(book_token, payment_id)
    assert (request.method, request.path) == ("POST", "/3/book")
    assert dict(request.headers)["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.body is not None
    fields = parse_qs(request.body.decode("ascii"), strict_parsing=True)
    assert fields == {
        "book_token": [book_token],
        "struct_payment_method": [f'{{"id":{payment_id}}}'],
        "source_id": ["resy.com-venue-details"],
    }
    assert json.loads(fields["struct_payment_method"][0]) == {"id": payment_id}


def test_cancel_body_is_form_encoded(api: resy.ResyApi) -> None:
    """/3/cancel is a form POST carrying only resy_token."""
    request = api.cancel("rr://a+b=c&d")
    assert (request.method, request.path) == ("POST", "/3/cancel")
    assert dict(request.headers)["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.body is not None
    assert parse_qs(request.body.decode(), strict_parsing=True) == {"resy_token": ["rr://a+b=c&d"]}


@pytest.mark.parametrize(
    ("name", "method", "path"),
    [
        ("user", "GET", "/2/user"),
        ("reservations", "GET", "/3/user/reservations?limit=50&offset=1&type=upcoming"),
        ("venue", "GET", "/3/venue?id=60029"),
        ("config", "GET", "/2/config?venue_id=60029"),
    ],
)
def test_simple_get_paths(api: resy.ResyApi, name: str, method: str, path: str) -> None:
    """The read-only calls use the documented method and path, without a body."""
    request = build(api, name)
    assert (request.method, request.path, request.body) == (method, path, None)


def test_credentials_never_appear_in_repr() -> None:
    """repr of the credentials hides both secrets; secrets() lists them for redaction."""
    credentials = resy.ResyCredentials(KEY, TOKEN)
    assert KEY not in repr(credentials)
    assert TOKEN not in repr(credentials)
    assert credentials.secrets() == (KEY, TOKEN)


# --- status classes shared by the readers --------------------------------------------------------


def read_find_kind(status: int, body: bytes, target: ResyTarget) -> Kind:
    """Kind of a /4/find answer."""
    return resy.read_find(Answer(status, body), target).kind


def read_details_kind(status: int, body: bytes, target: ResyTarget) -> Kind:
    """Kind of a /3/details answer."""
    return resy.read_details(Answer(status, body)).kind


def read_book_kind(status: int, body: bytes, target: ResyTarget) -> Kind:
    """Kind of a /3/book answer."""
    return resy.read_book(Answer(status, body), Slot("19:00:00", "", "t", DAY)).kind


def read_user_kind(status: int, body: bytes, target: ResyTarget) -> Kind:
    """Kind of a /2/user answer."""
    return resy.read_user(Answer(status, body))[0].kind


READERS = [read_find_kind, read_details_kind, read_book_kind, read_user_kind]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (0, Kind.THROTTLE),
        (429, Kind.THROTTLE),
        (401, Kind.TERMINAL),
        (419, Kind.TERMINAL),
        (402, Kind.TERMINAL),
        (400, Kind.FAILURE),
        (403, Kind.FAILURE),
        (500, Kind.FAILURE),
        (502, Kind.FAILURE),
        (503, Kind.FAILURE),
    ],
)
def test_status_classes_are_shared(
    reader: Callable[[int, bytes, ResyTarget], Kind], status: int, kind: Kind, target: ResyTarget
) -> None:
    """Every reader maps no answer and 429 to THROTTLE, 401/419/402 to TERMINAL, others to FAILURE."""
    body = b'{"status": %d, "message": "whatever"}' % status
    assert reader(status, body, target) is kind


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("body", [b"", b"<html>challenge</html>", b"{", b"\xff\xfe", b"null"])
def test_unparseable_ok_bodies_are_failures(
    reader: Callable[[int, bytes, ResyTarget], Kind], body: bytes, target: ResyTarget
) -> None:
    """A 200 whose body is not the expected JSON is a FAILURE, never an exception.

    At /3/book it may have booked all the same: UNKNOWN (the flow looks before resending).
    """
    status = 201 if reader is read_book_kind else 200
    expected = Kind.UNKNOWN if reader is read_book_kind else Kind.FAILURE
    assert reader(status, body, target) is expected


def test_terminal_reasons_name_the_cause(target: ResyTarget) -> None:
    """Bad credentials and a missing card get their own explanatory reasons."""
    bad = resy.read_find(answer(419, {"status": 419, "message": "Unauthorized"}), target)
    assert bad.reason == resy.BAD_CREDENTIALS
    assert resy.read_details(answer(402, {})).reason == resy.NO_PAYMENT


def test_no_answer_reason_carries_the_error() -> None:
    """A status-0 answer keeps the transport's error name in the reason."""
    verdict = resy.read_details(Answer(0, b"", error="ConnectTimeout"))
    assert verdict == Verdict(Kind.THROTTLE, 0, "no answer (ConnectTimeout)")


def test_find_not_found_is_a_failure(target: ResyTarget) -> None:
    """404 means GONE only for details and book; on /4/find it is a failure."""
    assert resy.read_find(answer(404, {}), target).kind is Kind.FAILURE


def test_find_412_is_a_throttle(target: ResyTarget) -> None:
    """/4/find answers 412 when it throttles: pause, do not count a failure."""
    assert resy.read_find(answer(412, {}), target).kind is Kind.THROTTLE


def test_find_429_carries_retry_after(target: ResyTarget) -> None:
    """A 429's Retry-After (seconds or an HTTP date) travels with the throttle verdict."""
    seconds = Answer(429, b"", retry_after="4")
    assert resy.read_find(seconds, target).retry_after_s == 4.0
    dated = Answer(
        429,
        b"",
        date="Fri, 04 Dec 2026 10:00:00 GMT",
        retry_after="Fri, 04 Dec 2026 10:00:03 GMT",
    )
    assert resy.read_find(dated, target).retry_after_s == 3.0
    for junk in (None, "soon", ""):
        assert resy.read_find(Answer(429, b"", retry_after=junk), target).retry_after_s is None


def test_403_with_an_html_page_is_the_firewall(target: ResyTarget) -> None:
    """A 403 with an HTML body is the service's firewall, said so; a JSON 403 is not."""
    page = b"<!DOCTYPE html><html><body>Access denied</body></html>"
    for blocked in (
        Answer(403, page),
        Answer(403, b"<p>denied</p>", content_type="text/html; charset=UTF-8"),
    ):
        verdict = resy.read_find(blocked, target)
        assert verdict.kind is Kind.FAILURE
        assert "blocked by the service's firewall" in verdict.reason
    plain = resy.read_find(answer(403, {"status": 403, "message": "Forbidden"}), target)
    assert "firewall" not in plain.reason


# --- read_find: slot matching --------------------------------------------------------------------


def test_find_ranks_by_wanted_times(target: ResyTarget) -> None:
    """FOUND carries only wanted times, in the order of the user's preference."""
    slots = [
        raw_slot(f"{DAY} 18:00:00", "t1800"),
        raw_slot(f"{DAY} 18:30:00", "t1830"),
        raw_slot(f"{DAY} 19:00:00", "t1900"),
    ]
    verdict = resy.read_find(answer(200, find_doc(slots)), target)
    assert verdict.kind is Kind.FOUND
    assert found_tokens(verdict) == ["t1900", "t1830"]
    assert verdict.slots[0] == Slot("19:00:00", "Dining Room", "t1900", DAY)


def test_find_keeps_every_table_type_and_token_at_one_time(target: ResyTarget) -> None:
    """Several slots at one wanted time are all kept, in the order served."""
    slots = [
        raw_slot(f"{DAY} 19:00:00", "dining", "Dining Room"),
        raw_slot(f"{DAY} 19:00:00", "bar", "Bar"),
        raw_slot(f"{DAY} 19:00:00", "patio", "Patio"),
        raw_slot(f"{DAY} 19:00:00", "dining-2", "Dining Room"),
    ]
    verdict = resy.read_find(answer(200, find_doc(slots)), target)
    assert found_tokens(verdict) == ["dining", "bar", "patio", "dining-2"]
    assert [s.table_type for s in verdict.slots] == ["Dining Room", "Bar", "Patio", "Dining Room"]


@pytest.mark.parametrize(
    ("size", "kept"),
    [
        ({"min": 1, "max": 2}, True),
        ({"min": 2, "max": 2}, True),
        ({"min": 2, "max": 8}, True),
        ({"min": 3, "max": 8}, False),
        ({"min": 1, "max": 1}, False),
        ({"min": 4}, False),
        ({"max": 1}, False),
        ({}, True),
        ("not a dict", True),
        ({"min": "3", "max": None}, True),
    ],
)
def test_find_filters_party_size(size: Any, kept: bool, target: ResyTarget) -> None:
    """A slot whose size.min/max excludes the party is dropped; unknown sizes are kept."""
    verdict = resy.read_find(answer(200, find_doc([raw_slot(size=size)])), target)
    assert (verdict.kind is Kind.FOUND) is kept


@pytest.mark.parametrize("day", ["2026-12-25", "2026-12-23", "2027-12-24"])
def test_find_drops_slots_of_another_day(day: str, target: ResyTarget) -> None:
    """A slot whose date.start is another day is never offered."""
    slots = [raw_slot(f"{day} 19:00:00", "other"), raw_slot(f"{DAY} 18:30:00", "ours")]
    assert found_tokens(resy.read_find(answer(200, find_doc(slots)), target)) == ["ours"]


@pytest.mark.parametrize("start", ["19:00", "19:00:00", " 19:00:00"])
def test_find_accepts_a_start_without_day(start: str, target: ResyTarget) -> None:
    """A date.start holding only a time is taken as the target day, normalised to HH:MM:SS."""
    verdict = resy.read_find(answer(200, find_doc([raw_slot(start, "t")])), target)
    assert [s.time for s in verdict.slots] == ["19:00:00"]


@pytest.mark.parametrize(
    "malformed",
    [
        None,
        42,
        "slot",
        [],
        {},
        {"config": None, "date": {"start": f"{DAY} 19:00:00"}},
        {"config": "x", "date": {"start": f"{DAY} 19:00:00"}},
        {"config": {"type": "Bar"}, "date": {"start": f"{DAY} 19:00:00"}},
        raw_slot(token=""),
        raw_slot(token=None),
        raw_slot(token=12345),
        raw_slot(start=None),
        raw_slot(start=1900),
        {"config": {"token": "t"}, "date": "19:00"},
        {"config": {"token": "t"}},
    ],
)
def test_find_skips_malformed_slots(malformed: Any, target: ResyTarget) -> None:
    """Malformed slot entries are skipped; the well-formed ones around them still count."""
    slots = [malformed, raw_slot(f"{DAY} 19:00:00", "good")]
    verdict = resy.read_find(answer(200, find_doc(slots)), target)
    assert verdict.kind is Kind.FOUND
    assert found_tokens(verdict) == ["good"]


@pytest.mark.parametrize(
    "start",
    [
        *(f"{DAY} xx:00", f"{DAY} 25:00:00", f"{DAY} 19:61", f"{DAY} 19", "soon", f"{DAY} ²:00"),
        *(f"{DAY} 24:00:00", f"{DAY} 19:60:00", f"{DAY} 19:00:60", f"{DAY} 1x:00:00"),
    ],
)
def test_find_skips_slots_whose_start_time_is_malformed(start: str, target: ResyTarget) -> None:
    """A slot whose date.start is not a time is skipped, not an exception (bug: ValueError)."""
    slots = [raw_slot(start, "bad"), raw_slot(f"{DAY} 19:00:00", "good")]
    verdict = resy.read_find(answer(200, find_doc(slots)), target)
    assert found_tokens(verdict) == ["good"]
    assert [s.token for s in resy.parse_slots(find_doc(slots), DAY, 2)] == ["good"]  # all times


def test_find_missing_table_type_becomes_empty() -> None:
    """A slot without a string config.type keeps an empty table type."""
    document = find_doc([{"config": {"token": "t", "type": 7}, "date": {"start": "19:00"}}])
    assert resy.parse_slots(document, DAY, 2) == [Slot("19:00:00", "", "t", "")]


@pytest.mark.parametrize(
    "document",
    [
        {"results": {"venues": []}},
        find_doc([]),
        find_doc(None),
        {"results": {"venues": [{"venue": {}}]}},
        {"results": {"venues": ["not a dict"]}},
    ],
)
def test_find_before_release_is_expected(document: Any, target: ResyTarget) -> None:
    """No venue, no slots (empty or absent): not released yet, EXPECTED."""
    verdict = resy.read_find(answer(200, document), target)
    assert verdict == Verdict(Kind.EXPECTED, 200, "no slots yet")


def test_find_with_only_unwanted_slots_is_expected(target: ResyTarget) -> None:
    """Slots released but none at a wanted time: EXPECTED (keep polling), saying how many."""
    slots = [raw_slot(f"{DAY} 17:00:00", "a"), raw_slot(f"{DAY} 22:00:00", "b")]
    verdict = resy.read_find(answer(200, find_doc(slots)), target)
    assert verdict == Verdict(Kind.EXPECTED, 200, "2 slots, none wanted")


@pytest.mark.parametrize(
    "document",
    [{}, {"results": {}}, {"results": {"venues": {}}}, [], "text", 3, find_doc({"a": 1})],
)
def test_find_with_the_wrong_shape_is_a_failure(document: Any, target: ResyTarget) -> None:
    """A 200 without results.venues as a list, or with non-list slots, is a FAILURE."""
    assert resy.read_find(answer(200, document), target).kind is Kind.FAILURE


# --- normalise_time ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("19:00", "19:00:00"),
        ("19:00:00", "19:00:00"),
        ("7:05", "07:05:00"),
        (" 09:30 ", "09:30:00"),
        ("00:00", "00:00:00"),
        ("23:59:59", "23:59:59"),
    ],
)
def test_normalise_time_accepts_times(text: str, normal: str) -> None:
    """HH:MM and HH:MM:SS become HH:MM:SS."""
    assert resy.normalise_time(text) == normal


@pytest.mark.parametrize(
    "text",
    ["24:00", "25:00", "19:60", "19:61", "19:00:60", "19", "19:00:00:00", "", "7pm", "-1:00",
     "19:0a", "19.00", "²:00"],
)  # fmt: skip
def test_normalise_time_refuses_non_times(text: str) -> None:
    """Anything that is not a valid clock time raises ValueError."""
    with pytest.raises(ValueError, match=r"not a time|invalid literal"):
        resy.normalise_time(text)


# --- read_details --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201])
def test_details_found_carries_book_token(status: int) -> None:
    """A details answer with book_token.value is FOUND and carries the token."""
    document = {
        "book_token": {"value": "bt-123", "date_expires": "2026-12-24T15:05:00Z"},
        "user": {"payment_methods": [{"id": 1}]},
    }
    verdict = resy.read_details(answer(status, document))
    assert (verdict.kind, verdict.book_token) == (Kind.FOUND, "bt-123")


@pytest.mark.parametrize("status", [404, 412])
def test_details_gone(status: int) -> None:
    """404 and 412 at /3/details mean that slot is gone."""
    assert resy.read_details(answer(status, {})) == Verdict(Kind.GONE, status, "slot gone")


@pytest.mark.parametrize(
    "document",
    [{}, {"book_token": None}, {"book_token": "bt"}, {"book_token": {"value": ""}},
     {"book_token": {"value": 12}}, {"book_token": {}}, [], "bt"],
)  # fmt: skip
def test_details_without_a_token_is_a_failure(document: Any) -> None:
    """A 200 without a non-empty string book_token.value is a FAILURE."""
    assert resy.read_details(answer(200, document)).kind is Kind.FAILURE


# --- read_book -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reservation_id", "as_text"), [(987654, "987654"), ("abc-1", "abc-1"), (0, "0")]
)
def test_book_201_is_booked(reservation_id: Any, as_text: str) -> None:
    """201 with a reservation_id is BOOKED, carrying the id as text, the slot and resy_token."""
    chosen = Slot("19:00:00", "Bar", "tok", DAY)
    document = {"resy_token": "rr://xyz", "reservation_id": reservation_id}
    verdict = resy.read_book(answer(201, document), chosen)
    assert verdict.kind is Kind.BOOKED
    assert verdict.booked is not None
    assert (verdict.booked.reservation_id, verdict.booked.slot, verdict.booked.token) == (
        as_text,
        chosen,
        "rr://xyz",
    )


@pytest.mark.parametrize(
    "document",
    [{"reservation_id": 5, "resy_token": 9}, {"reservation_id": 5}, {"resy_token": ""},
     {"resy_token": None, "reservation_id": None}, {"status": 500, "message": "error"}],
)  # fmt: skip
def test_book_2xx_without_a_resy_token_is_unknown(document: Any) -> None:
    """A 2xx that does not name its reservation by a resy_token may have booked: UNKNOWN."""
    for status in (200, 201):
        verdict = resy.read_book(answer(status, document), Slot("", "", ""))
        assert verdict.kind is Kind.UNKNOWN
        assert verdict.booked is None


@pytest.mark.parametrize("status", [404, 412])
def test_book_gone(status: int) -> None:
    """404 and 412 at /3/book mean that slot is gone: move on to the next one."""
    verdict = resy.read_book(answer(status, {"message": "gone"}), Slot("", "", ""))
    assert verdict == Verdict(Kind.GONE, status, "slot gone")


@pytest.mark.parametrize(
    "document",
    [{}, {"reservation_id": None}, {"reservation_id": True}, {"reservation_id": [1]},
     {"reservation_id": 1.5}, [], "rr://x"],
)  # fmt: skip
def test_book_without_a_reservation_id_is_unknown(document: Any) -> None:
    """A 201 that names nothing (no ids, null ids, not an object) is UNKNOWN, not a failure."""
    assert resy.read_book(answer(201, document), Slot("", "", "")).kind is Kind.UNKNOWN


@pytest.mark.parametrize("reservation_id", [None, True, [1], 1.5, "absent"])
def test_book_with_a_resy_token_is_booked_whatever_the_id(reservation_id: Any) -> None:
    """The token is enough: the reservation is then known by it (journal, history, cancel)."""
    document: dict[str, Any] = {"resy_token": "rr://tok"}
    if reservation_id != "absent":
        document["reservation_id"] = reservation_id
    verdict = resy.read_book(answer(201, document), Slot("", "", ""))
    assert verdict.kind is Kind.BOOKED
    assert verdict.booked is not None
    assert (verdict.booked.reservation_id, verdict.booked.identity) == ("", "rr://tok")


# --- read_user -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("methods", "chosen"),
    [
        ([{"id": 1}, {"id": 2, "is_default": True}], 2),
        ([{"id": 1, "is_default": False}, {"id": 2}], 1),
        ([], None),
        (None, None),
        ("cards", None),
        ([{"id": "1"}, {"is_default": True}, "x", {"id": 7}], 7),
        ([{"id": 3, "is_default": True}, {"id": 4, "is_default": True}], 3),
    ],
)
def test_user_picks_default_then_first_payment_method(methods: Any, chosen: int | None) -> None:
    """The default card wins, else the first with an int id, else None."""
    verdict, method = resy.read_user(answer(200, {"payment_methods": methods}))
    assert verdict == Verdict(Kind.EXPECTED, 200, "credentials accepted")
    assert method == chosen


def test_user_without_payment_methods_is_a_failure() -> None:
    """A /2/user answer lacking payment_methods is a FAILURE with no card."""
    verdict, method = resy.read_user(answer(200, {"id": 1}))
    assert (verdict.kind, method) == (Kind.FAILURE, None)


# --- read_reservations ---------------------------------------------------------------------------


def test_reservations_are_read() -> None:
    """Each listed reservation keeps id, token, day, time, venue id (plain or nested) and seats."""
    document = {
        "reservations": [
            {
                "reservation_id": 11,
                "resy_token": "rr://1",
                "day": DAY,
                "time_slot": "19:00:00",
                "num_seats": 2,
                "venue": {"id": 60029},
            },
            {"reservation_id": "12", "venue": {"id": {"resy": 7}}},
            {"reservation_id": 13, "venue": "x", "num_seats": "2"},
            {"no_id": True},
            "junk",
        ]
    }
    assert resy.read_reservations(answer(200, document)) == [
        resy.Reservation("11", "rr://1", DAY, "19:00:00", 60029, 2),
        resy.Reservation("12", "", "", "", 7, None),
        resy.Reservation("13", "", "", "", None, None),
    ]


@pytest.mark.parametrize(
    ("status", "document"),
    [(500, {"reservations": []}), (200, {}), (200, {"reservations": {}}), (200, [])],
)
def test_unusable_reservations_raise_parse_error(status: int, document: Any) -> None:
    """A non-200 or a document without a reservations list raises ParseError."""
    with pytest.raises(ParseError):
        resy.read_reservations(answer(status, document))


def test_unparseable_reservations_raise_parse_error() -> None:
    """A body that is not JSON raises ParseError."""
    with pytest.raises(ParseError):
        resy.read_reservations(answer(200, raw=b"<html>"))


# --- read_venue and read_lead_time ---------------------------------------------------------------


def test_venue_is_read() -> None:
    """Name, time zone and the text bodies of content[] become the venue's rule."""
    document = {
        "name": "Carbone",
        "location": {"time_zone": "America/New_York"},
        "content": [
            {"body": "Reservations open 30 days ahead"},
            {"body": ""},
            {"title": "no body"},
            "junk",
            {"body": "at 10:00 AM."},
        ],
    }
    assert resy_venue.read_venue(answer(200, document), 60029) == resy_venue.Venue(
        60029, "Carbone", "America/New_York", "Reservations open 30 days ahead at 10:00 AM."
    )


@pytest.mark.parametrize(
    ("document", "zone"),
    [
        (
            {"locale": {"time_zone": "EST5EDT", "currency": "USD"}, "location": {}},
            "America/New_York",
        ),
        ({"locale": {"time_zone": "CST6CDT"}}, "America/Chicago"),
        ({"locale": {"time_zone": "MST7MDT"}}, "America/Denver"),
        ({"locale": {"time_zone": "PST8PDT"}}, "America/Los_Angeles"),
        ({"locale": {"time_zone": "Europe/London"}}, "Europe/London"),
        ({"locale": {}, "location": {"time_zone": "America/Chicago"}}, "America/Chicago"),
        (
            {"locale": {"time_zone": "EST5EDT"}, "location": {"time_zone": "UTC"}},
            "America/New_York",
        ),
        ({"location": {"latitude": 40.7}}, ""),
        ({"locale": {"time_zone": None}, "location": {"time_zone": " "}}, ""),
    ],
)
def test_venue_zone_from_locale_then_location(document: dict[str, Any], zone: str) -> None:
    """locale.time_zone first (legacy names mapped to IANA), then location; "" when neither."""
    venue = resy_venue.read_venue(answer(200, {"name": "V", **document}), 1)
    assert venue.time_zone == zone


def test_zone_and_release_from_find() -> None:
    """/4/find's venue carries location.time_zone; its slots carry market.date.on."""
    document = find_doc(
        [
            {**raw_slot(), "market": {"date": {"on": 1700000300}}},
            {**raw_slot(), "market": {"date": {"on": 1700000000, "off": 1}}},
            {**raw_slot(), "market": {"date": {"on": "soon"}}},
            raw_slot(),
        ]
    )
    document["results"]["venues"][0]["venue"]["location"] = {"time_zone": "PST8PDT"}
    assert resy_venue.find_zone(document) == "America/Los_Angeles"
    assert resy_venue.market_on(document) == 1700000000
    assert resy_venue.find_zone({"results": {"venues": []}}) == ""
    assert resy_venue.market_on(find_doc([raw_slot()])) is None


def test_last_released_day_from_config_or_calendar() -> None:
    """calendar_date_to (/2/config) or last_calendar_day (/4/venue/calendar)."""
    assert resy_venue.read_last_day(answer(200, {"calendar_date_to": "2026-12-30"})) == "2026-12-30"
    assert (
        resy_venue.read_last_day(answer(200, {"last_calendar_day": "2026-12-29"})) == "2026-12-29"
    )
    bad: Any
    for bad in ({"calendar_date_to": 5}, {"calendar_date_to": "soon"}, {}, []):
        assert resy_venue.read_last_day(answer(200, bad)) is None
    assert resy_venue.read_last_day(answer(500, {"calendar_date_to": "2026-12-30"})) is None


@pytest.mark.parametrize(
    ("status", "raw"),
    [
        (404, b'{"name": "x", "location": {"time_zone": "UTC"}}'),
        (200, b'{"location": {"time_zone": "UTC"}}'),
        (200, b'{"name": 1, "location": {"time_zone": "UTC"}}'),
        (200, b"[]"),
        (200, b"not json"),
    ],
)
def test_unusable_venue_raises_parse_error(status: int, raw: bytes) -> None:
    """A non-200, unparseable or incomplete venue answer raises ParseError."""
    with pytest.raises(ParseError):
        resy_venue.read_venue(answer(status, raw=raw), 1)


@pytest.mark.parametrize(
    ("status", "raw", "lead"),
    [
        (200, b'{"lead_time_in_days": 30}', 30),
        (200, b'{"lead_time_in_days": "30"}', None),
        (200, b"{}", None),
        (200, b"[1, 2]", None),
        (200, b"nope", None),
        (500, b'{"lead_time_in_days": 30}', None),
    ],
)
def test_lead_time(status: int, raw: bytes, lead: int | None) -> None:
    """lead_time_in_days is read when it is an int in a 200 answer, else None."""
    assert resy_venue.read_lead_time(answer(status, raw=raw)) == lead


# --- properties: readers never raise -------------------------------------------------------------

statuses = st.integers(min_value=0, max_value=599)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "results",
                    "venues",
                    "slots",
                    "config",
                    "token",
                    "date",
                    "start",
                    "size",
                    "min",
                    "max",
                    "book_token",
                    "value",
                    "reservation_id",
                    "resy_token",
                    "payment_methods",
                    "id",
                    "is_default",
                    "reservations",
                    "venue",
                    "name",
                    "location",
                    "time_zone",
                    "content",
                    "body",
                    "x",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=8,
)
bodies = st.one_of(st.binary(max_size=200), json_values.map(orjson.dumps))
PROPERTY_TARGET = ResyTarget(60029, DAY, 2, ("19:00:00",))


def check_verdict(verdict: Verdict) -> None:
    """A reader's result is a Verdict with a Kind."""
    assert isinstance(verdict, Verdict)
    assert isinstance(verdict.kind, Kind)


@given(statuses, bodies)
@PROPERTY
def test_read_find_never_raises(status: int, body: bytes) -> None:
    """read_find returns a Verdict for any status and any body."""
    check_verdict(resy.read_find(Answer(status, body), PROPERTY_TARGET))


scalars = st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=10)
slot_like = st.fixed_dictionaries(
    {
        "config": scalars | st.fixed_dictionaries({"token": scalars, "type": scalars}),
        "date": scalars | st.fixed_dictionaries({"start": scalars}),
        "size": scalars | st.fixed_dictionaries({"min": scalars, "max": scalars}),
    }
)


@given(st.lists(slot_like | scalars, max_size=4))
@PROPERTY
def test_read_find_never_raises_on_find_shaped_documents(slots: list[Any]) -> None:
    """read_find returns a Verdict whatever the slot entries hold."""
    body = orjson.dumps(find_doc(slots))
    check_verdict(resy.read_find(Answer(200, body), PROPERTY_TARGET))


@given(st.lists(st.text(max_size=12), min_size=1, max_size=4))
@PROPERTY
def test_read_find_never_raises_on_any_start_text(starts: list[str]) -> None:
    """read_find returns a Verdict whatever text date.start holds (bug: ValueError leaks)."""
    body = orjson.dumps(find_doc([raw_slot(start) for start in starts]))
    check_verdict(resy.read_find(Answer(200, body), PROPERTY_TARGET))


@given(statuses, bodies)
@PROPERTY
def test_read_details_never_raises(status: int, body: bytes) -> None:
    """read_details returns a Verdict for any status and any body."""
    check_verdict(resy.read_details(Answer(status, body)))


@given(statuses, bodies)
@PROPERTY
def test_read_book_never_raises(status: int, body: bytes) -> None:
    """read_book returns a Verdict for any status and any body."""
    check_verdict(resy.read_book(Answer(status, body), Slot("19:00:00", "", "t", DAY)))


@given(statuses, bodies)
@PROPERTY
def test_read_user_never_raises(status: int, body: bytes) -> None:
    """read_user returns a Verdict (and an int or None) for any status and any body."""
    verdict, method = resy.read_user(Answer(status, body))
    check_verdict(verdict)
    assert method is None or isinstance(method, int)


reservations_bodies = st.fixed_dictionaries(
    {"reservations": st.lists(json_values | st.dictionaries(st.sampled_from(
        ["reservation_id", "resy_token", "day", "time_slot", "num_seats", "venue"]),
        json_values | st.fixed_dictionaries({"id": json_values}), max_size=6), max_size=3)}
).map(orjson.dumps)  # fmt: skip
venue_bodies = st.fixed_dictionaries(
    {"name": json_values, "location": json_values | st.fixed_dictionaries({"time_zone": scalars}),
     "content": json_values | st.lists(st.fixed_dictionaries({"body": json_values}), max_size=3)}
).map(orjson.dumps)  # fmt: skip


@given(st.sampled_from([200, 200, 200, 404, 500]), bodies | reservations_bodies)
@PROPERTY
def test_read_reservations_raises_only_parse_error(status: int, body: bytes) -> None:
    """read_reservations either returns a list of Reservation or raises ParseError."""
    try:
        listed = resy.read_reservations(Answer(status, body))
    except ParseError:
        return
    assert all(isinstance(item, resy.Reservation) for item in listed)


@given(st.sampled_from([200, 200, 200, 404, 500]), bodies | venue_bodies)
@PROPERTY
def test_read_venue_raises_only_parse_error(status: int, body: bytes) -> None:
    """read_venue either returns a Venue or raises ParseError."""
    try:
        venue = resy_venue.read_venue(Answer(status, body), 1)
    except ParseError:
        return
    assert isinstance(venue, resy_venue.Venue)


@given(statuses, bodies)
@PROPERTY
def test_read_lead_time_never_raises(status: int, body: bytes) -> None:
    """read_lead_time returns an int or None for any answer."""
    lead = resy_venue.read_lead_time(Answer(status, body))
    assert lead is None or isinstance(lead, int)


_CLOCK = st.sampled_from(["19:00:00", "19:00", "7:00:00", "07:00:00", "18:30:00", "23:59:59"])
_ODD_CLOCK = st.text(alphabet="0123456789: ²x", min_size=0, max_size=9)
_START = st.one_of(
    st.builds(lambda c: f"{DAY} {c}", st.one_of(_CLOCK, _ODD_CLOCK)),
    st.builds(lambda c: f"{DAY}  {c}", _CLOCK),  # two spaces: not the canonical shape
    _CLOCK,  # a start without a day
    _ODD_CLOCK,
)


@PROPERTY
@given(
    starts=st.lists(_START, max_size=12),
    wanted=st.frozensets(st.sampled_from(["19:00:00", "07:00:00", "18:30:00", "23:59:59"])),
)
def test_the_fast_path_finds_exactly_what_the_full_parse_finds(
    starts: list[str], wanted: frozenset[str]
) -> None:
    """Skipping unwanted slots early (and reading canonical times directly) changes nothing.

    The reference is the full parse, every time through ``normalise_time``, then the filter.
    """
    document = find_doc([raw_slot(start, f"t{i}") for i, start in enumerate(starts)])
    every = resy.parse_slots(document, DAY, 2)
    fast = resy.parse_slots(document, DAY, 2, wanted)
    assert [s for s in fast if s.time in wanted] == [s for s in every if s.time in wanted]
    for slot in every:
        assert slot.time == resy.normalise_time(slot.time)


def test_slot_token_from_config_id_when_token_is_missing(target: ResyTarget) -> None:
    """config.token missing but config.id an rgs:// string: that is the token; ints are not."""
    rgs = "rgs://resy/60029/1/2/2026-12-24/2026-12-24/19:00:00/2/Dining Room"
    with_id = raw_slot()
    with_id["config"] = {"id": rgs, "type": "Dining Room"}
    numeric = raw_slot()
    numeric["config"] = {"id": 1677974, "type": "Bar"}
    other = raw_slot()
    other["config"] = {"id": "1677974", "type": "Bar"}
    verdict = resy.read_find(answer(200, find_doc([with_id, numeric, other])), target)
    assert found_tokens(verdict) == [rgs]
