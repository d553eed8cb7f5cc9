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

Over an emulated internet link (issue 15: the simulator's ``[network]``, ``RTT`` ms round
trip, 0-3 ms jitter each way, two handshake round trips, the service's clock 1.5 s ahead):

* ``aligned@RTT``   booker ``--at`` the release, every other option as above;
* ``exact@RTT``     the baseline as written (urllib, a new connection per request), handed the
  exact instant of the release on this machine's clock (it cannot know it better);
* ``exact-keepalive@RTT`` the same on one kept-alive connection: the fairest one-process rival;
* ``keepalive@RTT`` the baseline on one kept-alive connection, started early, blind.

The floor at a round trip ``RTT`` is two of them (the answer to the poll that sees the slot,
``/3/details`` there and back, ``/3/book`` on its way: 0.5 + 1 + 0.5).
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
NETWORK_RTTS_MS = tuple(
    int(x) for x in os.environ.get("BENCH_NETWORK_RTTS", "0,30,80").split(",") if x
)
NETWORK_JITTER_MS = 3.0
NETWORK_SKEW_S = 1.5
NETWORK_PREWARM_S = 7
NETWORK_KINDS = ("aligned", "exact", "exact-keepalive", "keepalive")
NETWORK_BASELINE_MAX_S = 8  # a lost race ends soon: nothing is left to poll for
LOOPBACK_MODES = ("aligned", "aligned-local", "blind", "baseline")
NETWORK_MODES = tuple(f"{kind}@{rtt}" for rtt in NETWORK_RTTS_MS for kind in NETWORK_KINDS)
MODES = LOOPBACK_MODES + NETWORK_MODES
BOOKER_MODES = ("aligned", "aligned-local", "blind")


def link_of(mode: str) -> tuple[str, int | None]:
    """``("aligned", 30)`` for ``aligned@30``; ``(mode, None)`` on plain loopback."""
    kind, _, rtt = mode.partition("@")
    return kind, int(rtt) if rtt else None


def release_after_s(mode: str) -> float:
    """Seconds from the simulator's start to the release for ``mode``."""
    kind, rtt = link_of(mode)
    if rtt is None:
        return RELEASE_AFTER_S[mode]
    return NETWORK_PREWARM_S + 2.0 if kind == "aligned" else 2.0


def scenario(release_after_s: float, rtt_ms: int | None = None) -> str:
    """Two wanted times with two tables each, four rivals a median 150 ms after the release.

    With ``rtt_ms``: behind an emulated link, the service's clock 1.5 s ahead; the rivals
    are as far away, so they book two round trips later too.
    """
    link = ""
    skew = 0.0
    if rtt_ms is not None:
        link = f"[network]\nrtt_ms = {rtt_ms}\njitter_ms = {NETWORK_JITTER_MS}\n"
        skew = NETWORK_SKEW_S
    return f"""
provider = "resy"
clock_skew_s = {skew}
{link}
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
delay_median_ms = {RIVAL_MEDIAN_MS + 2 * (rtt_ms or 0)}
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
    clock_error_ms: float | None = None  # booker's estimate of the skew minus the true skew
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
    kind, rtt = link_of(mode)
    if kind.startswith("aligned"):
        prewarm = PREWARM_S[mode] if rtt is None else NETWORK_PREWARM_S
        command += ["--at", iso(float(s["release_at"])), "--prewarm-secs", str(prewarm)]
        command += ["--clock", "local" if mode == "aligned-local" else "server"]
    return command


def baseline_command(sim: SimHandle, mode: str = "baseline") -> list[str]:
    """The hand-written client aimed at the sim, same cadence (kept alive / exact per mode)."""
    s = sim.scenario
    command = [
        sys.executable, str(BASELINE), "--base-url", sim.url, "--ca", str(sim.ca),
        "--api-key", s["api_key"], "--auth-token", s["auth_token"],
        "--venue-id", str(s["venue_id"]), "--day", s["day"], "--times", TIMES,
        "--cadence-ms", str(CADENCE_MS), "--max-duration", "30",
    ]  # fmt: skip
    kind, rtt = link_of(mode)
    if rtt is not None:
        command[command.index("--max-duration") + 1] = str(NETWORK_BASELINE_MAX_S)
    if kind in ("exact-keepalive", "keepalive"):
        command.append("--keep-alive")
    if kind.startswith("exact"):  # the release on this machine's clock: the skew taken out
        command += ["--at", repr(float(s["release_at"]) - NETWORK_SKEW_S)]
    return command


def is_booker(mode: str) -> bool:
    """Does ``mode`` run booker (else the hand-written baseline)?"""
    return link_of(mode)[0] in ("aligned", "aligned-local", "blind")


def clock_error_ms(stdout: str, skew_s: float) -> float | None:
    """booker's ``--json`` clock offset against the simulator's true skew (offset = -skew)."""
    try:
        offset = orjson.loads(stdout.strip().splitlines()[-1]).get("clock_offset_s")
    except (IndexError, orjson.JSONDecodeError, AttributeError):
        return None
    return None if offset is None else (float(offset) + skew_s) * 1000


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
    rtt = link_of(mode)[1]
    with running_sim(scenario(release_after_s(mode), rtt), tmp_dir=tmp_dir) as sim:
        booker = is_booker(mode)
        command = booker_command(sim, mode) if booker else baseline_command(sim, mode)
        with _started(command, environment(sim, tmp_dir), tmp_dir) as process:
            sampler = RssSampler(process.pid) if booker and rtt is None else None
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
        clock_error_ms=clock_error_ms(out, float(ledger.get("clock_skew_s", 0.0)))
        if booker
        else None,
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
        "clock_error_ms": drop.clock_error_ms,
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
