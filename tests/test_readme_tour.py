"""The README's five-minute tour, run as written: the simulator's pasted block, then each line.

The simulator runs ``examples/resy.toml`` with the release 20 s (not a minute) after its start
and on a free port instead of 8443; everything else is the README's text.
"""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent
MARK = "<!-- tour: tests/test_readme_tour.py runs this block -->"


def tour_block() -> str:
    """The shell block right after the README's tour mark."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme.split(MARK, 1)[1]
    found = re.match(r"\s*```sh\n(.*?)```", after, re.DOTALL)
    assert found is not None, "the tour block must follow its mark"
    return found.group(1)


def read_block(process: subprocess.Popen[bytes], timeout: float) -> str:
    """The simulator's stdout up to its `booker ping` line."""
    assert process.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"booker ping" not in seen and time.monotonic() < deadline:
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                seen += chunk
    text = seen.decode()
    assert "booker ping" in text, text
    return text


def test_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    """ping, slots, a real run with --at on the release, a dry run, history: all exit 0."""
    scenario = (ROOT / "examples" / "resy.toml").read_text(encoding="utf-8")
    assert 'at = "+60s"' in scenario
    (tmp_path / "resy.toml").write_text(scenario.replace('at = "+60s"', 'at = "+20s"'))
    start = [sys.executable, "-m", "booker", "sim", "--scenario", str(tmp_path / "resy.toml")]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("RESY_", "RA_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    with subprocess.Popen(
        [*start, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    ) as sim:
        try:
            printed = read_block(sim, timeout=15)
            url = re.search(r"url=(https://127\.0\.0\.1:\d+)", printed)
            assert url is not None
            pasted = [line for line in printed.splitlines() if line.startswith("export ")]
            assert len(pasted) == 2 and "RESY_API_KEY=" in pasted[0] and "SIM_CA=" in pasted[1]
            script = "\n".join(["set -e", *pasted, tour_block()])
            script = script.replace("https://127.0.0.1:8443", url.group(1))
            done = subprocess.run(
                ["bash", "-c", script],
                env=env,
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=90,
                check=False,
            )
        finally:
            sim.terminate()
            sim.wait(timeout=5)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "credentials accepted" in out
    assert "no slots available now" in out
    booked = re.search(r"Booked \S+ (19:\d\d [A-Za-z ]+) \(reservation (\d+)\)", out)
    assert booked is not None, out
    assert "Dry run: would book" in out
    assert booked.group(2) in out.splitlines()[-1] and "active" in out.splitlines()[-1]
