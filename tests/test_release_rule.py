"""When a day is released (booker.timing.release_rule) and ``booker drop resy`` against the simulator."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest

from booker.core.exceptions import UsageError
from booker.sim.testing import SimHandle
from booker.timing.release_rule import (
    ASSUMED_TIME,
    OnSale,
    RuleText,
    describe,
    parse_clock,
    parse_rule,
    plan_release,
    relative,
    release_instant,
)

NY = ZoneInfo("America/New_York")
UTC = dt.UTC
DAY = dt.date(2026, 12, 24)
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "days", "time"),
    [
        ("Reservations open 30 days in advance at 10:00 AM", 30, dt.time(10, 0)),
        ("New reservations are released 14 days out at 9 a.m. Eastern.", 14, dt.time(9, 0)),
        ("Tables open 28-days ahead, at 12:30pm", 28, dt.time(12, 30)),
        ("Bookings open 4 weeks in advance at midnight", 28, dt.time(0, 0)),
        ("We release 1 day ahead at noon.", 1, dt.time(12, 0)),
        ("Released 21 days ahead at 09:00", 21, dt.time(9, 0)),
        ("Reservations open at 12 AM, 7 days in advance", 7, dt.time(0, 0)),
        ("Opens 60 DAYS before at 11:59 PM", 60, dt.time(23, 59)),
        ("Walk-ins only. Call us!", None, None),
        ("", None, None),
    ],
)
def test_parse_rule(text: str, days: int | None, time: dt.time | None) -> None:
    """Days (or weeks) and a time of day in the usual phrasings; None where the text is silent."""
    assert parse_rule(text) == RuleText(days, time)


@pytest.mark.parametrize(("text", "time"), [("10:00", dt.time(10, 0)), (" 9:05 ", dt.time(9, 5))])
def test_parse_clock(text: str, time: dt.time) -> None:
    """--time is HH:MM, 24-hour."""
    assert parse_clock(text) == time


@pytest.mark.parametrize("text", ["10", "10am", "24:00", "9:5", ""])
def test_parse_clock_refuses(text: str) -> None:
    """Anything else is a one-line usage error."""
    with pytest.raises(UsageError, match="--time must be HH:MM"):
        parse_clock(text)


def test_release_instant_crosses_dst() -> None:
    """30 days before 24 Dec at 10:00 New York is 24 Nov 10:00 EST; across a DST change too."""
    assert release_instant(DAY, 30, dt.time(10), NY).isoformat() == "2026-11-24T10:00:00-05:00"
    summer = release_instant(dt.date(2026, 11, 20), 30, dt.time(10), NY)
    assert summer.isoformat() == "2026-10-21T10:00:00-04:00"


def test_plan_options_win() -> None:
    """--days-ahead and --time beat the config and the text; one candidate only."""
    plan = plan_release(
        DAY,
        "America/New_York",
        days_option=10,
        time_option=dt.time(9),
        config_days=30,
        rule_text="29 days in advance at 10:00 AM",
    )
    assert plan.time_source == "--time"
    assert [(c.days_ahead, c.source) for c in plan.candidates] == [(10, "--days-ahead")]
    assert plan.candidates[0].instant == dt.datetime(2026, 12, 14, 9, tzinfo=NY)


def test_plan_off_by_one_gives_both_candidates() -> None:
    """Config says 30, text says 29: both instants, config first."""
    plan = plan_release(
        DAY, "America/New_York", config_days=30, rule_text="Opens 29 days in advance at 10:00 AM"
    )
    assert plan.time_source == "venue text"
    assert [(c.days_ahead, c.source) for c in plan.candidates] == [
        (30, "/2/config"),
        (29, "venue text"),
    ]
    assert [c.instant.date() for c in plan.candidates] == [
        dt.date(2026, 11, 24),
        dt.date(2026, 11, 25),
    ]
    lines = describe(plan, NOW, UTC)
    assert "or, if the venue's text is right: 29 days ahead (venue text)" in lines
    assert lines[-1].startswith("note: /2/config says 30 days but the venue's text says 29")


def test_plan_prefers_the_services_own_instant() -> None:
    """The last released day went on sale 13 days ahead at 00:00 New York time: that wins."""
    on = dt.datetime(2023, 3, 30, 0, 0, tzinfo=NY).astimezone(UTC)  # API-NOTES' example
    on_sale = OnSale(dt.date(2023, 4, 12), on)
    plan = plan_release(
        DAY, "America/New_York", config_days=14, rule_text="Opens 13 days ahead", on_sale=on_sale
    )
    assert plan.time_source == "market.date.on"
    assert plan.time == dt.time(0, 0)
    assert [(c.days_ahead, c.source) for c in plan.candidates] == [
        (13, "market.date.on"),
        (14, "/2/config"),
    ]
    assert plan.candidates[0].instant == dt.datetime(2026, 12, 11, 0, 0, tzinfo=NY)
    lines = describe(plan, NOW, UTC)
    assert "or, if /2/config is right: 14 days ahead (/2/config)" in lines
    assert lines[-1].startswith("note: the service's market.date.on says 13 days but /2/config")


def test_plan_service_config_and_text_all_shown_when_they_disagree() -> None:
    """Three sources, three instants: the service's first, each other one after it."""
    on_sale = OnSale(dt.date(2026, 11, 30), dt.datetime(2026, 11, 1, 14, 0, tzinfo=UTC))
    plan = plan_release(
        DAY, "America/New_York", config_days=30, rule_text="29 days ahead at 9 AM",
        on_sale=on_sale,
    )  # fmt: skip
    assert [(c.days_ahead, c.source, f"{c.instant:%H:%M}") for c in plan.candidates] == [
        (29, "market.date.on", "09:00"),
        (30, "/2/config", "09:00"),
    ]  # the text agrees with the service (29 days at 9:00): shown once
    later = plan_release(
        DAY, "America/New_York", config_days=30, rule_text="28 days ahead at 10 AM",
        on_sale=on_sale,
    )  # fmt: skip
    assert [c.source for c in later.candidates] == ["market.date.on", "/2/config", "venue text"]
    assert describe(later, NOW, UTC)[-1].startswith(
        "note: the service's market.date.on says 29 days, /2/config says 30 days but "
        "the venue's text says 28 days at 10:00"
    )


