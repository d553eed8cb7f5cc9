"""Unit tests of the command line's input handling: bad usage is one stderr line and exit 2."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

import booker.cli.runner as runner_module
from booker.cli import cli, main
from booker.cli.options import parse_day, parse_party_size, parse_times
from booker.core.exceptions import UsageError

TODAY = dt.date.today()
FUTURE = (TODAY + dt.timedelta(days=30)).isoformat()
PAST = (TODAY - dt.timedelta(days=3)).isoformat()
BASE = {
    "--venue-id": "60029",
    "--party-size": "2",
    "--date": FUTURE,
    "--times": "19:00,19:30",
}


def book_resy() -> click.Command:
    """The ``book resy`` command, found through the command tree whatever module defines it."""
    book = cli.commands["book"]
    assert isinstance(book, click.Group)
    return book.commands["resy"]


class ReachedEngineError(Exception):
    """Raised instead of starting the engine: the command line was accepted."""


class NoEngine:
    """Stands in for the Supervisor so that no test can start workers or touch the network."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise ReachedEngineError


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in an empty directory with fake credentials and the engine replaced."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RESY_API_KEY", "k" * 32)
    monkeypatch.setenv("RESY_AUTH_TOKEN", "fake.jwt.token")
    monkeypatch.setattr(runner_module, "Supervisor", NoEngine)
    yield tmp_path


def command(*extra: str, omit: str = "") -> list[str]:
    """``book resy`` with the valid base options (minus ``omit``), then ``extra``."""
    argv = ["book", "resy"]
    for option, value in BASE.items():
        if option != omit:
            argv += [option, value]
    return argv + list(extra)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[object, str, str]:
    """Call ``main`` and return (exit code, stdout, stderr)."""
    with pytest.raises(SystemExit) as caught:
        main(argv)
    captured = capsys.readouterr()
    return caught.value.code, captured.out, captured.err


def assert_one_error_line(code: object, out: str, err: str, fragment: str = "") -> None:
    """Exit 2, nothing on stdout, exactly one non-empty ``booker: error:`` line on stderr."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("booker: error: ")
    assert lines[0].removeprefix("booker: error: ").strip()
    assert out == ""
    assert fragment in lines[0]


BAD_LINES: list[tuple[str, list[str], str]] = [
    ("date-us-format", command("--date", "12/24/2026"), "--date must be YYYY-MM-DD"),
    ("date-month-13", command("--date", "2026-13-01"), "--date must be YYYY-MM-DD"),
    ("date-feb-30", command("--date", "2026-02-30"), "--date must be YYYY-MM-DD"),
    ("date-word", command("--date", "tomorrow"), "--date must be YYYY-MM-DD"),
    ("date-empty", command("--date", ""), "--date must be YYYY-MM-DD"),
    ("date-with-time", command("--date", f"{FUTURE} 19:00"), "--date must be YYYY-MM-DD"),
    ("date-long-past", command("--date", "2000-01-01"), "in the past"),
    ("date-3-days-ago", command("--date", PAST), "in the past"),
    ("time-25", command("--times", "25:00"), "--times: not a time"),
    ("time-19-61", command("--times", "19:61"), "--times: not a time"),
    ("time-seconds-60", command("--times", "19:00:60"), "--times: not a time"),
    ("time-7pm", command("--times", "19:00,7pm"), "--times: not a time"),
    ("time-none", command("--times", " , "), "--times needs at least one time"),
    ("party-0", command("--party-size", "0"), "--party-size must be between 1 and 20"),
    ("party-100", command("--party-size", "100"), "--party-size must be between 1 and 20"),
    ("party-negative", command("--party-size", "-2"), "--party-size must be between 1 and 20"),
    ("party-word", command("--party-size", "two"), "--party-size"),
    ("cadence-10", command("--cadence-ms", "10"), "--cadence-ms must be between 50 and 5000"),
    ("cadence-huge", command("--cadence-ms", "5001"), "--cadence-ms must be between 50 and 5000"),
    ("concurrency-11", command("--concurrency", "11"), "--concurrency must be between 1 and 10"),
    ("concurrency-0", command("--concurrency", "0"), "--concurrency must be between 1 and 10"),
    ("max-duration-5", command("--max-duration", "5"), "--max-duration must be between 30 and 600"),
    ("retries-11", command("--retries", "11"), "--retries must be between 0 and 10"),
    ("workers-17", command("--workers", "17"), "--workers must be between 1 and 16"),
    ("http-remote", command("--base-url", "http://api.resy.com"), "only for loopback"),
    ("http-lan", command("--base-url", "http://192.168.1.10:8080"), "only for loopback"),
    ("ftp-url", command("--base-url", "ftp://api.resy.com"), "--base-url must be an http"),
    ("venue-0", command("--venue-id", "0"), "--venue-id"),
    ("venue-word", command("--venue-id", "abc"), "--venue-id"),
    ("payment-word", command("--payment-method-id", "visa"), "--payment-method-id"),
    ("ca-missing", command("--ca-cert", "/nonexistent/ca.pem"), "--ca-cert"),
    ("missing-venue", command(omit="--venue-id"), "--venue-id"),
    ("missing-party", command(omit="--party-size"), "--party-size"),
    ("missing-date", command(omit="--date"), "--date"),
    ("missing-times", command(omit="--times"), "--times"),
    ("option-without-value", command("--retries"), "--retries"),
    ("unknown-option", command("--bogus", "1"), "--bogus"),
    ("unknown-option-typo", command("--thread", "3"), "--thread"),
    ("extra-argument", command("surprise"), "surprise"),
    ("unknown-provider", ["book", "opentable"], "opentable"),
    ("unknown-command", ["reserve"], "reserve"),
]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [pytest.param(argv, fragment, id=name) for name, argv, fragment in BAD_LINES],
)
def test_bad_command_lines_exit_2_with_one_line(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each bad command line exits 2 with exactly one ``booker: error:`` line, no traceback."""
    assert_one_error_line(*run(argv, capsys), fragment)


