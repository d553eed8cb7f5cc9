"""Options and input parsers shared by the commands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import click

from booker.core import matching
from booker.core.exceptions import UsageError
from booker.core.settings import SETTINGS


def engine_options(command: click.decorators.FC) -> click.decorators.FC:
    """Options every ``book`` provider shares. Unset numbers fall back to saved settings."""
    options = [
        *(setting_option(name) for name in ("workers", "concurrency", "retries", "cadence_ms",
                                            "max_duration_s")),
        click.option("--at", "at", metavar="WHEN",
                     help="Start at HH:MM[:SS[.fff]] in the venue's zone, or an ISO 8601 time."),
        click.option("--tz", help="Time zone of --at (IANA name) [default: the venue's]."),
        setting_option("prewarm_s"),
        setting_option("lead_ms"),
        click.option("--clock", type=click.Choice(["server", "local"]), default="server",
                     show_default=True, help="Schedule --at on the service's clock or on ours."),
        click.option("--dry-run", is_flag=True, help="Do everything but the final booking call."),
        click.option("--force", is_flag=True,
                     help="Book even if the journal or the account already holds this job."),
        click.option("--allow-multiple", is_flag=True,
                     help="Keep extra reservations from parallel attempts (default: cancel them)."),
        click.option("--ca-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                     help="Also trust this CA (PEM). TLS verification is never switched off."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout."),
        click.option("--log-file", type=click.Path(dir_okay=False, path_type=Path),
                     help="Log file [default: one new file per run in the user log directory]."),
        click.option("--notify", "notify", metavar="URL", multiple=True,
                     help="At the end, notify this apprise URL (ntfy://, pover://, tgram://, "
                          "mailto://, slack://...); repeatable. Needs booker[notify]."),
        click.option("--notify-cmd",
                     help="At the end, run this shell command with the result JSON on stdin."),
        click.option("--notify-timeout", type=click.FloatRange(0.1, 3600), default=30.0,
                     show_default=True, help="Seconds before the notify command is killed."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


def setting_option(name: str) -> Callable[[click.decorators.FC], click.decorators.FC]:
    """The option of engine setting ``name``, from its row of ``SETTINGS``: no default here
    (an unset option falls back to the saved setting, then the table's default), and the
    range is checked by ``EngineSettings`` with the option's name."""
    setting = SETTINGS[name]
    return click.option(
        setting.option, *setting.aliases, setting.param, type=int, help=setting.help_text
    )


def parse_day(text: str, option: str = "--date") -> str:
    """A calendar day, not in the past (one day of slack for time zones)."""
    try:
        day = dt.datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError as exc:
        raise UsageError(f"{option} must be YYYY-MM-DD, got {text!r}") from exc
    if day < dt.date.today() - dt.timedelta(days=1):
        raise UsageError(f"{option} {day} is in the past")
    return day.isoformat()


def parse_days(text: str, option: str = "--date") -> tuple[str, ...]:
    """``2026-12-24,2026-12-26`` -> days in order of preference, de-duplicated."""
    return _listed(text, lambda part: parse_day(part, option))


def parse_ids(text: str, option: str) -> tuple[str, ...]:
    """``60029,1505`` -> ids in order of preference, de-duplicated."""
    return _listed(text, lambda part: parse_identifier(option, part))


def _listed(text: str, parse: Callable[[str], str]) -> tuple[str, ...]:
    """Comma-separated values, each read by ``parse``, in order, de-duplicated; none at all
    is ``parse``'s own error for the whole text."""
    values: list[str] = []
    for part in text.split(","):
        if part.strip() and (value := parse(part)) not in values:
            values.append(value)
    if not values:
        parse(text)  # says what is wrong with it
    return tuple(values)


def parse_venue_ids(text: str) -> tuple[int, ...]:
    """``60029,1505`` -> Resy venue ids (positive numbers) in order of preference."""
    venues: list[int] = []
    for part in parse_ids(text, "--venue-id"):
        if not part.isdigit() or int(part) < 1:
            raise UsageError(f"--venue-id must be a positive number, got {part!r}")
        venues.append(int(part))
    return tuple(dict.fromkeys(venues))


def parse_times(text: str) -> tuple[str, ...]:
    """``19:00,19:30-20:30`` -> exact times and windows, normalised, de-duplicated, in order."""
    wanted: list[str] = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            value = matching.normalise_wanted(part)
        except ValueError as exc:
            raise UsageError(f"--times: {exc}") from exc
        if value not in wanted:
            wanted.append(value)
    if not wanted:
        raise UsageError("--times needs at least one time or range, e.g. 19:00 or 19:00-20:30")
    return tuple(wanted)


def parse_types(text: str | None, option: str) -> tuple[str, ...]:
    """``"Dining Room,Patio"`` -> table types in order of preference (none: any)."""
    if text is None:
        return ()
    try:
        types = matching.parse_types(text)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from exc
    if not types:
        raise UsageError(f'{option} needs at least one table type, e.g. "Dining Room"')
    return types


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


def lookup_options(base_url: str) -> Callable[[click.decorators.FC], click.decorators.FC]:
    """Options of the one-shot lookups (``slots``, ``venue``, ``ping``) of one provider."""

    def decorate(command: click.decorators.FC) -> click.decorators.FC:
        options = [
            click.option("--base-url", default=base_url, show_default=True, help="Service URL."),
            click.option(
                "--ca-cert",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="Also trust this CA (PEM). TLS verification is never switched off.",
            ),
            click.option(
                "--json", "as_json", is_flag=True, help="Print one JSON object on stdout."
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate
