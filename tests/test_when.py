"""``--at WHEN`` parsing: time zones, tomorrow roll-over, refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from booker.core.exceptions import UsageError
from booker.timing.when import describe, parse_when, zone_for, zone_named

NY = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 11, 22, 14, 30, 0, tzinfo=dt.UTC)  # 09:30 in New York


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:00", dt.datetime(2026, 11, 22, 10, 0, tzinfo=NY)),
        ("9:45:30", dt.datetime(2026, 11, 22, 9, 45, 30, tzinfo=NY)),
        ("10:00:00.250", dt.datetime(2026, 11, 22, 10, 0, 0, 250000, tzinfo=NY)),
        ("09:29:30", dt.datetime(2026, 11, 22, 9, 29, 30, tzinfo=NY)),  # 30 s ago: still today
        ("09:00", dt.datetime(2026, 11, 23, 9, 0, tzinfo=NY)),  # past: tomorrow
        ("2026-11-22T15:00:00+00:00", dt.datetime(2026, 11, 22, 15, 0, tzinfo=dt.UTC)),
        ("2026-11-22 11:00", dt.datetime(2026, 11, 22, 11, 0, tzinfo=NY)),  # no offset: venue zone
    ],
)
def test_when_is_read_in_the_venue_zone(text: str, expected: dt.datetime) -> None:
    """Clock times are in the venue's zone, today or tomorrow; ISO times keep their offset."""
    assert parse_when(text, NY, NOW) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-11-24T10:00:00+00:00", "more than 24 h"),
        ("2026-11-22T14:00:00+00:00", "in the past"),
        ("25:00", "not a time of day"),
        ("10:61", "not a time of day"),
        ("tomorrow", "HH:MM"),
        ("10h", "HH:MM"),
        ("", "HH:MM"),
    ],
)
def test_bad_when_is_refused(text: str, message: str) -> None:
    """Malformed, far, or past instants are usage errors naming the problem."""
    with pytest.raises(UsageError, match=message):
        parse_when(text, NY, NOW)


def test_daylight_saving_is_respected() -> None:
    """The same clock time maps to different UTC offsets across a DST change."""
    before = dt.datetime(2026, 3, 7, 12, 0, tzinfo=dt.UTC)
    after = dt.datetime(2026, 3, 9, 12, 0, tzinfo=dt.UTC)
    assert parse_when("10:00", NY, before).utcoffset() == dt.timedelta(hours=-5)
    assert parse_when("10:00", NY, after).utcoffset() == dt.timedelta(hours=-4)


def test_unknown_zone_is_a_usage_error() -> None:
    """A made-up zone name is refused with a hint."""
    with pytest.raises(UsageError, match="IANA"):
        zone_named("Mars/Olympus_Mons")


def test_describe_shows_milliseconds_and_zone() -> None:
    """The human form has milliseconds and the zone abbreviation."""
    assert (
        describe(dt.datetime(2026, 12, 1, 9, 0, 0, 5000, tzinfo=NY))
        == "2026-12-01 09:00:00.005 EST"
    )


@pytest.mark.parametrize(
    ("text", "needed"),
    [
        ("10:00", True),
        ("2026-11-22 11:00", True),
        ("2026-11-22T15:00:00+00:00", False),
        ("junk", True),
    ],
)
def test_only_times_without_an_offset_need_a_zone(text: str, needed: bool) -> None:
    """An ISO time with an offset needs no venue look-up."""
    from booker.timing.when import needs_zone

    assert needs_zone(text) is needed


def test_zone_for_prefers_tz_then_the_offset_then_the_venue() -> None:
    """--tz wins; an offset needs no look-up; else the venue's zone, looked up only then."""
    asked: list[bool] = []

    def venue() -> str | None:
        asked.append(True)
        return "America/New_York"

    assert zone_for("10:00", "Europe/Paris", venue) == ZoneInfo("Europe/Paris")
    assert zone_for("2026-12-01T10:00:00-05:00", None, venue) == dt.UTC
    assert not asked
    assert zone_for("2026-12-01 10:00", None, venue) == NY
    assert asked


def test_a_bare_time_is_refused_when_no_zone_can_be_looked_up() -> None:
    """Never the machine's zone: on a UTC server that fires hours off for a New York venue."""
    with pytest.raises(UsageError, match="give --tz"):
        zone_for("10:00", None, lambda: None)


def test_book_cart_bare_at_needs_tz(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`book cart --at 09:00` without --tz: exit 2 before anything starts."""
    from booker.cli import main

    env = tmp_path / ".env"
    env.write_text('RA_AUTHORIZATION=eyJ.x\nRA_A1DATA={"a1": 1}\n')
    env.chmod(0o600)
    day = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    argv = ["book", "cart", "--contract-code", "NY", "--facility-id", "140", "--site-id", "9",
            "--arrival-date", day, "--nights", "2", "--at", "09:00"]  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        patch.delenv("RA_AUTHORIZATION", raising=False)
        with pytest.raises(SystemExit) as exited:
            main(argv)
    assert exited.value.code == 2
    assert "give --tz" in capsys.readouterr().err
