"""End-to-end drops: release-to-book latency, win rate, tick jitter, RSS, requests after the win.

Every figure comes from the simulator's ledger (server clock), never from a
client's own report. The drops run once per session (interleaved by mode, see
``bench/drops.py``); each test below reads that series and records its
figures. pytest-benchmark's time for these tests is only the time to read the
series (one round): the figures are in ``extra_info`` and ``bench/results/latest.json``.

``BENCH_DROPS`` (default 8) sets the drops per mode; ``BENCH_MODES`` (comma-separated) the modes.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import pytest

from bench import drops, stats
from bench.report import LATENCIES, LOST, record

pytestmark = pytest.mark.drops

DROPS = int(os.environ.get("BENCH_DROPS", "8"))
MODES = tuple(m for m in os.environ.get("BENCH_MODES", ",".join(drops.MODES)).split(",") if m)


def _modes() -> tuple[str, ...]:
    return tuple(m for m in MODES if m != "aligned" or drops.at_supported())


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[drops.Drop]]:
    """The session's drops, by mode."""
    modes = _modes()
    results = drops.run_series(modes, DROPS, Path(tmp_path_factory.mktemp("drops")))
    by_mode: dict[str, list[drops.Drop]] = {m: [] for m in modes}
    for drop in results:
        by_mode[drop.mode].append(drop)
    record("drops", "raw", [drops.to_json(d) for d in results])  # type: ignore[arg-type]
    return by_mode


def _once(benchmark: Any, function: Any) -> Any:
    return benchmark.pedantic(function, rounds=1, iterations=1)


@pytest.mark.parametrize("mode", drops.MODES)
def test_release_to_book(benchmark: Any, series: dict[str, list[drops.Drop]], mode: str) -> None:
    """Release-to-book latency p50/p99 and win rate of one mode against rivals at median 150 ms."""
    if mode not in series:
        pytest.skip(
            "aligned mode pending: `booker book resy` has no --at yet"
            if mode.startswith("aligned")
            else "mode not selected"
        )
    runs = series[mode]

    def figures() -> dict[str, Any]:
        latencies = [d.latency_ms for d in runs if d.latency_ms is not None]
        return {
            **stats.summary(latencies, lost=len(runs) - len(latencies)),
            "drops": len(runs),
            "win_rate": sum(d.booked for d in runs) / len(runs),
            "first_rate": sum(d.first for d in runs) / len(runs),
            "latencies_ms": [round(x, 2) for x in latencies],
            "exit_codes": [d.code for d in runs],
        }

    result = _once(benchmark, figures)
    benchmark.extra_info.update({k: v for k, v in result.items() if k != "latencies_ms"})
    LATENCIES[mode] = result["latencies_ms"]
    LOST[mode] = result["lost"]
    record("drops", mode, result)
    # exit 1 is a lost race (rivals took every table first): counted in win_rate above.
    # Anything else (usage error, refusal, crash) means the benchmark itself is broken.
    failed = [d for d in runs if d.code not in (0, 1)]
    assert not failed or not drops.is_booker(mode), failed[0].stderr[-2000:]
    kind, rtt = drops.link_of(mode)
    if rtt is None and "baseline" in series and mode != "baseline":
        base = _censored_p50(series["baseline"])
        record("ratios", f"{mode}_p50_over_baseline_p50", {"ratio": result["p50"] / base})
    if rtt is not None and kind == "aligned":  # beside the floor and the rivals of the same run
        ratios: dict[str, Any] = {"floor_ms": 2 * rtt, "p50_ms": result["p50"]}
        for rival in ("exact", "exact-keepalive", "keepalive"):
            if f"{rival}@{rtt}" in series:
                theirs = _censored_p50(series[f"{rival}@{rtt}"])
                ratios[f"{rival}_p50_ms"] = theirs  # infinite (null): it lost most drops
                ratios[f"over_{rival}_p50"] = (
                    result["p50"] / theirs if math.isfinite(theirs) else None
                )
        record("ratios", f"aligned@{rtt}", ratios)


def _censored_p50(runs: list[drops.Drop]) -> float:
    """The median release-to-book of ``runs``, a lost drop counting as infinitely slow."""
    latencies = [d.latency_ms for d in runs if d.latency_ms is not None]
    return stats.summary(latencies, lost=len(runs) - len(latencies))["p50"]


