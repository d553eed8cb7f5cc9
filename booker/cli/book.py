"""``booker book PROVIDER``: run a booking job."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from booker.cli.options import (
    engine_options,
    parse_day,
    parse_days,
    parse_identifier,
    parse_ids,
    parse_nights,
    parse_party_size,
    parse_times,
    parse_types,
    parse_venue_ids,
)
from booker.core.exceptions import UsageError
from booker.core.matching import describe_wanted
from booker.core.model import Status
from booker.core.wire import check_base_url
from booker.output.notify import check_urls
from booker.providers import cart, cart_credentials, resy, resy_credentials
from booker.providers.resy_target import ResyTarget
from booker.timing.scheduling import AFTER_DASHES

if TYPE_CHECKING:
    from booker.cli.runner import EngineArgs
    from booker.core.results import JobResult
    from booker.core.settings import EngineSettings
    from booker.core.wire import ClientConfig


SOURCES = """Read from the environment, else from .env in the working
directory, else from the [credentials] table of the settings file
(booker settings show names it); a file holding them must be chmod 600.
They are never accepted on the command line."""

EXIT_CODES_HELP = """\b
Exit codes:
  0    booked (or a dry run found a slot)
  1    not booked within --max-duration, or the service unreachable
  2    bad usage or input (options, dates, credentials missing or unsafe)
  3    the service refused for good (bad credentials, no payment method)
  130  interrupted (Ctrl-C or SIGTERM)"""


@click.group(
    invoke_without_command=True,
    epilog=f"""\b
Examples:
  booker book resy --venue-id 60029 --party-size 2 --date 2026-12-24 --times 19:00
  booker book --job examples/job-dinner.toml     # the same options, from a TOML file

\b
Credentials: RESY_API_KEY, RESY_AUTH_TOKEN (resy); RA_AUTHORIZATION, RA_A1DATA (cart).
{SOURCES}

{EXIT_CODES_HELP}
""",
)
@click.option(
    "--job",
    "job_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Run the job a TOML file describes (provider and the options, see the README).",
)
@click.pass_context
def book(ctx: click.Context, job_file: Path | None) -> int | None:
    """Book a reservation as soon as it appears."""
    if job_file is None:
        if ctx.invoked_subcommand is None:
            raise UsageError("give a provider (book resy ..., book cart ...) or --job FILE")
        return None
    if ctx.invoked_subcommand is not None:
        raise UsageError("--job FILE says the provider and the options: give nothing else")
    from booker.cli.jobfile import job_argv

    return run_prepared(check_book_command(job_argv(job_file), source=f"--job {job_file}"))


@book.command(
    "resy",
    epilog=f"""\b
Examples:
  booker book resy --venue-id 60029 --party-size 2 --date 2026-12-24 \\
      --times 19:00,19:30 --concurrency 3 --cadence-ms 100
  booker book resy --venue-id 60029 --party-size 2 --date 2026-12-24 \\
      --times 19:00 --at 10:00        # 10:00 in the venue's time zone
  booker book resy --venue-id 60029,1505 --party-size 2 --date 2026-12-24,2026-12-26 \\
      --times 19:00-20:30,21:00 --table-types "Dining Room,Patio" --exclude-types Bar

\b
Credentials: RESY_API_KEY (the web app's key) and RESY_AUTH_TOKEN (your account's).
{SOURCES}

{EXIT_CODES_HELP}
""",
)
@click.option(
    "--venue-id", required=True, help="Resy venue id; several in order of preference: 60029,1505."
)
@click.option("--party-size", type=int, required=True, help="Number of guests (1-20).")
@click.option(
    "--date",
    "day",
    required=True,
    help="Day to book, YYYY-MM-DD; several in order of preference: 2026-12-24,2026-12-26.",
)
@click.option(
    "--times",
    required=True,
    help="Wanted times and ranges in order of preference, e.g. 19:00,19:30-20:30.",
)
@click.option(
    "--table-types", help='Only these table types, in order of preference: "Dining Room,Patio".'
)
@click.option("--exclude-types", help='Never these table types: "Bar,Counter".')
@click.option("--payment-method-id", type=int, help="Card to use (default: the account's default).")
@click.option(
    "--notify-waitlist",
    is_flag=True,
    help="Not booked in the end: register Resy Notify for the wanted times (POST /2/notify).",
)
@click.option("--base-url", default=resy.BASE_URL, show_default=True, help="Service URL.")
@engine_options
def book_resy(**params: Any) -> int:
    """Book a Resy table the moment one at a wanted time appears."""
    return run_prepared(prepare_resy(params))


@book.command(
    "cart",
    epilog=f"""\b
