"""End-to-end drops against the simulator: the real ``booker book resy`` CLI and the baseline.

One drop = a fresh simulator (HTTP/2 over TLS, its own CA) whose release
instant is known, rivals booking a median 150 ms after it, and one client run
to completion. Every figure comes from the simulator's ledger (server clock).

Modes:

* ``aligned``  booker with ``--at <release instant>`` (``--clock server``, the default: the
  service's clock is estimated from ``Date`` headers during the prewarm);
* ``aligned-local`` the same with ``--clock local`` (loopback: both clocks are this machine's);
* ``blind``    booker started a few seconds early without ``--at``: the release is unknown;
* ``baseline`` ``bench/baseline_client.py``, the hand-written one-process loop.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import psutil

from bench import stats
from booker.sim.testing import SimHandle, running_sim

HERE = Path(__file__).resolve().parent
BASELINE = HERE / "baseline_client.py"

CADENCE_MS = 50
WORKERS = 2
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "10"))
TIMES = "19:00,19:30"
RIVAL_MEDIAN_MS = 150
# booker's --prewarm-secs per aligned mode: with --clock server, prewarm - 3 s of Date probes
# (at most 6) estimate the server clock; --clock local needs only time to start and warm.
PREWARM_S = {"aligned": 9, "aligned-local": 2}
RUN_TIMEOUT_S = 60
RSS_EVERY_S = 0.05

# Seconds from the simulator's start to the release, per mode: time for the client to start
# (and, aligned, for its prewarm), plus about 1.5 s of polling before the release (blind).
RELEASE_AFTER_S = {
    "aligned": PREWARM_S["aligned"] + 2.0,
    "aligned-local": PREWARM_S["aligned-local"] + 2.0,
    "blind": 3.5,
    "baseline": 2.0,
}
MODES = ("aligned", "aligned-local", "blind", "baseline")
BOOKER_MODES = ("aligned", "aligned-local", "blind")


def scenario(release_after_s: float) -> str:
    """Two wanted times with two tables each, four rivals a median 150 ms after the release."""
    return f"""
provider = "resy"
clock_skew_s = 0.0
[release]
at = "+{release_after_s}s"
day = "+20d"
[[slots]]
time = "19:00"
table_types = ["Dining Room", "Bar"]
[[slots]]
time = "19:30"
table_types = ["Dining Room", "Bar"]
[[rivals]]
count = 4
delay_median_ms = {RIVAL_MEDIAN_MS}
delay_sigma = 0.5
prefer = ["19:00", "19:30"]
"""


@dataclass
class Drop:
    """One drop's outcome, read from the ledger."""

    mode: str
    code: int
    latency_ms: float | None  # our booking t - release_at; None when not booked
    first: bool  # booked before every rival
    cadence_s: float
    release_at: float
    find_times: list[float]  # /4/find receive times before the release
    first_poll_ms: float | None  # the first /4/find at or after the release, ms after it
    after_booking: list[tuple[float, str]]  # (ms after our booking, path), server receive times
    sent: list[stats.SentRequest] = field(default_factory=list)  # booker's run log (client side)
    requests: list[dict[str, Any]] = field(default_factory=list, repr=False)  # the ledger's
    rss_mb: float | None = None  # peak of supervisor + workers, sampled
    rss_all_mb: float | None = None  # the same including multiprocessing's resource tracker
    stdout: str = field(default="", repr=False)
    stderr: str = field(default="", repr=False)

    @property
    def booked(self) -> bool:
        """The client under test got a table."""
        return self.latency_ms is not None


