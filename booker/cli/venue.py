"""``booker venue PROVIDER``: what a venue says about itself and its release rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson

from booker.cli.options import lookup_options
from booker.core.exceptions import UsageError
from booker.core.wire import check_base_url
from booker.providers import resy, resy_venue


@click.group(
    epilog="""\b
Example:
  booker venue resy --venue-id 60029
"""
)
def venue() -> None:
    """Show a venue's time zone and when it releases its tables."""


@venue.command(
    "resy",
    epilog="""\b
Examples:
  booker venue resy --venue-id 60029
  booker venue resy --url https://resy.com/cities/ny/carbone      # finds the id
  booker venue resy --slug carbone --city ny --json | jq .venue_id
""",
)
@click.option("--venue-id", type=click.IntRange(min=1), help="Resy venue id.")
@click.option("--url", help="The venue's resy.com page, e.g. https://resy.com/cities/ny/carbone.")
@click.option("--slug", help="The venue's name in its resy.com address, e.g. carbone.")
@click.option("--city", help="The city in its resy.com address, e.g. ny (with --slug).")
@lookup_options(resy.BASE_URL)
def venue_resy(
    venue_id: int | None,
    url: str | None,
    slug: str | None,
    city: str | None,
    base_url: str,
    ca_cert: Path | None,
    as_json: bool,
) -> int:
    """Name, time zone, days ahead it releases and its release rule (needs RESY_API_KEY).

    Give the venue by id, or by its resy.com address (--url, or --slug and --city)
    to find its id. Resy documents no venue search, so booker offers none.
    """
    from booker.oneshot import resy_lookups
    from booker.oneshot.client import client_config
    from booker.providers import resy_credentials

    config = client_config(check_base_url(base_url), ca_cert)
    credentials = resy_credentials.load(with_token=False)
    if venue_id is None:
        from booker.oneshot.resy_account import venue_id_by_slug

        where = _slug_and_city(url, slug, city)
        venue_id = venue_id_by_slug(config, credentials.api_key, *where)
    elif url or slug or city:
        raise UsageError("give either --venue-id or the venue's address (--url, --slug), not both")
    v = resy_lookups.venue(config, credentials, venue_id)
    if as_json:
        click.echo(orjson.dumps(venue_json(v)).decode())
        return 0
    lead = v.lead_time_in_days
    rows = [
        ("venue", f"{v.name} (id {v.venue_id})"),
        ("time zone", v.time_zone),
        (
            "releases",
            f"{lead} day{'s' if lead != 1 else ''} ahead" if lead is not None else "unknown",
        ),
        ("release rule", v.rule or "(the venue states none)"),
    ]
    for label, value in rows:
        click.echo(f"{label:<13} {value}")
    return 0


def venue_json(v: resy_venue.Venue) -> dict[str, Any]:
    """The ``--json`` document."""
    return {
        "venue_id": v.venue_id,
        "name": v.name,
        "time_zone": v.time_zone,
        "lead_time_in_days": v.lead_time_in_days,
        "release_rule": v.rule or None,
    }


def _slug_and_city(url: str | None, slug: str | None, city: str | None) -> tuple[str, str]:
    """``--url``, or ``--slug`` with ``--city``, as (slug, city)."""
    from booker.providers.resy_account import check_slug, parse_venue_url

    if url is not None:
        if slug or city:
            raise UsageError("give either --url or --slug and --city, not both")
        return parse_venue_url(url)
    if slug is None:
        raise UsageError(
            "give --venue-id, --url (https://resy.com/cities/ny/carbone) or --slug and --city"
        )
    if city is None:
        raise UsageError("--slug needs --city (the city in the resy.com address, e.g. ny)")
    return check_slug("--slug", slug), check_slug("--city", city)