@pytest.mark.parametrize("unset", ["RESY_API_KEY", "RESY_AUTH_TOKEN"])
def test_missing_credentials_exit_2(
    unset: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing credential (with no .env) exits 2 naming the variable."""
    monkeypatch.delenv(unset)
    assert_one_error_line(*run(command(), capsys), f"missing credentials: set {unset}")


def test_shared_env_file_exits_2_with_chmod_hint(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Credentials in a .env readable by others exit 2 with a chmod 600 hint."""
    monkeypatch.delenv("RESY_AUTH_TOKEN")
    env_file = isolated / ".env"
    env_file.write_text("RESY_AUTH_TOKEN=from.file\n")
    env_file.chmod(0o644)
    assert_one_error_line(*run(command(), capsys), "chmod 600")


@pytest.mark.parametrize("argv", [[], ["book"]])
def test_missing_subcommand_is_one_error_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """``booker`` or ``booker book`` alone is bad usage: one stderr line, exit 2 (bug: full help)."""
    assert_one_error_line(*run(argv, capsys))


def test_malformed_base_url_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A base URL urllib cannot split exits 2 with one line (bug: ValueError traceback)."""
    assert_one_error_line(*run(command("--base-url", "http://[::1"), capsys), "--base-url")


def test_valid_command_line_reaches_the_engine() -> None:
    """The base command line is valid: parsing gets all the way to starting the engine."""
    with pytest.raises(ReachedEngineError):
        main(command("--base-url", "http://127.0.0.1:8080", "--dry-run"))


@pytest.mark.parametrize(
    ("alias", "value", "message"),
    [
        ("--threads", "11", "--concurrency must be between 1 and 10 (got 11)"),
        ("--poll-interval-ms", "10", "--cadence-ms must be between 50 and 5000 ms (got 10)"),
        ("--poll-timeout-secs", "5", "--max-duration must be between 30 and 600 s (got 5)"),
    ],
)
def test_aliases_reach_the_canonical_check(
    alias: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each alias is accepted and its value is checked under the canonical option's name."""
    assert_one_error_line(*run(command(alias, value), capsys), message)


def test_aliases_parse_into_canonical_parameters() -> None:
    """--threads, --poll-interval-ms and --poll-timeout-secs fill the canonical parameters."""
    argv = command("--threads", "5", "--poll-interval-ms", "250", "--poll-timeout-secs", "60")
    context = book_resy().make_context("resy", argv[2:])
    assert (
        context.params["concurrency"],
        context.params["cadence_ms"],
        context.params["max_duration"],
    ) == (5, 250, 60)


def test_help_is_not_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """--help prints usage on stdout and exits 0 with nothing on stderr."""
    code, out, err = run(["book", "resy", "--help"], capsys)
    assert (code, err) == (0, "")
    assert "--poll-interval-ms" in out
    assert "--threads" in out


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["book", "--help"], ["RESY_API_KEY", "RESY_AUTH_TOKEN", "RA_AUTHORIZATION", "RA_A1DATA"]),
        (["book", "resy", "--help"], ["RESY_API_KEY", "RESY_AUTH_TOKEN"]),
        (["book", "cart", "--help"], ["RA_AUTHORIZATION", "RA_A1DATA"]),
    ],
)
def test_book_help_names_credentials_sources_and_exit_codes(
    capsys: pytest.CaptureFixture[str], argv: list[str], names: list[str]
) -> None:
    """A newcomer learns from --help which variables to set, where they are read, what exits mean."""
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert all(name in out for name in names)
    assert ".env in the working" in out and "[credentials]" in out and "chmod 600" in out
    for exit_line in (
        "0    booked",
        "1    not booked",
        "2    bad usage",
        "3    the service",
        "130  interrupted",
    ):
        assert exit_line in out


