"""``booker check PROVIDER``: the night-before check, one line per item, OK / WARNING / FAIL.

Exit codes: 0 when nothing fails (warnings allowed), 1 when some item fails,
2 for bad usage. Nothing secret is printed: items name credentials, never show them.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click
import orjson

from booker.cli.options import (
    lookup_options,
    parse_day,
    parse_days,
    parse_identifier,
    parse_ids,
    parse_venue_ids,
)
from booker.core.exceptions import BookerError, CredentialsError, ParseError, UsageError
from booker.core.tokens import Level, check_expiry
from booker.core.wire import NO_ANSWER, Answer, ClientConfig, check_base_url
from booker.providers import cart, resy, resy_venue
from booker.providers.resy_target import ResyTarget
from booker.timing.night_check import Item, Matcher, report_json

if TYPE_CHECKING:
    from booker.core.ports import Probe
    from booker.oneshot.token_renewal import TokenState

EXIT_FAILED = 1


def _crontab_text() -> str:
    """The user's crontab (``booker.cli.schedule``'s reader); tests replace this."""
    from booker.cli.schedule import read_crontab, run_crontab

    return read_crontab(run_crontab)


CRONTAB_READER = _crontab_text

SCHEDULE_OPTIONS = [
    click.option("--at", "at_text", metavar="WHEN",
                 help="The drop: HH:MM (next one), 'YYYY-MM-DD HH:MM' or ISO 8601 "
                      "[default: the venue's release instant]."),
    click.option("--tz", "zone_name", help="Zone of --at (IANA name) [default: the venue's]."),
    click.option("--tag", help="The scheduled job's tag (default: found by its options)."),
    click.option("--samples", type=click.IntRange(1, 20), default=3, show_default=True,
                 help="Requests that read the service's clock (one per second)."),
]  # fmt: skip


def schedule_options(command: click.decorators.FC) -> click.decorators.FC:
    """--at, --tz, --tag and --samples."""
    for option in reversed(SCHEDULE_OPTIONS):
        command = option(command)
    return command


@click.group(
    epilog="""\b
Example:
  booker check resy --venue-id 60029 --date 2026-12-24
"""
)
def check() -> None:
    """Check everything a drop needs, the night before."""


@check.command(
    "resy",
    epilog="""\b
Examples:
  booker check resy --venue-id 60029 --date 2026-12-24
  booker check resy --venue-id 60029 --date 2026-12-24 --at "2026-11-24 10:00" --json
""",
)
@click.option(
    "--venue-id", required=True, help="Resy venue id; several in order of preference: 60029,1505."
)
@click.option(
    "--date",
    "day",
    required=True,
    help="The day you want to book, YYYY-MM-DD; several in order of preference: "
    "2026-12-24,2026-12-26.",
)
@schedule_options
@lookup_options(resy.BASE_URL)
def check_resy(
    venue_id: str,
    day: str,
    at_text: str | None,
    zone_name: str | None,
    tag: str | None,
    samples: int,
    base_url: str,
    ca_cert: Path | None,
    as_json: bool,
) -> int:
    """Credentials, token expiry, card, venue and release, clock, and the scheduled job.

    For a job of several venues or days, the venue and release checked are its first
    ones; its crontab line is the one naming them all (in any order).
    """
    from booker.oneshot.client import client_config

    config = client_config(check_base_url(base_url), ca_cert)
    venue_ids, days = parse_venue_ids(venue_id), parse_days(day)
    if zone_name is not None:
        from booker.timing.when import zone_named

        zone_named(zone_name)
    items = resy_items(config, venue_ids, days, at_text, zone_name, tag, samples)
    return _print(items, as_json)


@check.command(
    "cart",
    epilog="""\b
Example:
  booker check cart --facility-id 140 --site-id 245719 --arrival-date 2026-05-17 \\
      --at "2026-05-01 09:00" --tz America/New_York
""",
)
@click.option("--facility-id", required=True, help="Campground (facility) id.")
@click.option(
    "--site-id", required=True, help="Campsite id; several in order of preference: 245719,245720."
)
@click.option("--arrival-date", required=True, help="First night, YYYY-MM-DD.")
@schedule_options
@lookup_options(cart.BASE_URL)
def check_cart(
    facility_id: str,
    site_id: str,
    arrival_date: str,
    at_text: str | None,
    zone_name: str | None,
    tag: str | None,
    samples: int,
    base_url: str,
    ca_cert: Path | None,
    as_json: bool,
) -> int:
    """Cookies accepted, idToken expiry, clock, and the scheduled job."""
    from booker.oneshot.client import client_config

    config = client_config(check_base_url(base_url), ca_cert)
    wants = cart_wants(
        parse_identifier("--facility-id", facility_id),
        parse_ids(site_id, "--site-id"),
        parse_day(arrival_date, option="--arrival-date"),
    )
    items = cart_items(config, wants, at_text, zone_name, tag, samples)
    return _print(items, as_json)


def resy_wants(venue_ids: tuple[int, ...], days: tuple[str, ...]) -> dict[str, Matcher]:
    """What makes a ``book resy`` crontab line this job's: the same venues and days."""
    return {
        "--venue-id": _reads_as(
            lambda text: frozenset(parse_venue_ids(text)), frozenset(venue_ids)
        ),
        "--date": _reads_as(lambda text: frozenset(parse_days(text)), frozenset(days)),
    }


