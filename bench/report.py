"""Collects the figures of one benchmark session; writes results.json, the chart and a summary.

Output goes to ``bench/results/`` (``latest.json``, ``latency.png``), overwritten each run.
"""

from __future__ import annotations

import math
import os
import platform
import sys
from pathlib import Path
from typing import Any

import orjson

from bench import stats

RESULTS_DIR = Path(os.environ.get("BENCH_RESULTS_DIR", Path(__file__).resolve().parent / "results"))
RESULTS: dict[str, dict[str, Any]] = {}
LATENCIES: dict[str, list[float]] = {}  # mode -> release-to-book latencies (ms), for the chart
LOST: dict[str, int] = {}  # mode -> drops it did not book (censored: they count as slowest)


def record(section: str, name: str, figures: dict[str, Any]) -> None:
    """Keep ``figures`` under ``section/name`` for the results file."""
    RESULTS.setdefault(section, {})[name] = figures


def machine() -> dict[str, Any]:
    """nproc, CPU model, Python: the context every figure needs."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "versions": versions(),
    }


def versions() -> dict[str, str]:
    """The installed versions of the stack the figures depend on."""
    from importlib import metadata

    found = {}
    for name in ("booker", "httpx", "httpcore", "h2", "hpack", "uvloop", "hypercorn", "orjson"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def write() -> Path | None:
    """Write latest.json (and latency.png when drops ran); None when nothing was recorded."""
    if not RESULTS:
        return None
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    document = {"machine": machine(), **RESULTS}
    path = RESULTS_DIR / "latest.json"
    path.write_bytes(
        orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY)
    )
    if LATENCIES:
        chart(LATENCIES, RESULTS_DIR / "latency.png", LOST)
    return path


LABELS = {
    "aligned": "booker aligned (--at)",
    "blind": "booker blind",
    "baseline": "baseline (urllib)",
}


def chart(
    latencies: dict[str, list[float]], path: Path, lost: dict[str, int] | None = None
) -> None:
    """Release-to-book latency per mode: every booked drop as a dot, the censored p50 as a bar
    (a lost drop counts as slowest; no bar when most were lost), matplotlib, Agg."""
    lost = lost or {}
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bench.stats import percentile

    modes = [m for m in LABELS if latencies.get(m)]
    modes += [m for m in latencies if m not in LABELS and latencies[m]]  # lost all: no dots
    fig, ax = plt.subplots(figsize=(8, 1.6 + 0.45 * len(modes)), dpi=120)
    for row, mode in enumerate(modes):
        values = latencies[mode]
        spread = [row + 0.18 * math.sin(i * 2.4) for i in range(len(values))]
        ax.scatter(values, spread, s=22, alpha=0.75, label=None)
        missing = lost.get(mode, 0)
        p50 = percentile([*values, *([math.inf] * missing)], 50)
        note = f", {missing}/{len(values) + missing} lost" if missing else ""
        if math.isfinite(p50):
            ax.plot([p50, p50], [row - 0.3, row + 0.3], color="black", linewidth=2)
            ax.annotate(f"p50 {p50:.1f} ms{note}", (p50, row + 0.32), fontsize=8, ha="center")
        else:
            where = max(values)
            ax.annotate(f"p50: lost{note}", (where, row + 0.32), fontsize=8, ha="right")
    ax.set_yticks(range(len(modes)), [LABELS.get(m, m) for m in modes])
    ax.set_xlabel("release-to-book latency, ms (simulator ledger, server clock)")
    ax.set_xscale("symlog", linthresh=10)
    ax.axvline(6, color="green", linestyle=":", linewidth=1)
    ax.axvline(33, color="orange", linestyle=":", linewidth=1)
    ax.set_title(
        "Drops at cadence 50 ms, 2 workers (@RTT: an emulated link, service clock +1.5 s); "
        "dotted: 6 ms, 33 ms",
        fontsize=9,
    )
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def timings(benchmark: Any, scale: float) -> list[float]:
    """Per-round times of a finished pedantic run, times ``scale``; [] with --benchmark-disable."""
    if benchmark.disabled or benchmark.stats is None:
        return []
    return [t * scale for t in benchmark.stats.stats.data]


UNITS = {"ms": (1e3, 3), "us": (1e6, 2)}  # unit -> (scale from seconds, decimals shown)


def record_timings(benchmark: Any, section: str, name: str, unit: str) -> None:
    """Summarise a finished pedantic run's per-round times in ``unit``: extra_info and results."""
    scale, decimals = UNITS[unit]
    data = timings(benchmark, scale)
    if not data:
        return
    figures = stats.summary(data)
    benchmark.extra_info.update({f"{k}_{unit}": round(v, decimals) for k, v in figures.items()})
    record(section, name, figures)


if __name__ == "__main__":  # redraw the chart from the last results: python -m bench.report
    saved = orjson.loads((RESULTS_DIR / "latest.json").read_bytes())
    chart(
        {m: v["latencies_ms"] for m, v in saved["drops"].items() if "latencies_ms" in v},
        RESULTS_DIR / "latency.png",
        {m: v.get("lost", 0) for m, v in saved["drops"].items() if "latencies_ms" in v},
    )
