"""`make demo`: a real competitive booking against the embedded simulator.

Starts the simulator (HTTP/2 over TLS, release a few seconds after start,
rival bookers), runs booker against it with 2 workers and ``--at`` on the
release instant (as a user who knows when the venue opens its books: booker
reads the service's clock during the prewarm and lays its ticks on the
release), then reads the simulator's ledger and prints the release-to-book
latency.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from booker.sim.testing import running_sim

PREWARM_S = 6  # booker starts this long before the release: warm, then read the service's clock

SCENARIO = """
provider = "resy"
[venue]
id = 60029
name = "Carbone (simulated)"
time_zone = "America/New_York"
[release]
at = "+8s"
day = "+30d"
[[slots]]
time = "19:00"
table_types = ["Dining Room", "Bar"]
quantity = 1
[[slots]]
time = "19:30"
table_types = ["Dining Room", "Bar"]
quantity = 1
[[slots]]
time = "20:00"
table_types = ["Dining Room"]
quantity = 2
[[rivals]]
count = 4
delay_median_ms = 300
delay_sigma = 0.5
prefer = ["19:00", "19:30"]
"""


def main() -> int:
    """Run the demo; returns booker's exit code."""
    with tempfile.TemporaryDirectory(prefix="booker-demo-") as tmp:
        work = Path(tmp)
        print("== starting the simulator (HTTP/2 over TLS, release in 8 s, 4 rival bookers)")
        with running_sim(SCENARIO, tmp_dir=work) as sim:
            scenario = sim.scenario
            env = {
                **os.environ,
                "RESY_API_KEY": scenario["api_key"],
                "RESY_AUTH_TOKEN": scenario["auth_token"],
                # the demo's journal, settings and log stay in its own folder: a simulated
                # booking must never land in the user's journal (nor block the next demo)
                "BOOKER_DATA_DIR": str(work / "data"),
                "BOOKER_CONFIG_DIR": str(work / "config"),
                "BOOKER_LOG_DIR": str(work / "logs"),
            }
            release = dt.datetime.fromtimestamp(float(scenario["release_at"]), dt.UTC)
            release_at = release.isoformat(timespec="milliseconds")
            command = [
                sys.executable, "-m", "booker", "book", "resy",
                "--venue-id", str(scenario["venue_id"]),
                "--party-size", "2",
                "--date", scenario["day"],
                "--times", "19:00,19:30",
                "--workers", "2", "--concurrency", "4", "--cadence-ms", "50",
                "--max-duration", "30",
                "--base-url", sim.url, "--ca-cert", str(sim.ca),
                "--at", release_at, "--prewarm-secs", str(PREWARM_S),
            ]  # fmt: skip
            print(f"== booker book resy ... --workers 2 --at {release_at} --base-url {sim.url}")
            code = subprocess.run(command, env=env, cwd=work, timeout=60, check=False).returncode
            print_ledger(sim.ledger())
    return code


def print_ledger(ledger: dict[str, object]) -> None:
    """Release-to-book latency and who got what, from the simulator's own clock."""
    release = float(ledger["release_at"])  # type: ignore[arg-type]
    bookings = ledger["bookings"]
    assert isinstance(bookings, list)
    print("== simulator ledger (server clock)")
    for booking in sorted(bookings, key=lambda b: b["t"]):
        latency = (booking["t"] - release) * 1000
        print(
            f"   +{latency:7.1f} ms  {booking['who']:<6}  {booking['time'][:5]} {booking['table_type']}"
        )
    ours = [b for b in bookings if b["who"] == "booker" and b["active"]]
    if ours:
        print(f"== booker's release-to-book latency: {(ours[0]['t'] - release) * 1000:.1f} ms")
    else:
        print("== booker did not book")


if __name__ == "__main__":
    sys.exit(main())
