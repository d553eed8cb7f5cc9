"""``booker drop PROVIDER``: when a day will be released, in the venue's zone and locally."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import orjson

from booker.cli.options import parse_day
from booker.exceptions import BookerError, ParseError, ServiceRefusedError, UsageError
from booker.providers import resy
from booker.release_rule import describe, parse_clock, plan_release, zone
from booker.wire import Answer, ClientConfig, check_base_url


@click.group(
    epilog="""\b
Example:
  booker drop resy --venue-id 60029 --date 2026-12-24
"""
)
def drop() -> None:
    """Show when a day will be released."""


@drop.command(
    "resy",
    epilog="""\b
Examples:
  booker drop resy --venue-id 60029 --date 2026-12-24
  booker drop resy --venue-id 60029 --date 2026-12-24 --days-ahead 30 \\
      --time 10:00 --tz America/New_York     # no request needed
  booker drop resy --venue-id 60029 --date 2026-12-24 --json | jq -r '.candidates[0].release_at'
""",
)
@click.option("--venue-id", type=click.IntRange(min=1), required=True, help="Resy venue id.")
@click.option("--date", "day", required=True, help="Day you want to book, YYYY-MM-DD.")
@click.option(
    "--days-ahead",
    type=click.IntRange(0, 3650),
    help="Days ahead the venue releases (default: ask the venue).",
)
@click.option("--time", "time_text", help="Release time of day, HH:MM venue time (default: ask).")
@click.option("--tz", "zone_name", help="Venue time zone (default: ask the venue).")
@click.option("--base-url", default=resy.BASE_URL, show_default=True, help="Service URL.")
@click.option(
    "--ca-cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also trust this CA (PEM). TLS verification is never switched off.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
def drop_resy(
    venue_id: int,
    day: str,
    days_ahead: int | None,
    time_text: str | None,
    zone_name: str | None,
    base_url: str,
    ca_cert: Path | None,
    as_json: bool,
) -> None:
    """Print when DATE opens: options first, else what the venue's config and text say."""
    wanted = dt.date.fromisoformat(parse_day(day))
    at = parse_clock(time_text) if time_text is not None else None
    if zone_name is not None:
        zone(zone_name)
    venue: resy.Venue | None = None
    config_days: int | None = None
    if days_ahead is None or at is None or zone_name is None:
        venue, config_days = fetch_venue(venue_id, check_base_url(base_url), ca_cert)
    plan = plan_release(
        wanted,
        zone_name or (venue.time_zone if venue else "UTC"),
        days_option=days_ahead,
        time_option=at,
        config_days=config_days,
        rule_text=venue.rule if venue else "",
    )
    if as_json:
        document = {
            "venue_id": venue_id,
            "venue_name": venue.name if venue else None,
            "rule": venue.rule if venue else None,
            **plan.to_json(),
        }
        click.echo(orjson.dumps(document).decode())
        return
    title = f"Resy venue {venue_id}" + (f" ({venue.name})" if venue else "")
    click.echo(title)
    if venue and venue.rule:
        click.echo(f'venue says: "{venue.rule}"')
    for line in describe(plan, dt.datetime.now(dt.UTC)):
        click.echo(line)


def fetch_venue(
    venue_id: int, base_url: str, ca_cert: Path | None
) -> tuple[resy.Venue, int | None]:
    """One-shot /3/venue and /2/config; errors as one-line BookerErrors."""
    import uvloop

    from booker.credentials import require
    from booker.http import HttpClient
    from booker.model import ResyTarget

    found = require(("RESY_API_KEY",))
    # Only the public calls are used: no user token is needed or sent.
    credentials = resy.ResyCredentials(found["RESY_API_KEY"], "")
    api = resy.ResyApi(credentials, ResyTarget(venue_id, "", 1, ()))
    config = ClientConfig(base_url=base_url, ca_cert=ca_cert)

    async def both() -> tuple[Answer, Answer]:
        async with HttpClient(config) as client:
            return await client.send(api.venue()), await client.send(api.config())

    venue_answer, config_answer = uvloop.run(both())
    _check(venue_answer, base_url, venue_id)
    try:
        venue = resy.read_venue(venue_answer, venue_id)
    except ParseError as exc:
        raise BookerError(f"could not read venue {venue_id}: {exc}") from None
    return venue, resy.read_lead_time(config_answer)


def _check(answer: Answer, base_url: str, venue_id: int) -> None:
    if answer.status == 0:
        raise BookerError(f"no answer from {base_url} ({answer.error or 'no response'})")
    if answer.status in (401, 419):
        raise ServiceRefusedError(resy.BAD_CREDENTIALS)
    if answer.status == 404:
        raise UsageError(f"venue {venue_id} not found (HTTP 404)")
