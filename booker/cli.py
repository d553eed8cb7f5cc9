"""Command line: click only. Parses, builds frozen values, runs, maps results to exit codes.

Exit codes: 0 booked (or a dry run found a slot), 1 not booked in time,
2 bad usage or input, 3 the service refused for good, 130 interrupted.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from booker.credentials import Redactor, require
from booker.exceptions import BookerError, UsageError
from booker.http import ClientConfig, check_base_url
from booker.model import EXIT_CODES, ResyTarget
from booker.providers import resy
from booker.settings import BOUNDS, EngineSettings

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _default(name: str) -> int:
    return int(BOUNDS[name].default)


def engine_options(command: click.decorators.FC) -> click.decorators.FC:
    """Options every ``book`` provider shares."""
    options = [
        click.option(
            "--workers",
            type=int,
            default=0,
            show_default="min(concurrency, CPUs)",
            help="Worker processes.",
        ),
        click.option(
            "--concurrency",
            "--threads",
            "concurrency",
            type=int,
            default=_default("concurrency"),
            show_default=True,
            help="Requests in flight at most, all workers together (1-10).",
        ),
        click.option(
            "--retries",
            type=int,
            default=_default("retries"),
            show_default=True,
            help="Retries of a booking attempt that fails transiently (0-10).",
        ),
        click.option(
            "--cadence-ms",
            "--poll-interval-ms",
            "cadence_ms",
            type=int,
            default=_default("cadence_ms"),
            show_default=True,
            help="Milliseconds between polls, all workers together (50-5000).",
        ),
        click.option(
            "--max-duration",
            "--poll-timeout-secs",
            "max_duration",
            type=int,
            default=_default("max_duration_s"),
            show_default=True,
            help="Give up after this many seconds of polling (30-600).",
        ),
        click.option("--dry-run", is_flag=True, help="Do everything but the final booking call."),
        click.option(
            "--ca-cert",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Also trust this CA (PEM). TLS verification is never switched off.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout."),
        click.option(
            "--log-file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Append a log of the run to this file.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="booker")
def cli() -> None:
    """Win hard-to-get reservations the instant they are released."""


@cli.group()
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


@cli.command(
    "sim",
    epilog="""\b
Example:
  booker sim --port 8443 --scenario drop.toml --ready-file /tmp/sim.json
""",
)
@click.option(
    "--scenario",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Scenario file (TOML); a built-in one when omitted.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option("--plain", is_flag=True, help="Plain HTTP/1.1 instead of HTTP/2 over TLS.")
@click.option(
    "--ready-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the listening URL and CA path here as JSON once ready.",
)
def sim(scenario: Path | None, port: int, plain: bool, ready_file: Path | None) -> int:
    """Run the local reservation-service simulator on 127.0.0.1."""
    try:
        from booker.sim import serve
    except ImportError as exc:
        raise UsageError("the simulator needs its extras: pip install 'booker[sim]'") from exc
    serve(scenario, port=port, plain=plain, ready_file=ready_file)
    return 0


def parse_day(text: str) -> str:
    """A calendar day, not in the past (one day of slack for time zones)."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise UsageError(f"--date must be YYYY-MM-DD, got {text!r}") from exc
    if day < dt.date.today() - dt.timedelta(days=1):
        raise UsageError(f"--date {day} is in the past")
    return day.isoformat()


def parse_times(text: str) -> tuple[str, ...]:
    """``19:00,19:30:00`` -> normalised, de-duplicated, in order."""
    wanted: list[str] = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            value = resy.normalise_time(part)
        except ValueError as exc:
            raise UsageError(f"--times: {exc}") from exc
        if value not in wanted:
            wanted.append(value)
    if not wanted:
        raise UsageError("--times needs at least one time, e.g. 19:00")
    return tuple(wanted)


def parse_party_size(size: int) -> int:
    """1 to 20 guests."""
    if not 1 <= size <= 20:
        raise UsageError(f"--party-size must be between 1 and 20 (got {size})")
    return size


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: one line on stderr for any error, documented exit codes."""
    try:
        code = cli.main(args=argv, prog_name="booker", standalone_mode=False)
    except click.exceptions.Abort:
        code = EXIT_INTERRUPTED
    except click.ClickException as exc:
        click.echo(f"booker: error: {exc.format_message()}", err=True)
        code = exc.exit_code
    except BookerError as exc:
        click.echo(f"booker: error: {exc}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    sys.exit(code if isinstance(code, int) else 0)
