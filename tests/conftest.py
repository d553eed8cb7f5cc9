"""Every test runs with its own config, data and log directories (never the user's)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def private_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point BOOKER_CONFIG_DIR, BOOKER_DATA_DIR and BOOKER_LOG_DIR at a fresh folder."""
    base: Path = tmp_path_factory.mktemp("user")
    for variable, name in (
        ("BOOKER_CONFIG_DIR", "config"),
        ("BOOKER_DATA_DIR", "data"),
        ("BOOKER_LOG_DIR", "logs"),
    ):
        monkeypatch.setenv(variable, str(base / name))


@dataclass
class MaxDurationRun:
    """A booking run that can only end by reaching --max-duration (30 s), and when it started."""

    process: subprocess.Popen[str]
    tag: str
    started: float


MAX_DURATION_TEST = "test_max_duration_stops_with_exit_1"


@pytest.fixture(scope="session", autouse=True)
def max_duration_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MaxDurationRun | None]:
    """Started with the session when its test is selected, so the 30 s overlap other tests."""
    if not any(item.name == MAX_DURATION_TEST for item in request.session.items):
        yield None
        return
    from booker_run import book_resy_command, scenario, start_booker

    from booker.sim.testing import running_sim

    folder = tmp_path_factory.mktemp("max-duration")
    with running_sim(scenario("+120s", rivals=0), tmp_dir=folder) as sim:
        command = book_resy_command(sim, "--max-duration", "30", "--cadence-ms", "500")
        with start_booker(sim, command, folder) as (process, tag):
            yield MaxDurationRun(process, tag, time.monotonic())


@dataclass
class NightRun:
    """The cron night: booker started with default options and ``--at`` a minute ahead."""

    process: subprocess.Popen[str]
    tag: str
    release_at: float  # on the simulator's clock
    ledger: Callable[[], dict[str, Any]]


NIGHT_TEST = "test_at_a_minute_ahead_books_with_default_options"
NIGHT_AHEAD = "+55s"  # at least 45 s: booker used to give up on anything beyond about 40 s


@pytest.fixture(scope="session", autouse=True)
def night_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NightRun | None]:
    """Started with the session when its test is selected: its minute of waiting overlaps others."""
    if not any(item.name == NIGHT_TEST for item in request.session.items):
        yield None
        return
    import datetime as dt

    from booker_run import book_resy_command, scenario, start_booker

    from booker.sim.testing import running_sim

    folder = tmp_path_factory.mktemp("night")
    with running_sim(scenario(NIGHT_AHEAD, rivals=1), tmp_dir=folder) as sim:
        release = float(sim.scenario["release_at"])
        at = dt.datetime.fromtimestamp(release, dt.UTC).isoformat()
        command = book_resy_command(sim, "--at", at, "--json")
        with start_booker(sim, command, folder) as (process, tag):
            yield NightRun(process, tag, release, sim.ledger)


@dataclass
class EmptyRangeRun:
    """A job whose time ranges the service never offers: it can only end at --max-duration."""

    process: subprocess.Popen[str]
    ledger: Callable[[], dict[str, Any]]


EMPTY_RANGE_TEST = "test_an_empty_range_books_nothing"


@pytest.fixture(scope="session", autouse=True)
def empty_range_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmptyRangeRun | None]:
    """Started with the session when its test is selected, so its 30 s overlap other tests."""
    if not any(item.name == EMPTY_RANGE_TEST for item in request.session.items):
        yield None
        return
    from booker_run import book_resy_command, scenario, start_booker

    from booker.sim.testing import running_sim

    folder = tmp_path_factory.mktemp("empty-range")
    with running_sim(scenario("+1s", rivals=0), tmp_dir=folder) as sim:
        command = book_resy_command(
            sim, "--cadence-ms", "500", "--max-duration", "30", "--json",
            times="20:00-21:00,18:00-18:59",
        )  # fmt: skip
        with start_booker(sim, command, folder) as (process, _):
            yield EmptyRangeRun(process, sim.ledger)
