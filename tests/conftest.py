"""Every test runs with its own config, data and log directories (never the user's)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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