def test_plan_options_override_the_service() -> None:
    """--days-ahead and --time win over what the service says."""
    on_sale = OnSale(dt.date(2026, 11, 30), dt.datetime(2026, 11, 1, 14, 0, tzinfo=UTC))
    plan = plan_release(
        DAY, "America/New_York", days_option=7, time_option=dt.time(8, 0), on_sale=on_sale
    )
    assert [(c.days_ahead, c.source) for c in plan.candidates] == [(7, "--days-ahead")]
    assert plan.candidates[0].instant == dt.datetime(2026, 12, 17, 8, 0, tzinfo=NY)


def test_plan_agreeing_sources_give_one_candidate() -> None:
    """Config and text agree: one instant."""
    plan = plan_release(DAY, "America/New_York", config_days=30, rule_text="30 days in advance")
    assert len(plan.candidates) == 1
    assert plan.time == ASSUMED_TIME
    assert plan.time_assumed


def test_plan_text_only_and_nothing() -> None:
    """No config: the text's days; nothing at all: ask for --days-ahead."""
    plan = plan_release(DAY, "UTC", rule_text="2 weeks ahead")
    assert [(c.days_ahead, c.source) for c in plan.candidates] == [(14, "venue text")]
    with pytest.raises(UsageError, match="pass --days-ahead"):
        plan_release(DAY, "UTC", rule_text="call us")
    with pytest.raises(UsageError, match="unknown time zone"):
        plan_release(DAY, "Nowhere/City", days_option=1)


def test_describe_assumed_and_local_time() -> None:
    """Venue time and local time for each candidate; an assumed time says so."""
    plan = plan_release(DAY, "America/New_York", config_days=30)
    lines = describe(plan, NOW, ZoneInfo("Europe/Paris"))
    assert (
        lines[0]
        == "2026-12-24 opens at 10:00 venue time (assumed: neither --time nor the venue's text gives one)"
    )
    assert lines[1] == "release: 30 days ahead (/2/config)"
    assert lines[2] == "  venue: 2026-11-24 10:00 EST (America/New_York)"
    assert lines[3] == "  local: 2026-11-24 16:00 CET (UTC+0100), in 23 d 3 h"


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (dt.timedelta(days=2, hours=3, minutes=5), "in 2 d 3 h"),
        (dt.timedelta(hours=1, minutes=30), "in 1 h 30 min"),
        (dt.timedelta(minutes=2, seconds=5), "in 2 min 5 s"),
        (dt.timedelta(seconds=0), "in 0 s"),
        (-dt.timedelta(hours=5), "5 h 0 min ago (already released)"),
    ],
)
def test_relative(delta: dt.timedelta, text: str) -> None:
    """Coarse, readable durations."""
    assert relative(NOW + delta, NOW) == text