def cart_wants(
    facility_id: str, site_ids: tuple[str, ...], arrival_date: str
) -> dict[str, Matcher]:
    """What makes a ``book cart`` crontab line this job's: the same campground, sites and arrival."""
    return {
        "--facility-id": _reads_as(
            lambda text: parse_identifier("--facility-id", text), facility_id
        ),
        "--site-id": _reads_as(
            lambda text: frozenset(parse_ids(text, "--site-id")), frozenset(site_ids)
        ),
        "--arrival-date": _reads_as(
            lambda text: parse_day(text, option="--arrival-date"), arrival_date
        ),
    }


def _reads_as(read: Callable[[str], object], value: object) -> Matcher:
    """A crontab line's option is this job's when ``read`` (the option's own parser) makes
    it ``value``: ids and days as booker reads them, a list of several as the set the
    journal files the job under (any order); text ``read`` refuses is no match."""

    def matches(text: str) -> bool:
        try:
            return read(text) == value
        except UsageError:
            return False

    return matches


def _print(items: list[Item], as_json: bool) -> int:
    if as_json:
        click.echo(orjson.dumps(report_json(items)).decode())
    else:
        for item in items:
            click.echo(item.line())
    return EXIT_FAILED if any(i.level is Level.FAIL for i in items) else 0


# --- Resy ---------------------------------------------------------------------------------


def resy_items(
    config: ClientConfig,
    venue_ids: tuple[int, ...],
    days: tuple[str, ...],
    at_text: str | None,
    zone_name: str | None,
    tag: str | None,
    samples: int,
) -> list[Item]:
    """Every item of ``booker check resy``, in order (the service's about the first venue
    and day)."""
    from booker.oneshot.client import exchange, run
    from booker.oneshot.token_renewal import token_state
    from booker.providers import resy_credentials

    venue_id, day = venue_ids[0], days[0]
    items: list[Item] = []
    try:
        found = resy_credentials.found()
        state = token_state(found)
    except UsageError as exc:  # a file holding credentials is unsafe or unreadable
        return [Item("credentials", Level.FAIL, str(exc))]
    if resy.API_KEY not in found:
        return [
            Item(
                "credentials",
                Level.FAIL,
                "RESY_API_KEY is missing (environment, .env, settings file)",
            )
        ]
    token = found.get(resy.AUTH_TOKEN, "")
    credentials = resy.ResyCredentials(found[resy.API_KEY], token)
    api = resy.ResyApi(credentials, ResyTarget(venue_id, day, 1, ()))
    requests = [api.venue(), api.config()] + ([api.user()] if token else [])
    answers = run(exchange(config, requests))
    venue_answer, config_answer = answers[0], answers[1]
    accepted = False
    if not token:
        items.append(
            Item("credentials", Level.FAIL, "RESY_AUTH_TOKEN is missing: run booker login resy")
        )
    else:
        user_answer = answers[2]
        accepted, item = _credentials_item(config, user_answer, state, found[resy.API_KEY])
        items.append(item)
    venue, lead = _venue(venue_answer, config_answer, venue_id)
    now = time.time()
    drop, release_items = _release_items(venue, lead, day, at_text, zone_name, now)
    drop_epoch = drop.timestamp() if drop is not None and drop.timestamp() > now else now
    if token:
        verdict = state.expiry(drop_epoch, now)
        items.append(Item("token", verdict.level, verdict.message))
    if accepted:
        items.append(_payment_item(answers[2]))
    items += [
        Item("venue", Level.OK if venue else Level.FAIL, _venue_text(venue, venue_id, venue_answer))
    ]
    items += release_items
    if accepted:
        items.append(_clock_item(config, resy.credentials_probe(credentials), samples))
    items += _schedule_items(
        resy.NAME,
        resy_wants(venue_ids, days),
        tag,
        (resy.API_KEY, resy.AUTH_TOKEN),
        drop=drop,
        drop_epoch=drop_epoch,
        now=now,
    )
    return items