# --- the parsers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day"),
    [
        (FUTURE, FUTURE),
        (f"  {FUTURE} ", FUTURE),
        (TODAY.isoformat(), TODAY.isoformat()),
        ((TODAY - dt.timedelta(days=1)).isoformat(), (TODAY - dt.timedelta(days=1)).isoformat()),
    ],
)
def test_parse_day_accepts_today_future_and_yesterday(text: str, day: str) -> None:
    """Today, future days and (for time zones) yesterday are accepted and normalised."""
    assert parse_day(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ((TODAY - dt.timedelta(days=2)).isoformat(), "in the past"),
        ("1999-12-31", "in the past"),
        ("2026-00-10", "YYYY-MM-DD"),
        ("24-12-2026", "YYYY-MM-DD"),
        ("next friday", "YYYY-MM-DD"),
    ],
)
def test_parse_day_refuses(text: str, message: str) -> None:
    """Malformed days and days before yesterday raise UsageError."""
    with pytest.raises(UsageError, match=message):
        parse_day(text)


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("19:00", ("19:00:00",)),
        ("19:00,19:30:00", ("19:00:00", "19:30:00")),
        ("19:30, 19:00 ,19:30", ("19:30:00", "19:00:00")),
        ("7:05,,", ("07:05:00",)),
        ("19:00,19:00:00", ("19:00:00",)),
    ],
)
def test_parse_times_normalises_dedups_and_keeps_order(text: str, times: tuple[str, ...]) -> None:
    """Times are normalised to HH:MM:SS, de-duplicated and kept in preference order."""
    assert parse_times(text) == times


@pytest.mark.parametrize("text", ["", ",", "25:00", "19:61", "19:00,noon", "19h00", "24:00"])
def test_parse_times_refuses(text: str) -> None:
    """Impossible or missing times raise UsageError."""
    with pytest.raises(UsageError, match="--times"):
        parse_times(text)


@pytest.mark.parametrize(("size", "valid"), [(0, False), (1, True), (20, True), (21, False)])
def test_parse_party_size_range(size: int, valid: bool) -> None:
    """1 to 20 guests are accepted; anything else raises UsageError naming the range."""
    if valid:
        assert parse_party_size(size) == size
    else:
        with pytest.raises(UsageError, match="between 1 and 20"):
            parse_party_size(size)
