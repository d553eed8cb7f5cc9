"""One run per job: the lock file waits for a live holder and never outlives a killed one."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from booker.store.joblock import job_lock, lock_path

HOLD = """
import sys, time
from pathlib import Path
from booker.store.joblock import job_lock
with job_lock(Path(sys.argv[1]), "resy:1:2026-12-24:2"):
    print("held", flush=True)
    time.sleep(60)
"""


@contextlib.contextmanager
def holder(directory: Path) -> Iterator[subprocess.Popen[str]]:
    """Another booker run holding the job's lock (killed at the end if still alive)."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(directory)], stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None and process.stdout.readline() == "held\n"
            yield process
        finally:
            process.kill()


def test_a_run_killed_with_sigkill_leaves_the_job_unlocked(tmp_path: Path) -> None:
    with holder(tmp_path) as process:
        process.send_signal(signal.SIGKILL)
        process.wait(5)
    waited: list[str] = []
    with job_lock(tmp_path, "resy:1:2026-12-24:2", waited.append):
        pass
    assert waited == []


def test_the_second_run_waits_for_the_first_and_is_told_who(tmp_path: Path) -> None:
    waited: list[str] = []
    entered = threading.Event()

    def second() -> None:
        with job_lock(tmp_path, "resy:1:2026-12-24:2", waited.append):
            entered.set()

    with holder(tmp_path) as process:
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.2)
        assert not entered.is_set()
        assert waited == [str(process.pid)]
        process.terminate()
        process.wait(5)
        assert entered.wait(5)
        thread.join(5)


def test_other_jobs_are_not_held_up(tmp_path: Path) -> None:
    with holder(tmp_path):
        waited: list[str] = []
        with job_lock(tmp_path, "resy:1:2026-12-24:4", waited.append):
            pass
        assert waited == []
    assert lock_path(tmp_path, "resy:1:2026-12-24:4") != lock_path(tmp_path, "resy:1:2026-12-24:2")