Example:
  booker book cart --contract-code NY --facility-id 140 --site-id 245719 \\
      --arrival-date 2026-05-17 --nights 2 --concurrency 3 --at 09:00 --tz America/New_York

\b
Credentials: RA_AUTHORIZATION (the idToken cookie) and RA_A1DATA (the a1Data cookie).
{SOURCES}

{EXIT_CODES_HELP}
""",
)
@click.option("--contract-code", required=True, help="State or agency code, e.g. NY.")
@click.option("--facility-id", required=True, help="Campground (facility) id.")
@click.option(
    "--site-id", required=True, help="Campsite id; several in order of preference: 245719,245720."
)
@click.option("--arrival-date", required=True, help="First night, YYYY-MM-DD.")
@click.option("--nights", type=int, required=True, help="Number of nights (1-30).")
@click.option("--base-url", default=cart.BASE_URL, show_default=True, help="Service URL.")
@engine_options
def book_cart(**params: Any) -> int:
    """Add a campsite to the cart the moment its dates are released."""
    return run_prepared(prepare_cart(params))


@dataclass(frozen=True, slots=True)
class Prepared:
    """A ``book`` command checked and ready to run (everything but the start time)."""

    job: Any
    args: EngineArgs
    settings: EngineSettings
    client: ClientConfig
    secrets: tuple[str, ...]
    header: str
    log_name: str
    venue_zone: Callable[[], str | None]  # looked up only when --at needs it
    # the job made ready for a drop at an epoch (tokens renewed, expiries warned) + new secrets
    ready: Callable[[Any, float], tuple[Any, tuple[str, ...]]] = lambda job, at: (job, ())
    finished: Callable[[Any, JobResult], None] = lambda job, result: None  # after the run


def run_prepared(prepared: Prepared) -> int:
    """Resolve ``--at`` and run the job; the exit code."""
    from booker.cli.runner import run_job, start_timing

    start = start_timing(prepared.args, prepared.venue_zone)
    job, secrets = prepared.ready(prepared.job, start.at_epoch if start else time.time())
    result, code = run_job(
        job,
        prepared.args,
        prepared.settings,
        prepared.client,
        secrets=(*prepared.secrets, *secrets),
        header=prepared.header,
        log_name=prepared.log_name,
        start=start,
    )
    prepared.finished(job, result)
    return code


def prepare_resy(
    params: dict[str, Any], environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Prepared:
    """Every check of ``book resy`` (options, ranges, URL, credentials from ``environ`` and
    ``cwd``), without a request."""
    from booker.cli.runner import EngineArgs, client_config, engine_settings
    from booker.providers.resy_flow import ResyJob

    options = dict(params)
    venue_ids = parse_venue_ids(str(options.pop("venue_id")))
    days, times = parse_days(options.pop("day")), options.pop("times")
    table_types = parse_types(options.pop("table_types", None), "--table-types")
    exclude_types = parse_types(options.pop("exclude_types", None), "--exclude-types")
    party_size, payment_method_id = options.pop("party_size"), options.pop("payment_method_id")
    base_url: str = options.pop("base_url")
    notify_waitlist = bool(options.pop("notify_waitlist", False))
    args = EngineArgs.from_click(options)
    settings = engine_settings(args)
    target = ResyTarget(
        venue_id=venue_ids[0],
        day=days[0],
        party_size=parse_party_size(party_size),
        times=parse_times(times),
        payment_method_id=payment_method_id,
        table_types=table_types,
        exclude_types=exclude_types,
        venue_ids=venue_ids if len(venue_ids) > 1 else (),
        days=days if len(days) > 1 else (),
    )
    venue_id = target.venue_id
    client = client_config(check_base_url(base_url), args.ca_cert, settings)
    check_urls(args.notify)
    credentials = resy_credentials.load(environ=environ, cwd=cwd)

    def venue_zone() -> str | None:
        from booker.oneshot import resy_lookups

        return resy_lookups.venue(client, credentials, venue_id).time_zone

    header = (
        f"Resy venue {', '.join(str(v) for v in target.all_venues)}, "
        f"{', '.join(target.all_days)}, party of {target.party_size}, "
        f"times {', '.join(describe_wanted(t) for t in target.times)}"
    )
    if table_types:
        header += f", tables {', '.join(table_types)}"
    if exclude_types:
        header += f", not {', '.join(exclude_types)}"

    def ready(job: Any, at: float) -> tuple[Any, tuple[str, ...]]:
        from booker.oneshot.token_renewal import ready_resy_job

        renewed = ready_resy_job(client, job, at)
        return renewed, (*renewed.credentials.secrets(), renewed.refresh_token)

    def finished(job: Any, result: JobResult) -> None:
        if notify_waitlist and result.status is Status.NOT_BOOKED:
            from booker.oneshot import resy_account

            resy_account.notify_waitlist(client, job, to_stderr=args.as_json, dry_run=args.dry_run)

    return Prepared(
        ResyJob(credentials, target, allow_multiple=args.allow_multiple, force=args.force),
        args,
        settings,
        client,
        credentials.secrets(),
        header,
        str(venue_id),
        venue_zone,
        ready,
        finished,
    )


def prepare_cart(
    params: dict[str, Any], environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Prepared:
    """Every check of ``book cart``, without a request. A campground's zone is not looked
    up: a bare ``--at`` needs ``--tz``."""
    from booker.cli.runner import EngineArgs, client_config, engine_settings
    from booker.providers.cart_flow import CartJob

    options = dict(params)
    contract_code, facility_id = options.pop("contract_code"), options.pop("facility_id")
    site_id, arrival_date = options.pop("site_id"), options.pop("arrival_date")
    nights, base_url = options.pop("nights"), options.pop("base_url")
    args = EngineArgs.from_click(options)
    settings = engine_settings(args)
    sites = parse_ids(site_id, "--site-id")
    target = cart.CartTarget(
        contract_code=parse_identifier("--contract-code", contract_code),
        facility_id=parse_identifier("--facility-id", facility_id),
        site_id=sites[0],
        arrival_date=parse_day(arrival_date, option="--arrival-date"),
        nights=parse_nights(nights),
        site_ids=sites if len(sites) > 1 else (),
    )
    client = client_config(check_base_url(base_url), args.ca_cert, settings)
    check_urls(args.notify)
    credentials = cart_credentials.load(environ, cwd)
    header = (
        f"Cart {target.contract_code} facility {target.facility_id} "
        f"site{'s' if len(sites) > 1 else ''} {', '.join(sites)}, "
        f"arriving {target.arrival_date} for {target.nights} night(s)"
    )
    return Prepared(
        CartJob(credentials, target, allow_multiple=args.allow_multiple, force=args.force),
        args,
        settings,
        client,
        credentials.secrets(),
        header,
        f"{target.facility_id}-{target.site_id}",
        lambda: None,
        _warn_id_token,
    )


def _warn_id_token(job: Any, at: float) -> tuple[Any, tuple[str, ...]]:
    """The cart's idToken is a JWT too: warn when it expires before the drop."""
    from booker.oneshot.token_renewal import warn_expiry

    warn_expiry(job.credentials.authorization, at, cart.AUTHORIZATION_LABEL)
    return job, ()


PREPARE: dict[str, Callable[..., Prepared]] = {resy.NAME: prepare_resy, cart.NAME: prepare_cart}


def check_book_command(
    argv: Sequence[str],
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    *,
    source: str = AFTER_DASHES,
) -> Prepared:
    """``book PROVIDER OPTIONS...`` parsed and checked as the command itself would, with
    credentials from ``environ`` and ``cwd``; a usage error naming what is wrong (and
    ``source``, where the command came from)."""
    if len(argv) < 2 or argv[0] != "book":
        raise UsageError(
            "give the booker command to run after --, e.g. -- book resy --venue-id 60029 ..."
        )
    provider = argv[1]
    command = book.commands.get(provider)
    if command is None or provider not in PREPARE:
        raise UsageError(f"{source}: no provider {provider!r} (use {' or '.join(PREPARE)})")
    if any(arg in ("--help", "-h") for arg in argv):
        raise UsageError(f"{source} must run a booking, not print help")
    try:
        with command.make_context(f"booker book {provider}", list(argv[2:])) as ctx:
            params = dict(ctx.params)
    except click.ClickException as exc:
        raise UsageError(f"{source}: {exc.format_message()}") from None
    return PREPARE[provider](params, environ, cwd)
