"""Scenario parsing, fault plan and rate limiter units, and entry-point refusals."""

from __future__ import annotations

import random
import subprocess
import sys
import time
import tomllib
from datetime import date
from pathlib import Path

import pytest

from booker.sim.clock import SimClock
from booker.sim.faults import FaultPlan, RateLimiter
from booker.sim.scenario import (
    DEFAULT_API_KEY,
    Fault,
    RateLimit,
    Scenario,
    ScenarioError,
    load_scenario,
    parse_scenario,
)


def parse(text: str) -> Scenario:
    return parse_scenario(tomllib.loads(text))


def test_default_scenario() -> None:
    s = load_scenario(None)
    assert s.provider == "resy"
    assert len(DEFAULT_API_KEY) == 32
    assert [x.time for x in s.slots] == ["18:30:00", "19:00:00", "19:30:00", "20:00:00"]
    assert all(x.table_types == ("Dining Room", "Bar") for x in s.slots)
    assert s.rivals[0].count == 4
    assert s.release_at(1000.0) == 1003.0


def test_full_scenario() -> None:
    s = parse(
        """
        clock_skew_s = -2.5
        seed = 7
        [venue]
        id = 1
        name = "X"
        time_zone = "Europe/Paris"
        [release]
        at = "+250ms"
        day = "2030-01-02"
        book_token_ttl_s = 60
        allow_multiple = true
        [[slots]]
        time = "19:00"
        table_types = ["Patio"]
        quantity = 2
        party_min = 2
        party_max = 6
        [[rivals]]
        count = 1
        prefer = ["19:00"]
        [auth]
        api_key = "k"
        auth_token = "t"
        payment_method_id = 0
        [rate_limit]
        rate_per_s = 5
        burst = 2
        [[faults]]
        kind = "status"
        status = 429
        start = "-1s"
        end = "+2s"
        paths = ["/4/find"]
        """
    )
    assert s.release_at(100.0) == pytest.approx(100.25)
    assert s.bookable_day(0.0) == date(2030, 1, 2)
    assert s.slots[0].time == "19:00:00"
    assert s.rivals[0].prefer == ("19:00:00",)
    assert s.rate_limit == RateLimit(5.0, 2)
    assert s.faults[0] == Fault("status", 429, -1.0, 2.0, ("/4/find",))


def test_absolute_release_and_relative_day() -> None:
    s = parse('[release]\nat = "2030-01-01T10:00:00-05:00"\nday = "+3d"')
    assert s.release_at(0.0) == 1893510000.0
    assert s.bookable_day(1893510000.0) == date(2030, 1, 4)
    assert parse("[release]\nat = 1893510000.5").release_at(0.0) == 1893510000.5


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('provider = "opentable"', "provider"),
        ("bogus = 1", "unknown key"),
        ('[venue]\ntime_zone = "Mars/Base"', "time_zone"),
        ('[release]\nat = "soon"', "release.at"),
        ('[release]\nday = "tomorrow"', "release.day"),
        ('[[slots]]\ntime = "25:00"', "time"),
        ('[[slots]]\ntime = "19:00"\nparty_min = 3\nparty_max = 2', "party_min"),
        ('[[rivals]]\nprefer = ["23:00"]', "no slot"),
        ('[[faults]]\nkind = "explode"', "kind"),
        ('[[faults]]\nkind = "status"', "status"),
        ('[[faults]]\nkind = "slow"', "delay_ms"),
        ('[[faults]]\nkind = "drop"\nstart = "+2s"\nend = "+1s"', "after start"),
        ('clock_skew_s = "x"', "clock_skew_s"),
        ('[date_header]\nlie = "sometimes"', "date_header.lie"),
        ("[date_header]\nepoch = -1", "date_header.epoch"),
        ("[date_header]\nskew = 1", "unknown key"),
    ],
)
def test_bad_scenarios(text: str, needle: str) -> None:
    with pytest.raises(ScenarioError, match=needle):
        parse(text)


def test_fault_plan_windows_paths_and_slow() -> None:
    faults = [
        Fault("slow", start_s=None, end_s=None, delay_ms=100),
        Fault("status", 429, -1.0, 2.0, ("/4/find",)),
        Fault("drop", start_s=5.0, end_s=6.0),
    ]
    plan = FaultPlan(faults, 1000.0, random.Random(0))
    hit = plan.decide("/4/find", 1000.5)
    assert hit.fault is not None
    assert (hit.delay_s, hit.label) == (0.1, "429-window")
    assert plan.decide("/4/find", 998.9).label == "slow"
    assert plan.decide("/4/find", 1002.0).fault is None
    assert plan.decide("/3/book", 1005.0).label == "drop"
    never = FaultPlan([Fault("drop", probability=0.0)], 0.0, random.Random(0))
    assert never.decide("/x", 0.0).label is None


def test_rate_limiter_bucket() -> None:
    limiter = RateLimiter(RateLimit(rate_per_s=0.001, burst=3))
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")


def run_sim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "booker.sim", *args],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


def test_bad_scenario_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[release]\nat = 'whenever'\n")
    result = run_sim("--scenario", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "release.at" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_and_invalid_toml_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[release\n")
    for path in (bad, tmp_path / "missing.toml"):
        result = run_sim("--scenario", str(path))
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1


def test_non_loopback_host_refused() -> None:
    result = run_sim("--host", "0.0.0.0")
    assert result.returncode == 2
    assert "non-loopback" in result.stderr


@pytest.mark.parametrize("provider", ["resy", "cart"])
def test_date_headers_that_lie(provider: str) -> None:
    """[date_header]: fixed, shifted or jumping Date headers; the sim's own clock stays true."""
    from email.utils import parsedate_to_datetime

    def stamps(text: str, count: int = 4) -> list[float]:
        clock = SimClock(0.0, parse(f'provider = "{provider}"\n{text}').date_lie)
        return [parsedate_to_datetime(clock.http_date()).timestamp() for _ in range(count)]

    now = time.time()
    assert all(abs(t - now) < 2 for t in stamps(""))
    assert stamps('[date_header]\nlie = "fixed"\nepoch = 0') == [0.0] * 4
    future = stamps('[date_header]\nlie = "offset"\noffset_s = 2.3e9')
    assert all(abs(t - (now + 2.3e9)) < 2 for t in future)
    jumping = stamps('[date_header]\nlie = "jumping"\njump_s = 3600', 3)
    assert [round((t - now) / 3600) for t in jumping] == [1, -1, 0]
