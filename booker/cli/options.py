"""Options and input parsers shared by the commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from booker.exceptions import UsageError
from booker.providers import resy
from booker.settings import BOUNDS


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


def parse_day(text: str, option: str = "--date") -> str:
    """A calendar day, not in the past (one day of slack for time zones)."""
    try:
        day = dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError as exc:
        raise UsageError(f"{option} must be YYYY-MM-DD, got {text!r}") from exc
    if day < dt.date.today() - dt.timedelta(days=1):
        raise UsageError(f"{option} {day} is in the past")
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


def parse_nights(nights: int) -> int:
    """1 to 30 nights."""
    if not 1 <= nights <= 30:
        raise UsageError(f"--nights must be between 1 and 30 (got {nights})")
    return nights


def parse_identifier(option: str, text: str) -> str:
    """A service id: letters, digits, dashes and underscores only."""
    value = text.strip()
    if not value or not all(ch.isalnum() or ch in "-_" for ch in value):
        raise UsageError(f"{option} must be letters and digits, got {text!r}")
    return value
