"""``booker book PROVIDER``: run a booking job."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from booker.cli.options import engine_options, parse_day, parse_party_size, parse_times
from booker.credentials import Redactor, require
from booker.http import ClientConfig, check_base_url
from booker.model import EXIT_CODES, ResyTarget
from booker.providers import resy
from booker.settings import EngineSettings


@click.group()
def book() -> None:
    """Book a reservation as soon as it appears."""


@book.command(
    "resy",
    epilog="""\b
Example:
  booker book resy --venue-id 60029 --party-size 2 --date 2026-12-24 \\
      --times 19:00,19:30 --concurrency 3 --cadence-ms 100
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
    workers: int,
    concurrency: int,
    retries: int,
    cadence_ms: int,
    max_duration: int,
    dry_run: bool,
    ca_cert: Path | None,
    as_json: bool,
    log_file: Path | None,
) -> int:
    """Book a Resy table the moment one at a wanted time appears."""
    from booker.engine.supervisor import Supervisor
    from booker.providers.resy_flow import ResyJob
    from booker.report import ConsoleReporter, LogFile

    settings = EngineSettings(
        cadence_ms=cadence_ms,
        concurrency=concurrency,
        max_duration_s=max_duration,
        retries=retries,
        workers=workers,
        dry_run=dry_run,
    )
    target = ResyTarget(
        venue_id=venue_id,
        day=parse_day(day),
        party_size=parse_party_size(party_size),
        times=parse_times(times),
        payment_method_id=payment_method_id,
    )
    client = ClientConfig(
        base_url=check_base_url(base_url),
        ca_cert=ca_cert,
        connect_timeout_s=settings.connect_timeout_s,
        request_timeout_s=settings.request_timeout_s,
    )
    found = require(("RESY_API_KEY", "RESY_AUTH_TOKEN"))
    credentials = resy.ResyCredentials(found["RESY_API_KEY"], found["RESY_AUTH_TOKEN"])
    redactor = Redactor(credentials.secrets())
    log = LogFile(log_file, redactor) if log_file else None
    header = (
        f"Resy venue {target.venue_id}, {target.day}, party of {target.party_size}, "
        f"times {', '.join(t[:5] for t in target.times)}"
    )
    reporter = ConsoleReporter(
        sys.stdout, human=not as_json, redactor=redactor, log=log, header=header
    )
    try:
        result = Supervisor(settings, client, ResyJob(credentials, target), reporter).run()
        reporter.finished(result)
    finally:
        if log:
            log.close()
    return EXIT_CODES[result.status]
