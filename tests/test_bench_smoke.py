"""The benchmark suite runs: one quick round of the fast benches and one blind drop, no timing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SELECTION = "not httpx2 and not client_build and not cpu_per_poll"


@pytest.mark.e2e
def test_benchmarks_run_once(tmp_path: Path) -> None:
    """`pytest bench --benchmark-disable` (core, hot path on httpx, one blind drop) passes."""
    env = {
        **os.environ,
        "BENCH_DROPS": "1",
        "BENCH_MODES": "blind",
        "BENCH_RESULTS_DIR": str(tmp_path / "results"),
    }
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    command += ["--benchmark-disable", "-k", SELECTION]
    command += ["bench/test_core.py", "bench/test_hot_path.py", "bench/test_drops.py"]
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (tmp_path / "results" / "latest.json").exists()
