"""``booker check`` finds the crontab line ``booker schedule`` wrote for a job of several
venues, days or sites: a line is the job's when it names the same ones (as the journal
files a job: their set, in any order), never when it names others.

Before, check took one venue and one day only and compared the line's text exactly, so a
scheduled job of several could not be checked at all ("no crontab line runs this job").
"""

from __future__ import annotations

import datetime as dt
import importlib
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from booker.cli import cli
from booker.timing.night_check import find_jobs

check = importlib.import_module("booker.cli.check")
schedule = importlib.import_module("booker.cli.schedule")

AT = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(days=2)
DAY = (AT + dt.timedelta(days=30)).date().isoformat()
NEXT = (AT + dt.timedelta(days=31)).date().isoformat()
RESY = ("book", "resy", "--party-size", "2", "--times", "19:00")
CART = ("book", "cart", "--contract-code", "NY", "--facility-id", "140", "--nights", "2")
JOBS = {  # tag: the command after `booker schedule ... --`
    "one": (*RESY, "--venue-id", "60029", "--date", DAY),
    "venues": (*RESY, "--venue-id", "60029,1505", "--date", DAY),
    "days": (*RESY, "--venue-id", "60029", "--date", f"{DAY},{NEXT}"),
    "spelled": (*RESY, "--dry-run", "--venue-id=0077, 88,77", f"--date={NEXT}"),
    "site": (*CART, "--site-id", "245719", "--arrival-date", DAY),
    "sites": (*CART, "--site-id", "245719,245720", "--arrival-date", DAY),
}


@pytest.fixture
def crontab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The crontab after ``booker schedule --install --tag TAG`` of every job in ``JOBS``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"RESY_API_KEY={'K' * 32}\nRESY_AUTH_TOKEN=opaque\nRA_AUTHORIZATION=opaque\nRA_A1DATA={{}}\n"
    )
    env_file.chmod(0o600)
    table = [""]

    def runner(args: Sequence[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
        if stdin is not None:
            table[0] = stdin
        return subprocess.CompletedProcess(args, 0, table[0], "")

    for tag, command in JOBS.items():
        schedule.schedule_main(
            AT.isoformat(), "UTC", tag, True, False, None, False, command, runner=runner
        )
    assert [tag for tag, _ in schedule.scheduling.entries(table[0])] == list(JOBS)
    return table[0]


@pytest.mark.parametrize(
    ("venues", "days", "tags"),
    [
        ((60029,), (DAY,), ["one"]),
        ((60029, 1505), (DAY,), ["venues"]),
        ((1505, 60029), (DAY,), ["venues"]),  # the same job: the journal files it by the set
        ((1505,), (DAY,), []),
        ((60029, 1505, 7), (DAY,), []),
        ((60029,), (DAY, NEXT), ["days"]),
        ((60029,), (NEXT, DAY), ["days"]),
        ((60029,), (NEXT,), []),
        ((77, 88), (NEXT,), ["spelled"]),  # --opt=value, leading zeros, spaces, repeats
        ((77,), (NEXT,), []),
    ],
)
def test_check_resy_finds_the_line_of_the_same_venues_and_days(
    crontab: str, venues: tuple[int, ...], days: tuple[str, ...], tags: list[str]
) -> None:
    jobs = find_jobs(crontab, "resy", check.resy_wants(venues, days), None)
    assert [job.tag for job in jobs] == tags


@pytest.mark.parametrize(
    ("sites", "tags"),
    [
        (("245719",), ["site"]),
        (("245720", "245719"), ["sites"]),
        (("245720",), []),
    ],
)
def test_check_cart_finds_the_line_of_the_same_sites(
    crontab: str, sites: tuple[str, ...], tags: list[str]
) -> None:
    jobs = find_jobs(crontab, "cart", check.cart_wants("140", sites, DAY), None)
    assert [job.tag for job in jobs] == tags


@pytest.mark.parametrize(
    ("args", "tag"),
    [
        (["resy", "--venue-id", "1505,60029", "--date", DAY, "--at", AT.isoformat()], "venues"),
        (["resy", "--venue-id", "60029", "--date", f"{NEXT},{DAY}"], "days"),
        (["cart", "--facility-id", "140", "--site-id", "245719,245720", "--arrival-date", DAY],
         "sites"),
    ],
)  # fmt: skip
def test_booker_check_takes_a_job_of_several_and_finds_its_line(
    crontab: str, monkeypatch: pytest.MonkeyPatch, args: list[str], tag: str
) -> None:
    """The command itself: the lists are accepted and the cron items are the job's line's
    (the service is unreachable here, so its own items fail)."""
    monkeypatch.setattr(check, "CRONTAB_READER", lambda: crontab)
    for name, value in (("RESY_API_KEY", "K" * 32), ("RESY_AUTH_TOKEN", "opaque")):
        monkeypatch.setenv(name, value)
    base_url = ["--base-url", "http://127.0.0.1:1", "--samples", "1"]
    result = CliRunner().invoke(cli, ["check", *args, *base_url], standalone_mode=False)
    assert result.exception is None, result.output
    cron = [line for line in result.output.splitlines() if "cron line" in line]
    assert cron and all(f"cron line    {tag} fires at " in line for line in cron), result.output


def test_booker_check_refuses_a_bad_list_as_book_does() -> None:
    result = CliRunner().invoke(
        cli, ["check", "resy", "--venue-id", "60029,x", "--date", DAY], standalone_mode=False
    )
    assert str(result.exception) == "--venue-id must be a positive number, got 'x'"