@pytest.mark.parametrize(
    "mode",
    ["aligned", "aligned-local", *(m for m in drops.NETWORK_MODES if m.startswith("aligned@"))],
)
def test_start_precision(benchmark: Any, series: dict[str, list[drops.Drop]], mode: str) -> None:
    """With --at on the release: how long after it the first poll reached the server (p50, p99)."""
    runs = [d for d in series.get(mode, []) if d.first_poll_ms is not None]
    if not runs:
        pytest.skip(f"no {mode} drops this session")

    def figures() -> dict[str, Any]:
        return stats.summary([d.first_poll_ms for d in runs if d.first_poll_ms is not None])

    result = _once(benchmark, figures)
    benchmark.extra_info.update(result)
    record("drops", f"start_precision_ms[{mode}]", result)


def test_tick_jitter(benchmark: Any, series: dict[str, list[drops.Drop]]) -> None:
    """/4/find ticks before the release vs the ideal 50 ms grid (blind drops: c=50 ms, concurrency 10, 2 workers).

    Two views: when each poll left booker (its run log: the schedule's own jitter) and when
    it reached the simulator (the ledger: that plus the simulator's queueing on the same cores).
    """
    runs = series.get("blind", [])
    if not runs:
        pytest.skip("no blind drops this session")

    def jitter(times_of: Any) -> dict[str, Any]:
        residuals: list[float] = []
        missed = total = 0
        for drop in runs:
            times = times_of(drop)[1:]  # the very first poll fires before the grid settles
            residuals += stats.grid_jitter_ms(times, drop.cadence_s)
            missed += stats.missed_ticks(times, drop.cadence_s)
            total += len(times)
        return {**stats.summary([abs(r) for r in residuals]), "polls": total, "missed": missed}

    def sent_times(drop: drops.Drop) -> list[float]:
        return [
            r.sent_at for r in drop.sent if r.path == stats.FIND and r.sent_at < drop.release_at
        ]

    def figures() -> dict[str, Any]:
        client = jitter(sent_times)
        server = jitter(lambda drop: drop.find_times)
        return {**client, "server": server}

    result = _once(benchmark, figures)
    benchmark.extra_info.update(result)
    record("drops", "tick_jitter_abs_ms", result)


def test_rss(benchmark: Any, series: dict[str, list[drops.Drop]]) -> None:
    """Peak total RSS of supervisor + 2 workers, sampled every 50 ms during each booker drop."""
    runs = [d for m in drops.BOOKER_MODES for d in series.get(m, []) if d.rss_mb is not None]
    if not runs:
        pytest.skip("no booker drops this session")

    def figures() -> dict[str, Any]:
        peaks = [d.rss_mb for d in runs if d.rss_mb is not None]
        with_tracker = [d.rss_all_mb for d in runs if d.rss_all_mb is not None]
        return {**stats.summary(peaks), "max_with_resource_tracker": max(with_tracker)}

    result = _once(benchmark, figures)
    benchmark.extra_info.update(result)
    record("drops", "rss_mb", result)


def test_requests_after_win(benchmark: Any, series: dict[str, list[drops.Drop]]) -> None:
    """Winner's success -> the last new request leaving any worker (run logs), and what the
    server still received after the booking (ledger: requests already on the wire)."""
    runs = [d for m in drops.BOOKER_MODES for d in series.get(m, []) if d.booked and d.sent]
    if not runs:
        pytest.skip("no booker bookings this session")

    def figures() -> dict[str, Any]:
        sent_after = [stats.sent_after_win_ms(d.sent) for d in runs]
        last = [max((ms for ms, _ in after), default=0.0) for after in sent_after]
        received = [max((ms for ms, _ in d.after_booking), default=0.0) for d in runs]
        paths: dict[str, int] = {}
        for drop in runs:
            for _, path in drop.after_booking:
                paths[path] = paths.get(path, 0) + 1
        return {
            **stats.summary(last),
            "drops": len(runs),
            "drops_with_requests_sent_after": sum(bool(after) for after in sent_after),
            "requests_sent_after": sum(len(after) for after in sent_after),
            "sent_after_paths": [path for after in sent_after for _, path in after],
            "received_after_booking": stats.summary(received),
            "received_after_paths": paths,
        }

    result = _once(benchmark, figures)
    benchmark.extra_info.update(result)
    record("drops", "after_win_ms", result)


@pytest.mark.parametrize("mode", [m for m in drops.NETWORK_MODES if m.startswith("aligned@")])
def test_clock_estimate_error(
    benchmark: Any, series: dict[str, list[drops.Drop]], mode: str
) -> None:
    """booker's server-clock estimate against the simulator's known 1.5 s skew (|error| ms)."""
    errors = [abs(d.clock_error_ms) for d in series.get(mode, []) if d.clock_error_ms is not None]
    if not errors:
        pytest.skip(f"no {mode} drops this session")

    def figures() -> dict[str, Any]:
        return stats.summary(errors)

    result = _once(benchmark, figures)
    benchmark.extra_info.update(result)
    record("drops", f"clock_error_abs_ms[{mode}]", result)
