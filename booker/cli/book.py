"""``booker book PROVIDER``: run a booking job."""

from __future__ import annotations

from typing import Any

import click

from booker.cli.options import (
    engine_options,
    parse_day,
    parse_identifier,
    parse_nights,
    parse_party_size,
    parse_times,
)
from booker.credentials import require
from booker.model import ResyTarget
from booker.providers import cart, resy
from booker.wire import check_base_url


@click.group(
    epilog="""\b
Example:
  booker book resy --venue-id 60029 --party-size 2 --date 2026-12-24 --times 19:00
"""
)
def book() -> None:
    """Book a reservation as soon as it appears."""


@book.command(
    "resy",
    epilog="""\b
Examples:
  booker book resy --venue-id 60029 --party-size 2 --date 2026-12-24 \\
      --times 19:00,19:30 --concurrency 3 --cadence-ms 100
  booker book resy --venue-id 60029 --party-size 2 --date 2026-12-24 \\
      --times 19:00 --at 10:00        # 10:00 in the venue's time zone
""",
)
@click.option("--venue-id", type=click.IntRange(min=1), required=True, help="Resy venue id.")
@click.option("--party-size", type=int, required=True, help="Number of guests (1-20).")
@click.option("--date", "day", required=True, help="Day to book, YYYY-MM-DD.")
@click.option(
    "--times", required=True, help="Wanted times in order of preference, e.g. 19:00,19:30."
)
@click.option("--payment-method-id", type=int, help="Card to use (default: the account's default).")
@click.option("--base-url", default=resy.BASE_URL, show_default=True, help="Service URL.")
@engine_options
def book_resy(
    venue_id: int,
    party_size: int,
    day: str,
    times: str,
    payment_method_id: int | None,
    base_url: str,
    **options: Any,
) -> int:
    """Book a Resy table the moment one at a wanted time appears."""
    from booker.cli.runner import EngineArgs, client_config, engine_settings, run_job, start_timing
    from booker.providers.resy_flow import ResyJob

    args = EngineArgs.from_click(options)
    settings = engine_settings(args)
    target = ResyTarget(
        venue_id=venue_id,
        day=parse_day(day),
        party_size=parse_party_size(party_size),
        times=parse_times(times),
        payment_method_id=payment_method_id,
    )
    client = client_config(check_base_url(base_url), args.ca_cert, settings)
    found = require(("RESY_API_KEY", "RESY_AUTH_TOKEN"))
    credentials = resy.ResyCredentials(found["RESY_API_KEY"], found["RESY_AUTH_TOKEN"])

    def venue_zone() -> str | None:
        from booker import lookups

        return lookups.resy_venue(client, credentials, venue_id).venue.time_zone

    start = start_timing(args, venue_zone)
    header = (
        f"Resy venue {target.venue_id}, {target.day}, party of {target.party_size}, "
        f"times {', '.join(t[:5] for t in target.times)}"
    )
    _, code = run_job(
        ResyJob(credentials, target, allow_multiple=args.allow_multiple, force=args.force),
        args,
        settings,
        client,
        secrets=credentials.secrets(),
        header=header,
        log_name=str(venue_id),
        start=start,
    )
    return code


@book.command(
    "cart",
    epilog="""\b
Example:
  booker book cart --contract-code NY --facility-id 140 --site-id 245719 \\
      --arrival-date 2026-05-17 --nights 2 --concurrency 3 --at 09:00 --tz America/New_York
""",
)
@click.option("--contract-code", required=True, help="State or agency code, e.g. NY.")
@click.option("--facility-id", required=True, help="Campground (facility) id.")
@click.option("--site-id", required=True, help="Campsite id.")
@click.option("--arrival-date", required=True, help="First night, YYYY-MM-DD.")
@click.option("--nights", type=int, required=True, help="Number of nights (1-30).")
@click.option("--base-url", default=cart.BASE_URL, show_default=True, help="Service URL.")
@engine_options
def book_cart(
    contract_code: str,
    facility_id: str,
    site_id: str,
    arrival_date: str,
    nights: int,
    base_url: str,
    **options: Any,
) -> int:
    """Add a campsite to the cart the moment its dates are released."""
    from booker.cli.runner import EngineArgs, client_config, engine_settings, run_job, start_timing
    from booker.providers.cart_flow import CartJob

    args = EngineArgs.from_click(options)
    settings = engine_settings(args)
    target = cart.CartTarget(
        contract_code=parse_identifier("--contract-code", contract_code),
        facility_id=parse_identifier("--facility-id", facility_id),
        site_id=parse_identifier("--site-id", site_id),
        arrival_date=parse_day(arrival_date, option="--arrival-date"),
        nights=parse_nights(nights),
    )
    client = client_config(check_base_url(base_url), args.ca_cert, settings)
    found = require(("RA_AUTHORIZATION", "RA_A1DATA"))
    credentials = cart.CartCredentials(
        found["RA_AUTHORIZATION"], cart.decode_a1data(found["RA_A1DATA"])
    )
    start = start_timing(args, lambda: None)
    header = (
        f"Cart {target.contract_code} facility {target.facility_id} site {target.site_id}, "
        f"arriving {target.arrival_date} for {target.nights} night(s)"
    )
    _, code = run_job(
        CartJob(credentials, target, allow_multiple=args.allow_multiple, force=args.force),
        args,
        settings,
        client,
        secrets=credentials.secrets(),
        header=header,
        log_name=f"{target.facility_id}-{target.site_id}",
        start=start,
    )
    return code
