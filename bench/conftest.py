"""Fixtures of the benchmark suite: one uvloop runner and one simulator per module."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvloop

from bench import report
from booker.sim.testing import SimHandle, running_sim

# Released in an hour: every /4/find answers "no slots yet", the poll of every tick before a drop.
IDLE_SCENARIO = """
provider = "resy"
rivals = []
[release]
at = "+3600s"
day = "+20d"
"""


def pytest_configure(config: pytest.Config) -> None:
    """Markers of this suite (the project's --strict-markers applies here too)."""
    config.addinivalue_line("markers", "drops: end-to-end drops against the simulator (slow)")


@pytest.fixture(scope="module")
def runner() -> Iterator[asyncio.Runner]:
    """One uvloop event loop for the whole module (pytest-benchmark has no async support)."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as loop_runner:
        yield loop_runner


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimHandle]:
    """The simulator over HTTP/2 + TLS, not releasing during the module."""
    with running_sim(IDLE_SCENARIO, tmp_dir=Path(tmp_path_factory.mktemp("sim"))) as handle:
        yield handle


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write bench/results/latest.json and the latency chart."""
    path = report.write()
    if path is not None:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"bench results: {path}")
