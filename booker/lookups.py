"""One-shot lookups behind ``booker slots``, ``booker venue`` and ``booker ping``.

Each lookup opens one client (``booker.net.http``), sends a few requests on its own
uvloop loop, and hands back a plain value; the answers are read by the providers'
pure readers. Answers that end the command become errors at one boundary
(``raise_for``): no answer -> exit 1, refused credentials -> exit 3, anything else
unusable -> exit 1.

``ping`` is provider-neutral: a provider contributes a ``Probe`` (one request that
needs valid credentials, and how to classify its answer). Adding a provider is one
small function like ``resy_probe``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import statistics
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import uvloop

from booker.core.decide import Kind, Verdict
from booker.core.exceptions import BookerError, ParseError, ServiceRefusedError, UsageError
from booker.engine import server_clock
from booker.net.http import NO_ANSWER, Answer, ClientConfig, HttpClient, Request
from booker.providers import cart, resy
from booker.providers.common import FIREWALL, is_firewall, json_body
from booker.providers.resy_target import ResyTarget

T = TypeVar("T")

CONNECT_TIMEOUT_S = 5.0
REQUEST_TIMEOUT_S = 10.0


def client_config(base_url: str, ca_cert: Path | None = None) -> ClientConfig:
    """A client for a handful of requests: one connection, patient timeouts."""
    return ClientConfig(
        base_url=base_url,
        ca_cert=ca_cert,
        connect_timeout_s=CONNECT_TIMEOUT_S,
        request_timeout_s=REQUEST_TIMEOUT_S,
        pool_connections=1,
    )


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on a fresh uvloop loop."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


async def exchange(config: ClientConfig, requests: Sequence[Request]) -> list[Answer]:
    """Send ``requests`` together on one client; the answers in the same order."""
    async with HttpClient(config) as client:
        return list(await asyncio.gather(*(client.send(r) for r in requests)))


def raise_for(answer: Answer, what: str, base_url: str) -> None:
    """Nothing for a 200; otherwise the error that ends the command."""
    if answer.status == 200:
        return
    if answer.status == NO_ANSWER:
        raise BookerError(f"cannot reach {base_url} ({answer.error or 'connection failed'})")
    if answer.status in (401, 419):
        raise ServiceRefusedError(resy.BAD_CREDENTIALS)
    if answer.status == 429:
        raise BookerError(f"{what}: rate limited (HTTP 429); try again in a minute")
    if is_firewall(answer):
        raise BookerError(f"{what}: {FIREWALL} (HTTP 403)")
    raise BookerError(f"{what}: the service answered HTTP {answer.status}")


# --- Resy: slots and venue ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlotsView:
    """What ``booker slots resy`` shows."""

    venue: resy.Venue
    day: str
    party_size: int
    offers: tuple[resy.Offer, ...]

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "venue": {
                "id": self.venue.venue_id,
                "name": self.venue.name,
                "time_zone": self.venue.time_zone,
            },
            "day": self.day,
            "party_size": self.party_size,
            "slots": [
                {
                    "time": o.slot.time,
                    "table_type": o.slot.table_type,
                    "is_paid": o.is_paid,
                    "deposit_fee": o.deposit_fee,
                    "token": o.slot.token,
                }
                for o in self.offers
            ],
        }


@dataclass(frozen=True, slots=True)
class VenueView:
    """What ``booker venue resy`` shows."""

    venue: resy.Venue

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document."""
        v = self.venue
        return {
            "venue_id": v.venue_id,
            "name": v.name,
            "time_zone": v.time_zone,
            "lead_time_in_days": v.lead_time_in_days,
            "release_rule": v.rule or None,
        }


def _read_venue(answer: Answer, venue_id: int, base_url: str) -> resy.Venue:
    if answer.status == 404:
        raise UsageError(f"Resy knows no venue {venue_id} (HTTP 404)")
    raise_for(answer, "/3/venue", base_url)
    try:
        return resy.read_venue(answer, venue_id)
    except ParseError as exc:
        raise BookerError(f"/3/venue: {exc}") from exc


def _retry_find(answer: Answer) -> bool:
    """The method of this /4/find may be the wrong one: try the other."""
    return answer.status == 405 or answer.status >= 500


