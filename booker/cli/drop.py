"""``booker drop PROVIDER``: when a day will be released, in the venue's zone and locally."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click
import orjson

from booker.cli.options import parse_day
from booker.core.wire import check_base_url
from booker.providers import resy
from booker.timing.release_rule import OnSale, describe, parse_clock, plan_release, zone

if TYPE_CHECKING:
    from booker.oneshot.resy_lookups import ReleaseFacts


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
    facts: ReleaseFacts | None = None
    if days_ahead is None or at is None or zone_name is None:
        # only public calls, with the API key alone; the user's token goes on /4/find when
        # it is set (some inventory shows only to signed-in users)
        from booker.oneshot.client import client_config
        from booker.oneshot.resy_lookups import release_facts
        from booker.providers import resy_credentials

        config = client_config(check_base_url(base_url), ca_cert)
        facts = release_facts(config, resy_credentials.load(with_token=False), venue_id)
    venue = facts.venue if facts else None
    plan = plan_release(
        wanted,
        zone_name or (venue.time_zone if venue else "UTC"),
        days_option=days_ahead,
        time_option=at,
        config_days=venue.lead_time_in_days if venue else None,
        rule_text=venue.rule if venue else "",
        on_sale=on_sale(facts),
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
    if facts and facts.last_day and facts.market_on is not None:
        opened = dt.datetime.fromtimestamp(facts.market_on, dt.UTC)
        click.echo(
            f"service says: {facts.last_day} is the last released day; "
            f"it went on sale {opened.astimezone(zone(plan.zone_name)):%Y-%m-%d %H:%M %Z}"
        )
    for line in describe(plan, dt.datetime.now(dt.UTC)):
        click.echo(line)


def on_sale(facts: ReleaseFacts | None) -> OnSale | None:
    """The service's own record of its last release, when it gave one."""
    if facts is None or facts.last_day is None or facts.market_on is None:
        return None
    return OnSale(
        dt.date.fromisoformat(facts.last_day), dt.datetime.fromtimestamp(facts.market_on, dt.UTC)
    )