@functools.cache
def at_supported() -> bool:
    """Whether ``booker book resy`` has ``--at`` yet (aligned mode needs it)."""
    done = subprocess.run(
        [sys.executable, "-m", "booker", "book", "resy", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    return "--at" in done.stdout


def iso(epoch: float) -> str:
    """ISO 8601 with an explicit UTC offset and microseconds."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="microseconds")


def booker_command(sim: SimHandle, mode: str) -> list[str]:
    """``booker book resy`` aimed at the sim, 2 workers, concurrency 10, cadence 50 ms."""
    s = sim.scenario
    command = [
        sys.executable, "-m", "booker", "book", "resy",
        "--venue-id", str(s["venue_id"]), "--party-size", "2", "--date", s["day"],
        "--times", TIMES, "--workers", str(WORKERS), "--concurrency", str(CONCURRENCY),
        "--cadence-ms", str(CADENCE_MS), "--max-duration", "30", "--json",
        "--base-url", sim.url, "--ca-cert", str(sim.ca),
    ]  # fmt: skip
    if mode.startswith("aligned"):
        command += ["--at", iso(float(s["release_at"])), "--prewarm-secs", str(PREWARM_S[mode])]
        command += ["--clock", "local" if mode == "aligned-local" else "server"]
    return command


def baseline_command(sim: SimHandle) -> list[str]:
    """The hand-written client aimed at the sim, same cadence."""
    s = sim.scenario
    return [
        sys.executable, str(BASELINE), "--base-url", sim.url, "--ca", str(sim.ca),
        "--api-key", s["api_key"], "--auth-token", s["auth_token"],
        "--venue-id", str(s["venue_id"]), "--day", s["day"], "--times", TIMES,
        "--cadence-ms", str(CADENCE_MS), "--max-duration", "30",
    ]  # fmt: skip


def environment(sim: SimHandle, home: Path) -> dict[str, str]:
    """Credentials from the sim; settings, journal and logs in ``home`` (each drop starts clean)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RESY_", "RA_", "BOOKER_"))}
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
        env[name] = str(home / name.lower())
    env.update(
        RESY_API_KEY=sim.scenario["api_key"],
        RESY_AUTH_TOKEN=sim.scenario["auth_token"],
        PYTHONUNBUFFERED="1",
    )
    return env


class RssSampler:
    """Samples the total RSS of a process tree in a thread; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_mb: float | None = None  # supervisor + workers (resource tracker excluded)
        self.peak_all_mb: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.wait(RSS_EVERY_S):
            try:
                children = root.children(recursive=True)
                total = all_total = root.memory_info().rss
                workers = 0
                for child in children:
                    rss = child.memory_info().rss
                    all_total += rss
                    if "resource_tracker" not in " ".join(child.cmdline()):
                        total += rss
                        workers += 1
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            if workers >= WORKERS:  # only count samples taken while every worker runs
                self.peak_mb = max(self.peak_mb or 0.0, total / 2**20)
                self.peak_all_mb = max(self.peak_all_mb or 0.0, all_total / 2**20)


def run_drop(mode: str, tmp_dir: Path) -> Drop:
    """Start a fresh sim, run one client until it books or gives up, read the ledger."""
    with running_sim(scenario(RELEASE_AFTER_S[mode]), tmp_dir=tmp_dir) as sim:
        command = baseline_command(sim) if mode == "baseline" else booker_command(sim, mode)
        with _started(command, environment(sim, tmp_dir), tmp_dir) as process:
            sampler = RssSampler(process.pid) if mode != "baseline" else None
            with sampler or _nothing():
                try:
                    out, err = process.communicate(timeout=RUN_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    out, err = process.communicate()
        ledger = sim.ledger()
    release = float(ledger["release_at"])
    logs = sorted((tmp_dir / "xdg_state_home" / "booker" / "logs").glob("*.log"))
    log_text = "\n".join(path.read_text(encoding="utf-8") for path in logs)
    return Drop(
        mode=mode,
        code=process.returncode,
        latency_ms=stats.release_to_book_ms(ledger),
        first=stats.first_of_drop(ledger),
        cadence_s=CADENCE_MS / 1000,
        release_at=release,
        find_times=stats.find_times(ledger, before=release),
        first_poll_ms=stats.first_poll_after_ms(ledger, release),
        after_booking=stats.requests_after_booking(ledger),
        sent=stats.sent_requests(log_text),
        requests=list(ledger["requests"]),
        rss_mb=sampler.peak_mb if sampler else None,
        rss_all_mb=sampler.peak_all_mb if sampler else None,
        stdout=out,
        stderr=err,
    )


def run_series(modes: tuple[str, ...], drops: int, tmp_dir: Path) -> list[Drop]:
    """``drops`` drops per mode, interleaved (a, b, c, a, b, c, ...) so drift hits all alike."""
    results: list[Drop] = []
    for round_ in range(drops):
        for mode in modes:
            results.append(run_drop(mode, tmp_dir / f"{mode}-{round_}"))
    return results


@contextmanager
def _started(command: list[str], env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            yield process
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def to_json(drop: Drop) -> dict[str, Any]:
    """A drop as plain data for the results file (no ledger dump)."""
    return {
        "mode": drop.mode,
        "code": drop.code,
        "latency_ms": drop.latency_ms,
        "first": drop.first,
        "polls_before_release": len(drop.find_times),
        "first_poll_ms": drop.first_poll_ms,
        "after_booking": drop.after_booking,
        "sent_after_win": stats.sent_after_win_ms(drop.sent),
        "rss_mb": drop.rss_mb,
        "rss_all_mb": drop.rss_all_mb,
    }


if __name__ == "__main__":  # quick manual check: python -m bench.drops blind
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name in sys.argv[1:] or ["blind"]:
            started = time.monotonic()
            result = run_drop(name, Path(tmp) / name)
            print(orjson.dumps(to_json(result)).decode(), f"{time.monotonic() - started:.1f}s")
            if result.code:
                print(result.stdout[-2000:], result.stderr[-2000:])