async def find(client: HttpClient, api: resy.ResyApi, day: str) -> Answer:
    """/4/find for ``day``: POST with JSON first, GET when POST is refused (405/5xx)."""
    first, second = resy.FIND_METHODS
    answer = await client.send(api.find(first, day))
    if _retry_find(answer):
        answer = await client.send(api.find(second, day))
    return answer


def _with_zone(venue: resy.Venue, document: Any) -> resy.Venue:
    """``venue`` with the zone of the /4/find ``document`` when /3/venue named none."""
    if venue.time_zone:
        return venue
    return replace(venue, time_zone=resy.find_zone(document))


def _require_zone(venue: resy.Venue) -> resy.Venue:
    if not venue.time_zone:
        raise BookerError(
            f"the service names no time zone for venue {venue.venue_id} "
            "(neither /3/venue nor /4/find)"
        )
    return venue


def _document(answer: Answer) -> Any:
    try:
        return json_body(answer) if answer.status == 200 else None
    except ParseError:
        return None


def resy_slots(
    config: ClientConfig,
    credentials: resy.ResyCredentials,
    venue_id: int,
    day: str,
    party_size: int,
) -> SlotsView:
    """The venue and the slots it offers now for ``day`` and ``party_size``."""
    api = resy.ResyApi(credentials, ResyTarget(venue_id, day, party_size, ()))

    async def both() -> tuple[Answer, Answer]:
        async with HttpClient(config) as client:
            venue, found = await asyncio.gather(client.send(api.venue()), find(client, api, day))
            return venue, found

    venue_answer, find_answer = run(both())
    venue = _read_venue(venue_answer, venue_id, config.base_url)
    raise_for(find_answer, "/4/find", config.base_url)
    try:
        document = json_body(find_answer)
        offers = resy.parse_offers(document, day, party_size)
    except ParseError as exc:
        raise BookerError(f"/4/find: {exc}") from exc
    offers.sort(key=lambda o: (o.slot.time, o.slot.table_type))
    venue = _require_zone(_with_zone(venue, document))
    return SlotsView(venue, day, party_size, tuple(offers))


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """What the service says about a venue's releases (``booker drop``, ``booker venue``)."""

    venue: resy.Venue  # with its zone and lead_time_in_days
    last_day: str | None = None  # the last released day
    market_on: int | None = None  # epoch seconds: when ``last_day`` went on sale


CALENDAR_DAYS = 400  # /4/venue/calendar: ask about this many days from today


def resy_release_facts(
    config: ClientConfig,
    credentials: resy.ResyCredentials,
    venue_id: int,
    today: dt.date,
    party_size: int = 2,
) -> ReleaseFacts:
    """/3/venue and /2/config; the last released day (``calendar_date_to``, else
    /4/venue/calendar) and when it went on sale (its slots' ``market.date.on``)."""
    api = resy.ResyApi(credentials, ResyTarget(venue_id, today.isoformat(), party_size, ()))

    async def ask() -> tuple[Answer, Answer, str | None, Answer | None]:
        async with HttpClient(config) as client:
            venue, settings = await asyncio.gather(
                client.send(api.venue()), client.send(api.config())
            )
            if venue.status != 200:
                return venue, settings, None, None
            last = resy.read_last_day(settings)
            if last is None:
                end = today + dt.timedelta(days=CALENDAR_DAYS)
                last = resy.read_last_day(
                    await client.send(api.calendar(today.isoformat(), end.isoformat()))
                )
            found = await find(client, api, last or today.isoformat())
            return venue, settings, last, found

    venue_answer, config_answer, last, find_answer = run(ask())
    venue = _read_venue(venue_answer, venue_id, config.base_url)
    venue = replace(venue, lead_time_in_days=resy.read_lead_time(config_answer))
    document = _document(find_answer) if find_answer is not None else None
    venue = _require_zone(_with_zone(venue, document))
    on = resy.market_on(document) if last is not None else None
    return ReleaseFacts(venue, last, on)


def resy_venue(config: ClientConfig, credentials: resy.ResyCredentials, venue_id: int) -> VenueView:
    """Name, zone, release rule and lead time of one venue."""
    today = dt.datetime.now(dt.UTC).date()
    return VenueView(resy_release_facts(config, credentials, venue_id, today).venue)