def drop_command(sim: SimHandle, day: str) -> list[str]:
    """``booker drop resy`` for ``day`` at the simulator's venue (trusting its CA, if any)."""
    command = [
        sys.executable, "-m", "booker", "drop", "resy",
        "--venue-id", str(sim.scenario["venue_id"]),
        "--date", day,
        "--base-url", sim.url,
    ]  # fmt: skip
    return [*command, "--ca-cert", str(sim.ca)] if sim.ca is not None else command


@pytest.mark.e2e
def test_drop_against_simulator(tmp_path: Path) -> None:
    """A real ``booker drop resy`` reads zone, lead time and text from the sim; off by one shows both."""
    from booker_run import run_booker

    from booker.sim.testing import running_sim

    scenario = """
provider = "resy"
shapes = "legacy"
rivals = []
[venue]
time_zone = "Asia/Tokyo"
lead_time_in_days = 30
content = "Reservations open 29 days in advance at 9:00 AM"
"""
    day = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    with running_sim(scenario, tmp_dir=tmp_path / "sim") as sim:
        command = drop_command(sim, day)
        done = run_booker(sim, command, cwd=tmp_path, timeout=30)
        as_json = run_booker(sim, [*command, "--json"], cwd=tmp_path, timeout=30)
        missing = run_booker(sim, command, cwd=tmp_path, timeout=30, RESY_API_KEY="")
    assert done.code == 0, done.stderr
    out = done.stdout
    wanted = dt.date.fromisoformat(day)
    first = wanted - dt.timedelta(days=30)
    second = wanted - dt.timedelta(days=29)
    assert "Resy venue 60029 (Carbone (simulated))" in out
    assert f"{day} opens at 09:00 venue time (from the venue's text)" in out
    assert "release: 30 days ahead (/2/config)" in out
    assert f"  venue: {first} 09:00 JST (Asia/Tokyo)" in out
    assert "or, if the venue's text is right: 29 days ahead (venue text)" in out
    assert f"  venue: {second} 09:00 JST (Asia/Tokyo)" in out
    assert "note: /2/config says 30 days but the venue's text says 29" in out
    document = orjson.loads(as_json.stdout)
    assert (document["venue_name"], document["time_zone"]) == ("Carbone (simulated)", "Asia/Tokyo")
    assert document["rule"] == "Reservations open 29 days in advance at 9:00 AM"
    assert [(c["days_ahead"], c["source"], c["release_at"]) for c in document["candidates"]] == [
        (30, "/2/config", f"{first}T09:00:00+09:00"),
        (29, "venue text", f"{second}T09:00:00+09:00"),
    ]
    assert missing.code == 2
    assert missing.stderr.strip() == (
        "booker: error: missing credentials: set RESY_API_KEY in the environment, in .env "
        "or in the [credentials] table of the settings file"
    )


@pytest.mark.e2e
@pytest.mark.parametrize("calendar_in_config", ["true", "false"], ids=["config", "calendar"])
def test_drop_prefers_the_services_own_release_instant(
    tmp_path: Path, calendar_in_config: str
) -> None:
    """2026 shapes: the last released day's market.date.on wins; all three shown when apart.

    The last released day comes from /2/config, or else from /4/venue/calendar.
    """
    from booker_run import run_booker

    from booker.sim.testing import running_sim

    scenario = f"""
rivals = []
[release]
at = "+60s"
day = "+30d"
[venue]
time_zone = "America/Los_Angeles"
lead_time_in_days = 31
content = "Reservations open 29 days in advance at 9:00 AM"
calendar_in_config = {calendar_in_config}
"""
    zone = ZoneInfo("America/Los_Angeles")
    day = (dt.datetime.now(zone).date() + dt.timedelta(days=40)).isoformat()
    with running_sim(scenario, tmp_dir=tmp_path / "sim") as sim:
        command = drop_command(sim, day)
        done = run_booker(sim, command, cwd=tmp_path, timeout=30)
        release = dt.datetime.fromtimestamp(sim.scenario["release_at"], zone)
    assert done.code == 0, done.stderr
    out = done.stdout
    at = f"{release:%H:%M}"
    wanted = dt.date.fromisoformat(day)
    assert f"{day} opens at {at} venue time (from the service" in out
    assert "release: 30 days ahead (market.date.on)" in out
    assert f"  venue: {wanted - dt.timedelta(days=30)} {at} P" in out
    assert "or, if /2/config is right: 31 days ahead (/2/config)" in out
    assert "or, if the venue's text is right: 29 days ahead (venue text)" in out
    assert f"  venue: {wanted - dt.timedelta(days=29)} 09:00 P" in out
    assert "note: the service's market.date.on says 30 days, /2/config says 31 days" in out
    assert "service says: " in out