def _credentials_item(
    config: ClientConfig, answer: Answer, state: TokenState, api_key: str
) -> tuple[bool, Item]:
    """GET /2/user's verdict; a refused token that the refresh token renews is a warning."""
    from booker.oneshot.resy_account import refresh

    if answer.status == 200:
        return True, Item(
            "credentials", Level.OK, "RESY_API_KEY and RESY_AUTH_TOKEN accepted (GET /2/user)"
        )
    if answer.status == NO_ANSWER:
        return False, Item(
            "credentials",
            Level.FAIL,
            f"no answer from {config.base_url} ({answer.error or 'connection failed'})",
        )
    if answer.status not in (401, 419):
        return False, Item("credentials", Level.FAIL, f"GET /2/user answered HTTP {answer.status}")
    if state.refresh_token:
        try:
            refresh(config, api_key, state.refresh_token)
        except BookerError as exc:
            return False, Item(
                "credentials", Level.FAIL, f"refused (HTTP {answer.status}), and {exc}"
            )
        return False, Item(
            "credentials",
            Level.WARNING,
            f"RESY_AUTH_TOKEN refused (HTTP {answer.status}); the stored refresh token renews it "
            "(a run does so by itself)",
        )
    return False, Item(
        "credentials",
        Level.FAIL,
        f"refused (HTTP {answer.status}): check RESY_API_KEY, or sign in again (booker login resy)",
    )


def _payment_item(answer: Answer) -> Item:
    from booker.providers.resy_account import read_cards

    try:
        cards = read_cards(answer)
    except ParseError as exc:
        return Item("card", Level.FAIL, f"cannot read the payment methods: {exc}")
    if not cards:
        return Item(
            "card", Level.FAIL, "no payment method on file: add a card to your Resy account"
        )
    chosen = next((c for c in cards if c.is_default), cards[0])
    default = "default" if chosen.is_default else "first of"
    return Item(
        "card",
        Level.OK,
        f"{len(cards)} on file; booker uses {chosen.id} ({default}, {chosen.type})",
    )


def _venue(
    venue_answer: Answer, config_answer: Answer, venue_id: int
) -> tuple[resy_venue.Venue | None, int | None]:
    try:
        venue = resy_venue.read_venue(venue_answer, venue_id)
    except (ParseError, BookerError):
        return None, None
    return venue, resy_venue.read_lead_time(config_answer)


def _venue_text(venue: resy_venue.Venue | None, venue_id: int, answer: Answer) -> str:
    if venue is not None:
        return f"{venue.name} (id {venue_id}), {venue.time_zone}"
    if answer.status == 404:
        return f"Resy knows no venue {venue_id} (HTTP 404)"
    if answer.status == NO_ANSWER:
        return f"no answer ({answer.error or 'connection failed'})"
    return f"GET /3/venue answered HTTP {answer.status}"


def _release_items(
    venue: resy_venue.Venue | None,
    lead: int | None,
    day: str,
    at_text: str | None,
    zone_name: str | None,
    now_s: float,
) -> tuple[dt.datetime | None, list[Item]]:
    """The release instant (``--at`` or the venue's own) and what to say about it."""
    from booker.timing.release_rule import plan_release, relative

    now = dt.datetime.fromtimestamp(now_s, dt.UTC)
    planned: dt.datetime | None = None
    candidates: list[dt.datetime] = []
    note = ""
    if venue is not None:
        try:
            plan = plan_release(
                dt.date.fromisoformat(day), venue.time_zone, config_days=lead, rule_text=venue.rule
            )
        except UsageError as exc:
            note = str(exc)
        else:
            candidates = [c.instant for c in plan.candidates]
            planned = candidates[0]
            first = plan.candidates[0]
            note = f"{first.days_ahead} days ahead ({first.source}) at {plan.time:%H:%M}" + (
                " (time assumed)" if plan.time_assumed else ""
            )
    zone = zone_name or (venue.time_zone if venue else None)
    at = _parse_at(at_text, zone, now) if at_text else None
    drop = at or planned
    if drop is None:
        return None, [Item("release", Level.WARNING, note or "release instant unknown: pass --at")]
    stamp = f"{drop:%Y-%m-%d %H:%M:%S %Z}".rstrip()
    if drop <= now:
        level = Level.WARNING if at is not None else Level.OK
        return drop, [
            Item(
                "release", level, f"{day} is already open (released {stamp}, {relative(drop, now)})"
            )
        ]
    items = [
        Item(
            "release",
            Level.OK,
            f"{day} opens {stamp}, {relative(drop, now)}"
            + (f"; {note}" if note and at is None else ""),
        )
    ]
    if at is not None and candidates and at not in candidates:
        items.append(
            Item(
                "release",
                Level.WARNING,
                f"--at is not the venue's release instant {planned:%Y-%m-%d %H:%M %Z} ({note})",
            )
        )
    return drop, items


