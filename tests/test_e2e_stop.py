"""Stopping: signals, a killed supervisor, a dying worker, max duration. No process is left."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest
from booker_run import (
    book_resy_command,
    environment,
    read_until,
    scenario,
    start_booker,
    wait_until_gone,
    worker_processes,
)
from conftest import MaxDurationRun

from booker.sim.testing import running_sim

pytestmark = pytest.mark.e2e

LATE = scenario("+120s", rivals=0)  # a release that never comes during the test


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_ends_everything_with_130(tmp_path: Path, signum: signal.Signals) -> None:
    """SIGINT or SIGTERM to the supervisor: exit 130 with a summary, every worker gone."""
    with running_sim(LATE, tmp_dir=tmp_path) as sim:
        command = book_resy_command(sim, "--workers", "2", "--max-duration", "60")
        with start_booker(sim, command, tmp_path) as (process, tag):
            read_until(process, "polling", timeout=20)
            time.sleep(0.3)
            sent = time.monotonic()
            process.send_signal(signum)
            code = process.wait(timeout=5)
            took = time.monotonic() - sent
            out = os.read(process.stdout.fileno(), 65536).decode() if process.stdout else ""
    assert code == 130
    assert took < 2.5  # the requirement is one second; the margin absorbs a loaded CI machine
    assert "Interrupted" in out
    assert not wait_until_gone(tag, 1.0)


def test_killed_supervisor_leaves_no_worker(tmp_path: Path) -> None:
    """SIGKILL to the supervisor: every worker notices and exits within two seconds."""
    with running_sim(LATE, tmp_dir=tmp_path) as sim:
        command = book_resy_command(sim, "--workers", "2", "--max-duration", "60")
        with start_booker(sim, command, tmp_path) as (process, tag):
            read_until(process, "polling", timeout=20)
            workers = worker_processes(process.pid)
            assert len(workers) >= 2
            process.kill()
            process.wait(timeout=5)
            left = wait_until_gone(tag, 2.0)
            for worker in left:
                worker.kill()
    assert not left, f"workers still alive: {[p.pid for p in left]}"


def test_dead_worker_is_reported_and_the_job_goes_on(tmp_path: Path) -> None:
    """A worker killed mid-run is reported; the others still book after the release."""
    with running_sim(scenario("+3s", rivals=0), tmp_dir=tmp_path) as sim:
        command = book_resy_command(
            sim, "--workers", "2", "--cadence-ms", "50", "--max-duration", "30"
        )
        with start_booker(sim, command, tmp_path) as (process, tag):
            early = read_until(process, "polling", timeout=20)
            victim = worker_processes(process.pid)[0]
            victim.kill()
            out, err = process.communicate(timeout=30)
        ledger = sim.ledger()
    assert process.returncode == 0, err
    assert "died" in early + out and "going on with the others" in early + out
    assert len([b for b in ledger["bookings"] if b["who"] == "booker"]) == 1
    assert not wait_until_gone(tag, 2.0)


def test_terminal_shows_a_live_status_line_that_never_wraps(tmp_path: Path) -> None:
    """On an 80-column terminal: one live line with elapsed/max, requests, last status and
    concurrency, redrawn in place and never wider than the terminal (a wrapped line cannot be
    cleared, and the screen would fill with copies of it)."""
    with running_sim(LATE, tmp_dir=tmp_path) as sim:
        command = book_resy_command(sim, "--max-duration", "60", "--cadence-ms", "100")
        main, child = pty.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        env = environment(sim, "pty", tmp_path, TERM="xterm")
        env.pop("COLUMNS", None)
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=child, stderr=child)
        os.close(child)
        seen = b""
        deadline = time.monotonic() + 20
        try:
            while seen.count(b"| concurrency 3") < 4 and time.monotonic() < deadline:
                try:
                    seen += os.read(main, 4096)
                except OSError:
                    break
            process.send_signal(signal.SIGINT)
            process.wait(timeout=5)
        finally:
            process.kill()
            os.close(main)
    text = seen.decode(errors="replace")
    assert "Elapsed: 0m " in text and "/ 1m 0s" in text
    assert "requests " in text and "last HTTP 200" in text
    rows = re.split(r"[\r\n]", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text))
    status_rows = [row for row in rows if "Elapsed:" in row]
    assert len(status_rows) >= 4
    assert max(len(row) for row in status_rows) < 80, status_rows
    assert not any("worker" in row for row in status_rows)  # no stale event text
    assert "\r\x1b[K" in text


# The run started with the session (conftest.py): by now most of its 30 s are spent.
def test_max_duration_stops_with_exit_1(max_duration_run: MaxDurationRun | None) -> None:
    """No release within --max-duration: 'Max duration reached (0m 30s)', exit 1, nothing left."""
    assert max_duration_run is not None
    out, err = max_duration_run.process.communicate(timeout=60)
    took = time.monotonic() - max_duration_run.started
    assert max_duration_run.process.returncode == 1, err
    assert "Max duration reached (0m 30s)" in out
    assert took >= 30
    assert not wait_until_gone(max_duration_run.tag, 2.0)
