"""A Resy venue, its release facts and the slots it offers now (``slots``, ``venue``,
``drop``, and the venue's zone for ``book`` and ``schedule``).

One venue fetch: /3/venue read once (``_read_venue``), its zone taken from /4/find
when /3/venue names none. Answers that end the command become errors in
``booker.oneshot.errors``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from booker.core.exceptions import BookerError, ParseError, UsageError
from booker.core.wire import Answer, ClientConfig
from booker.net.http import HttpClient
from booker.oneshot.client import run
from booker.oneshot.errors import read
from booker.providers import resy, resy_venue
from booker.providers.common import json_body
from booker.providers.resy_target import ResyTarget

CALENDAR_DAYS = 400  # /4/venue/calendar: ask about this many days from today


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """What the service says about a venue's releases (``booker drop``, ``booker venue``)."""

    venue: resy_venue.Venue  # with its zone and lead_time_in_days
    last_day: str | None = None  # the last released day
    market_on: int | None = None  # epoch seconds: when ``last_day`` went on sale


def _read_venue(answer: Answer, venue_id: int, base_url: str) -> resy_venue.Venue:
    if answer.status == 404:
        raise UsageError(f"Resy knows no venue {venue_id} (HTTP 404)")
    return read(
        answer,
        base_url,
        "/3/venue",
        lambda a: resy_venue.read_venue(a, venue_id),
        refusal=resy.refused_credentials,
    )


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


def _with_zone(venue: resy_venue.Venue, document: Any) -> resy_venue.Venue:
    """``venue`` with the zone of the /4/find ``document`` when /3/venue named none."""
    if venue.time_zone:
        return venue
    return replace(venue, time_zone=resy_venue.find_zone(document))


def _require_zone(venue: resy_venue.Venue) -> resy_venue.Venue:
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


def slots(
    config: ClientConfig,
    credentials: resy.ResyCredentials,
    venue_id: int,
    day: str,
    party_size: int,
) -> tuple[resy_venue.Venue, tuple[resy_venue.Offer, ...]]:
    """The venue and the slots it offers now for ``day`` and ``party_size``, by time."""
    api = resy.ResyApi(credentials, ResyTarget(venue_id, day, party_size, ()))

    async def both() -> tuple[Answer, Answer]:
        async with HttpClient(config) as client:
            venue, found = await asyncio.gather(client.send(api.venue()), find(client, api, day))
            return venue, found

    def read_offers(answer: Answer) -> tuple[Any, list[resy_venue.Offer]]:
        document = json_body(answer)
        return document, resy_venue.parse_offers(document, day, party_size)

    venue_answer, find_answer = run(both())
    venue = _read_venue(venue_answer, venue_id, config.base_url)
    document, offers = read(
        find_answer, config.base_url, "/4/find", read_offers, refusal=resy.refused_credentials
    )
    offers.sort(key=lambda o: (o.slot.time, o.slot.table_type))
    return _require_zone(_with_zone(venue, document)), tuple(offers)


def release_facts(
    config: ClientConfig,
    credentials: resy.ResyCredentials,
    venue_id: int,
    today: dt.date | None = None,
    party_size: int = 2,
) -> ReleaseFacts:
    """/3/venue and /2/config; the last released day (``calendar_date_to``, else
    /4/venue/calendar) and when it went on sale (its slots' ``market.date.on``).

    ``today`` is the UTC day by default.
    """
    today = today or dt.datetime.now(dt.UTC).date()
    api = resy.ResyApi(credentials, ResyTarget(venue_id, today.isoformat(), party_size, ()))

    async def ask() -> tuple[Answer, Answer, str | None, Answer | None]:
        async with HttpClient(config) as client:
            venue, settings = await asyncio.gather(
                client.send(api.venue()), client.send(api.config())
            )
            if venue.status != 200:
                return venue, settings, None, None
            last = resy_venue.read_last_day(settings)
            if last is None:
                end = today + dt.timedelta(days=CALENDAR_DAYS)
                last = resy_venue.read_last_day(
                    await client.send(api.calendar(today.isoformat(), end.isoformat()))
                )
            found = await find(client, api, last or today.isoformat())
            return venue, settings, last, found

    venue_answer, config_answer, last, find_answer = run(ask())
    venue = _read_venue(venue_answer, venue_id, config.base_url)
    venue = replace(venue, lead_time_in_days=resy_venue.read_lead_time(config_answer))
    document = _document(find_answer) if find_answer is not None else None
    venue = _require_zone(_with_zone(venue, document))
    on = resy_venue.market_on(document) if last is not None else None
    return ReleaseFacts(venue, last, on)


def venue(
    config: ClientConfig, credentials: resy.ResyCredentials, venue_id: int
) -> resy_venue.Venue:
    """Name, zone, release rule and lead time of one venue."""
    return release_facts(config, credentials, venue_id).venue