# --- ping ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Probe:
    """A provider's credentials check: one request, and how to read its answer."""

    provider: str
    request: Request
    classify: Callable[[Answer], Verdict]  # EXPECTED when the credentials are accepted


def resy_probe(credentials: resy.ResyCredentials) -> Probe:
    """Resy: ``GET /2/user`` with the user's token."""
    api = resy.ResyApi(credentials, ResyTarget(0, "", 1, ()))
    return Probe("resy", api.user(), lambda answer: resy.read_user(answer)[0])


def cart_probe(credentials: cart.CartCredentials) -> Probe:
    """Carts: read the cart with the session cookies."""
    api = cart.CartApi(credentials, cart.CartTarget("", "", "", "", 1))
    return Probe("cart", api.view_cart(), _classify_cart)


def _classify_cart(answer: Answer) -> Verdict:
    refused = cart.classify_cart_answer(answer)
    if refused is not None:
        return refused
    try:
        cart.read_cart(answer)
    except ParseError as exc:
        return Verdict(Kind.FAILURE, answer.status, str(exc))
    return Verdict(Kind.EXPECTED, answer.status, "cart readable")


@dataclass(frozen=True, slots=True)
class PingResult:
    """What ``booker ping`` reports."""

    provider: str
    base_url: str
    http_version: str
    first_ms: float
    rtt_ms: tuple[float, ...]
    offset: server_clock.Estimate | None  # offset_s = local - server

    @property
    def median_ms(self) -> float:
        """Median round trip over the warm connection."""
        return statistics.median(self.rtt_ms)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` document."""
        return {
            "provider": self.provider,
            "base_url": self.base_url,
            "credentials": "accepted",
            "http_version": self.http_version,
            "first_ms": round(self.first_ms, 3),
            "rtt_ms": {
                "median": round(self.median_ms, 3),
                "min": round(min(self.rtt_ms), 3),
                "max": round(max(self.rtt_ms), 3),
                "samples": [round(x, 3) for x in self.rtt_ms],
            },
            "server_clock_ahead_s": round(-self.offset.offset_s, 4) if self.offset else None,
            "server_clock_uncertainty_s": (
                round(self.offset.uncertainty_s, 4) if self.offset else None
            ),
        }


def check_verdict(verdict: Verdict, answer: Answer, base_url: str) -> None:
    """Nothing when the credentials were accepted; otherwise the error that ends ``ping``."""
    if verdict.kind is Kind.EXPECTED:
        return
    if verdict.kind is Kind.TERMINAL:
        raise ServiceRefusedError(verdict.reason)
    if answer.status == NO_ANSWER:
        raise BookerError(f"cannot reach {base_url} ({answer.error or 'connection failed'})")
    if is_firewall(answer):
        raise BookerError(
            f"{FIREWALL} (HTTP 403 with a web page): this address is blocked; "
            "try from another network"
        )
    raise BookerError(f"the service did not confirm the credentials: {verdict.reason}")


async def _ping(config: ClientConfig, probe: Probe, samples: int) -> PingResult:
    async with HttpClient(config) as client:
        prepared = client.prepare(probe.request)
        answers: list[Answer] = []

        async def send() -> str | None:
            answer = await client.send(prepared)
            check_verdict(probe.classify(answer), answer, config.base_url)
            answers.append(answer)
            return answer.date

        await send()  # warms the connection (DNS, TCP, TLS, ALPN); not timed
        # --samples counts timed requests: one probe per second boundary, as many as asked
        offset = await server_clock.estimate_offset(send, samples, per_boundary=1)
    return PingResult(
        provider=probe.provider,
        base_url=config.base_url,
        http_version=answers[-1].http_version,
        first_ms=answers[0].elapsed_s * 1000,
        rtt_ms=tuple(a.elapsed_s * 1000 for a in answers[1:]),
        offset=offset,
    )


def ping(config: ClientConfig, probe: Probe, samples: int = 5) -> PingResult:
    """Warm one connection with the probe, then time ``samples`` more on it.

    The timed requests double as clock probes (``booker.engine.server_clock``): each
    is sent so it reaches the service on a predicted second boundary, which pins the
    service's clock to about one round trip and makes ``ping`` last a few seconds.
    """
    return run(_ping(config, probe, samples))
