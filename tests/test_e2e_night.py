"""The night as cron sees it: a release a minute ahead, and a service whose Date headers lie."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from booker_run import book_resy_command, run_booker, scenario, wait_until_gone
from conftest import NightRun

from booker.sim.testing import running_sim

pytestmark = pytest.mark.e2e


def test_at_a_minute_ahead_books_with_default_options(night_run: NightRun | None) -> None:
    """--at 55 s ahead, every other option default: waits, warms at the prewarm, polls, books."""
    assert night_run is not None
    out, err = night_run.process.communicate(timeout=120)
    assert night_run.process.returncode == 0, out + err
    ledger = night_run.ledger()
    release = night_run.release_at
    requests = [r["t"] for r in ledger["requests"]]
    assert min(requests) >= release - 10 - 1.0  # nothing before the workers start (--prewarm-secs)
    finds = [r["t"] for r in ledger["requests"] if r["path"] == "/4/find"]
    assert min(finds) >= release - 0.5 - 0.1  # polling starts --lead-ms early, not sooner
    booking = next(b for b in ledger["bookings"] if b["who"] == "booker")
    assert release <= booking["t"] < release + 1.0
    assert not wait_until_gone(night_run.tag, 2.0)


LIES = {
    "fixed in 1970": '[date_header]\nlie = "fixed"\nepoch = 0\n',
    "jumping by an hour": '[date_header]\nlie = "jumping"\njump_s = 3600\n',
}


@pytest.mark.parametrize("lie", list(LIES), ids=list(LIES))
def test_date_headers_that_lie_never_decide_when_booker_fires(lie: str, tmp_path: Path) -> None:
    """The service's Date is not believed: one warning, then polling on our clock, and a booking."""
    with running_sim(scenario("+6s", rivals=0, extra=LIES[lie]), tmp_dir=tmp_path) as sim:
        release = float(sim.scenario["release_at"])
        at = dt.datetime.fromtimestamp(release, dt.UTC).isoformat()
        command = book_resy_command(sim, "--at", at, "--prewarm-secs", "4", "--max-duration", "30")
        run = run_booker(sim, command, tmp_path, timeout=60)
        ledger = sim.ledger()
    assert run.code == 0, run.stdout + run.stderr
    assert run.stdout.count("not using the service's clock") == 1
    finds = [r["t"] for r in ledger["requests"] if r["path"] == "/4/find"]
    assert min(finds) == pytest.approx(release - 0.5, abs=0.1)  # on our (here: the true) clock


def test_ping_says_a_lying_clock_is_not_believed(tmp_path: Path) -> None:
    """``booker ping`` shows what the Date headers claim, and that booker would not use it."""
    from booker_run import lookup_command

    with running_sim(
        scenario("+60s", rivals=0, extra=LIES["fixed in 1970"]), tmp_dir=tmp_path
    ) as sim:
        run = run_booker(sim, lookup_command(sim, "ping", "resy", "--samples", "2"), tmp_path)
    assert run.code == 0, run.stderr
    assert "not believed (its Date headers put it" in run.stdout
    assert "behind this machine's clock (more than 5 minutes)" in run.stdout


INTERNET = """
[network]
rtt_ms = 80
jitter_ms = 3
"""


def test_over_an_internet_link_the_first_poll_arrives_just_after_the_release(
    tmp_path: Path,
) -> None:
    """80 ms away, the service 1.5 s ahead: the clock is read to a few ms and polls aim at arrival."""
    text = scenario("+9s", rivals=0, extra=INTERNET)
    text = text.replace('provider = "resy"', 'provider = "resy"\nclock_skew_s = 1.5')
    with running_sim(text, tmp_dir=tmp_path) as sim:
        release = float(sim.scenario["release_at"])
        at = dt.datetime.fromtimestamp(release, dt.UTC).isoformat()
        command = book_resy_command(
            sim, "--at", at, "--prewarm-secs", "7", "--max-duration", "30", "--json"
        )
        run = run_booker(sim, command, tmp_path, timeout=60)
        ledger = sim.ledger()
    assert run.code == 0, run.stdout + run.stderr
    assert run.json()["clock_offset_s"] == pytest.approx(-1.5, abs=0.010)
    finds = sorted(r["t"] for r in ledger["requests"] if r["path"] == "/4/find")
    first_after = min(t for t in finds if t >= release)
    assert first_after - release < 0.020  # aimed at departure, it arrived 40 ms late
    assert min(finds) >= release - 0.5 - 0.020