def _parse_at(text: str, zone_name: str | None, now: dt.datetime) -> dt.datetime:
    """``--at`` as ``book`` and ``schedule`` read it: in ``zone_name`` (--tz or the venue's)."""
    from booker.timing.when import parse_when, zone_for

    return parse_when(text, zone_for(text, None, lambda: zone_name), now, max_ahead=None)


def _clock_item(config: ClientConfig, probe: Probe, samples: int) -> Item:
    """The service's clock against ours, from its Date headers."""
    from booker.cli.ping import describe_offset
    from booker.engine.server_clock import doubt
    from booker.oneshot.ping import ping

    try:
        result = ping(config, probe, samples)
    except BookerError as exc:
        return Item("clock", Level.WARNING, f"not measured: {exc}")
    offset = result.offset
    text = describe_offset(offset)
    if offset is None or doubt(offset) is not None:
        return Item("clock", Level.WARNING, text + "; booker would use this machine's clock")
    if abs(offset.offset_s) > 30:
        return Item(
            "clock", Level.WARNING, text + "; this machine's clock is off, and cron starts by it"
        )
    return Item("clock", Level.OK, text)


def _schedule_items(
    provider: str,
    wants: dict[str, Matcher],
    tag: str | None,
    names: tuple[str, ...],
    *,
    drop: dt.datetime | None,
    drop_epoch: float,
    now: float,
) -> list[Item]:
    """The crontab line of this job, and the directory cron will enter (where the job must
    find ``names`` and a token that lasts)."""
    from booker.providers.credentials import CREDENTIAL_NAMES, EXPIRING_TOKENS
    from booker.timing.night_check import check_cron_directory, check_job_time, find_jobs
    from booker.timing.scheduling import cron_environment

    try:
        crontab = CRONTAB_READER()
    except UsageError as exc:
        return [Item("cron line", Level.WARNING, f"cannot read the crontab: {exc}")]
    jobs = find_jobs(crontab, provider, wants, tag)
    if not jobs:
        if tag is not None:
            return [Item("cron line", Level.FAIL, f"no crontab line tagged booker:{tag}")]
        return [
            Item(
                "cron line",
                Level.WARNING,
                "no crontab line runs this job (fine if you start it yourself; see booker schedule)",
            )
        ]
    items: list[Item] = []
    for job in jobs:
        items.append(check_job_time(job, drop))
        items.append(
            check_cron_directory(
                job,
                names,
                cron_environment(os.environ, job.assigned),
                EXPIRING_TOKENS[provider],
                drop_epoch,
                now,
                known=CREDENTIAL_NAMES,
            )
        )
    return items


# --- cart ---------------------------------------------------------------------------------


def cart_items(
    config: ClientConfig,
    wants: dict[str, Matcher],
    at_text: str | None,
    zone_name: str | None,
    tag: str | None,
    samples: int,
) -> list[Item]:
    """Every item of ``booker check cart``, in order."""
    from booker.oneshot.client import exchange, run
    from booker.providers import cart_credentials

    try:
        credentials = cart_credentials.load()  # exactly what book cart sends
    except CredentialsError as exc:
        return [Item("credentials", Level.FAIL, str(exc))]
    probe = cart.credentials_probe(credentials)
    (answer,) = run(exchange(config, (probe.request,)))
    verdict = probe.classify(answer)
    from booker.core.decide import Kind

    accepted = verdict.kind is Kind.EXPECTED
    items = [
        Item(
            "credentials",
            Level.OK if accepted else Level.FAIL,
            "RA_AUTHORIZATION and RA_A1DATA accepted (the cart is readable)"
            if accepted
            else f"not accepted: {verdict.reason}",
        )
    ]
    now = time.time()
    now_dt = dt.datetime.fromtimestamp(now, dt.UTC)
    drop = _parse_at(at_text, zone_name, now_dt) if at_text else None
    drop_epoch = drop.timestamp() if drop is not None and drop.timestamp() > now else now
    expiry = check_expiry(credentials.authorization, drop_epoch, now, name=cart.AUTHORIZATION_LABEL)
    items.append(Item("token", expiry.level, expiry.message))
    if drop is None:
        items.append(Item("release", Level.WARNING, "no --at: the token was checked against now"))
    else:
        from booker.timing.release_rule import relative

        items.append(
            Item(
                "release",
                Level.OK,
                f"drop at {drop:%Y-%m-%d %H:%M:%S %Z}, {relative(drop, now_dt)}",
            )
        )
    if accepted:
        items.append(_clock_item(config, probe, samples))
    items += _schedule_items(
        cart.NAME, wants, tag, cart.CREDENTIAL_NAMES, drop=drop, drop_epoch=drop_epoch, now=now
    )
    return items
