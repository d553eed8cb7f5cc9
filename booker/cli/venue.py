"""``booker venue PROVIDER``: what a venue says about itself and its release rule."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from booker.cli.options import lookup_options
from booker.providers import resy
from booker.wire import check_base_url


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
  booker venue resy --venue-id 60029 --json | jq .lead_time_in_days
""",
)
@click.option("--venue-id", type=click.IntRange(min=1), required=True, help="Resy venue id.")
@lookup_options(resy.BASE_URL)
def venue_resy(venue_id: int, base_url: str, ca_cert: Path | None, as_json: bool) -> int:
    """Name, time zone, days ahead it releases and its release rule (needs RESY_API_KEY)."""
    from booker import lookups

    config = lookups.client_config(check_base_url(base_url), ca_cert)
    credentials = lookups.resy_credentials(with_token=False)
    view = lookups.resy_venue(config, credentials, venue_id)
    if as_json:
        click.echo(orjson.dumps(view.to_json()).decode())
        return 0
    v = view.venue
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
