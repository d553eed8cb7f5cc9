"""One drop as a timeline: booker's run log (client side) and the simulator's ledger, merged.

``python -m bench.trace aligned-local`` (or ``aligned``, ``blind``) runs one drop like
``bench/drops.py`` and prints, in ms from the release, when each request left a worker,
when the simulator started on it, when its answer was back, each decision and each booking.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from bench import drops

WINDOW_MS = (-20.0, 60.0)


def timeline(drop_dir: Path, drop: drops.Drop) -> None:
    """Print the merged events around the release."""
    events: list[tuple[float, str]] = []
    for record in drop.requests:
        path = str(record["path"]).split("?", 1)[0]
        events.append((float(str(record["t"])), f"simulator starts {path}"))
    for sent in drop.sent:
        events.append((sent.sent_at, f"worker {sent.worker} sends {sent.path}"))
        events.append((sent.answered_at, f"worker {sent.worker} has {sent.status} ({sent.ms} ms)"))
    for log in sorted((drop_dir / "xdg_state_home" / "booker" / "logs").glob("*.log")):
        for line in log.read_text(encoding="utf-8").splitlines():
            if " decision " in line and " decision expected " not in line:
                stamp, rest = line.split(" ", 1)
                events.append((dt.datetime.fromisoformat(stamp).timestamp(), rest))
    for at, what in sorted(events):
        ms = (at - drop.release_at) * 1000
        if WINDOW_MS[0] < ms < WINDOW_MS[1]:
            print(f"{ms:8.2f}  {what}")
    print(f"booked {drop.latency_ms:.2f} ms after the release" if drop.booked else "not booked")


def main(mode: str) -> None:
    """Run one drop of ``mode`` and print its timeline."""
    with tempfile.TemporaryDirectory(prefix="booker-trace-") as tmp:
        drop_dir = Path(tmp) / mode
        drop = drops.run_drop(mode, drop_dir)
        timeline(drop_dir, drop)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "aligned-local")
