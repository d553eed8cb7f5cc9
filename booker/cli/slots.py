"""``booker slots PROVIDER``: what can be booked right now."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import orjson

from booker.cli.options import lookup_options, parse_day, parse_party_size
from booker.core.wire import check_base_url
from booker.providers import resy, resy_venue


@click.group(
    epilog="""\b
Example:
  booker slots resy --venue-id 60029 --date 2026-12-24 --party-size 2
"""
)
def slots() -> None:
    """List the slots a venue offers right now."""


@slots.command(
    "resy",
    epilog="""\b
Examples:
  booker slots resy --venue-id 60029 --date 2026-12-24 --party-size 2
  booker slots resy --venue-id 60029 --date 2026-12-24 --party-size 4 --json | jq '.slots[].time'
""",
)
@click.option("--venue-id", type=click.IntRange(min=1), required=True, help="Resy venue id.")
@click.option("--date", "day", required=True, help="Day, YYYY-MM-DD.")
@click.option("--party-size", type=int, required=True, help="Number of guests (1-20).")
@lookup_options(resy.BASE_URL)
def slots_resy(
    venue_id: int,
    day: str,
    party_size: int,
    base_url: str,
    ca_cert: Path | None,
    as_json: bool,
) -> int:
    """Show the Resy slots available now: time, table type, deposit (needs RESY_API_KEY)."""
    from booker.oneshot import resy_lookups
    from booker.oneshot.client import client_config
    from booker.providers import resy_credentials

    day = parse_day(day)
    party_size = parse_party_size(party_size)
    config = client_config(check_base_url(base_url), ca_cert)
    credentials = resy_credentials.load(with_token=False)
    venue, offers = resy_lookups.slots(config, credentials, venue_id, day, party_size)
    if as_json:
        click.echo(orjson.dumps(slots_json(venue, day, party_size, offers)).decode())
        return 0
    click.echo(f"{venue.name} ({venue.time_zone})")
    count = len(offers)
    click.echo(
        f"{day}, party of {party_size}: "
        + (f"{count} slot{'s' if count != 1 else ''}" if count else "no slots available now")
    )
    if offers:
        click.echo(format_offers(offers))
    return 0


def slots_json(
    venue: resy_venue.Venue, day: str, party_size: int, offers: tuple[resy_venue.Offer, ...]
) -> dict[str, Any]:
    """The ``--json`` document."""
    return {
        "venue": {"id": venue.venue_id, "name": venue.name, "time_zone": venue.time_zone},
        "day": day,
        "party_size": party_size,
        "slots": [
            {
                "time": o.slot.time,
                "table_type": o.slot.table_type,
                "is_paid": o.is_paid,
                "deposit_fee": o.deposit_fee,
                "token": o.slot.token,
            }
            for o in offers
        ],
    }


def format_offers(offers: tuple[resy_venue.Offer, ...]) -> str:
    """A plain table: time, table type, deposit."""
    rows = [("TIME", "TABLE TYPE", "DEPOSIT")]
    rows += [(o.slot.time[:5], o.slot.table_type or "-", _deposit(o)) for o in offers]
    width = [max(len(row[i]) for row in rows) for i in range(2)]
    return "\n".join(
        f"{row[0]:<{width[0]}}  {row[1]:<{width[1]}}  {row[2]}".rstrip() for row in rows
    )


def _deposit(offer: resy_venue.Offer) -> str:
    if offer.deposit_fee is not None:
        return f"{offer.deposit_fee:.2f}"
    return "paid" if offer.is_paid else "-"
