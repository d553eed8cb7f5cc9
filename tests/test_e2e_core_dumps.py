"""Processes that hold credentials write no core dump, whatever ``ulimit -c`` says."""

from __future__ import annotations

import resource
import signal
import subprocess
import uuid
from pathlib import Path

import psutil
import pytest
from booker_run import (
    book_resy_command,
    environment,
    read_until,
    scenario,
    wait_until_gone,
    worker_processes,
)

from booker.sim.testing import running_sim

pytestmark = pytest.mark.e2e


def core_files_possible() -> bool:
    """Cores are written as files in the working directory (not piped to a handler)."""
    pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    return not pattern.startswith("|") and "/" not in pattern and hard != 0


def unlimited_cores() -> None:
    """``ulimit -c unlimited`` (up to the hard limit) in the child before booker starts."""
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


@pytest.mark.skipif(not core_files_possible(), reason="core dumps are not written as files here")
def test_a_crashing_worker_writes_no_core_file(tmp_path: Path) -> None:
    """`ulimit -c unlimited`, then a worker crashes (SIGABRT): no ./core holding the token,
    and neither the supervisor nor any worker could ever write one (limit 0, soft and hard)."""
    workdir = tmp_path / "run"
    workdir.mkdir()
    with running_sim(scenario("+120s", rivals=0), tmp_dir=tmp_path / "sim") as sim:
        command = book_resy_command(sim, "--max-duration", "30", "--workers", "2")
        tag = uuid.uuid4().hex
        with subprocess.Popen(
            command,
            env=environment(sim, tag, workdir),
            cwd=workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=unlimited_cores,  # noqa: PLW1509 (no threads started in this test)
        ) as process:
            try:
                read_until(process, "all workers warm", timeout=20)
                workers = worker_processes(process.pid)
                limits = {
                    p.pid: p.rlimit(psutil.RLIMIT_CORE)
                    for p in [psutil.Process(process.pid), *workers]
                }
                workers[0].send_signal(signal.SIGABRT)
                workers[0].wait(timeout=10)
            finally:
                process.send_signal(signal.SIGTERM)
                process.communicate(timeout=10)
    assert len(limits) == 3
    assert set(limits.values()) == {(0, 0)}
    assert sorted(p.name for p in workdir.iterdir() if p.name.startswith("core")) == []
    assert not wait_until_gone(tag, 2.0)
