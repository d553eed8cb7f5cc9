"""Run the real ``booker`` command against a simulator, and find processes it left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psutil

from booker.sim.testing import SimHandle

TAG_VARIABLE = "BOOKER_TEST_TAG"


@dataclass(frozen=True)
class Run:
    """A finished booker run."""

    code: int
    stdout: str
    stderr: str
    tag: str

    def json(self) -> dict[str, Any]:
        """The ``--json`` document on stdout."""
        document: dict[str, Any] = orjson.loads(self.stdout.strip().splitlines()[-1])
        return document


def private_dirs(cwd: Path) -> dict[str, str]:
    """Config, data and log directories inside the test's own folder."""
    return {
        "BOOKER_CONFIG_DIR": str(cwd / "config"),
        "BOOKER_DATA_DIR": str(cwd / "data"),
        "BOOKER_LOG_DIR": str(cwd / "logs"),
    }


def environment(sim: SimHandle, tag: str, home: Path, **overrides: str) -> dict[str, str]:
    """Credentials from the sim's scenario, a tag to find our processes, private directories
    under ``home`` (never the user's journal, settings or logs), nothing from a .env."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RESY_", "RA_", "BOOKER_", TAG_VARIABLE))
    }
    if sim.scenario.get("provider") == "cart":
        env.update(RA_AUTHORIZATION=sim.scenario["authorization"], RA_A1DATA=sim.scenario["a1data"])
    else:
        env.update(RESY_API_KEY=sim.scenario["api_key"], RESY_AUTH_TOKEN=sim.scenario["auth_token"])
    env.update(PYTHONUNBUFFERED="1", **{TAG_VARIABLE: tag}, **private_dirs(home))
    env.update(overrides)
    return env


def book_resy_command(sim: SimHandle, *extra: str, times: str = "19:00,19:30") -> list[str]:
    """``booker book resy`` aimed at the sim's venue and day."""
    command = [
        sys.executable, "-m", "booker", "book", "resy",
        "--venue-id", str(sim.scenario["venue_id"]),
        "--party-size", "2",
        "--date", sim.scenario["day"],
        "--times", times,
        "--base-url", sim.url,
    ]  # fmt: skip
    if sim.ca is not None:
        command += ["--ca-cert", str(sim.ca)]
    return command + list(extra)


def run_booker(
    sim: SimHandle, command: list[str], cwd: Path, timeout: float = 60, **env: str
) -> Run:
    """Run to completion; fails the test if it hangs."""
    tag = uuid.uuid4().hex
    done = subprocess.run(
        command,
        env=environment(sim, tag, cwd, **env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr, tag)


@contextmanager
def start_booker(
    sim: SimHandle, command: list[str], cwd: Path, **env: str
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start without waiting (for signal tests); killed and its pipes closed at the end."""
    tag = uuid.uuid4().hex
    with subprocess.Popen(
        command,
        env=environment(sim, tag, cwd, **env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            yield process, tag
        finally:
            if process.poll() is None:
                process.kill()


def tagged_processes(tag: str) -> list[psutil.Process]:
    """Live processes started with our tag in their environment."""
    found = []
    for process in psutil.process_iter():
        try:
            if (
                process.environ().get(TAG_VARIABLE) == tag
                and process.status() != psutil.STATUS_ZOMBIE
            ):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def wait_until_gone(tag: str, timeout: float) -> list[psutil.Process]:
    """Processes still alive after ``timeout`` seconds (empty when all ended)."""
    deadline = time.monotonic() + timeout
    while True:
        left = tagged_processes(tag)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


# Released a second ago, one 19:00 Dining Room table and nobody else: for commands that
# need an open day now (everyday look-ups, the account's commands).
RELEASED_SCENARIO = """
provider = "resy"
rivals = []
[release]
at = "-1s"
day = "+20d"
[[slots]]
time = "19:00"
table_types = ["Dining Room"]
"""


def scenario(release: str = "+2s", extra: str = "", rivals: int = 2) -> str:
    """A small Resy scenario: 19:00 and 19:30, two table types each."""
    rival_block = (
        f"[[rivals]]\ncount = {rivals}\ndelay_median_ms = 400\ndelay_sigma = 0.3\n"
        if rivals
        else "rivals = []\n"
    )
    return f"""
provider = "resy"
{rival_block if not rivals else ""}
[release]
at = "{release}"
day = "+20d"
[[slots]]
time = "19:00"
table_types = ["Dining Room", "Bar"]
[[slots]]
time = "19:30"
table_types = ["Dining Room", "Bar"]
{rival_block if rivals else ""}
{extra}
"""


def read_until(process: subprocess.Popen[str], text: str, timeout: float) -> str:
    """Read the process's stdout (unbuffered) until ``text`` shows; everything read so far."""
    import selectors

    assert process.stdout is not None
    fd = process.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            seen += chunk
            if text.encode() in seen:
                return seen.decode(errors="replace")
    raise AssertionError(f"{text!r} not seen within {timeout} s; got: {seen!r}")


def worker_processes(supervisor_pid: int) -> list[psutil.Process]:
    """The supervisor's worker processes (not multiprocessing's resource tracker)."""
    return [
        child
        for child in psutil.Process(supervisor_pid).children()
        if "resource_tracker" not in " ".join(child.cmdline())
    ]


def booker_command(*args: str) -> list[str]:
    """``booker ARGS...`` as a subprocess command line."""
    return [sys.executable, "-m", "booker", *args]


def lookup_command(sim: SimHandle, *args: str) -> list[str]:
    """``booker ARGS... --base-url URL [--ca-cert CA]`` aimed at the sim."""
    command = booker_command(*args, "--base-url", sim.url)
    if sim.ca is not None:
        command += ["--ca-cert", str(sim.ca)]
    return command


def book_cart_command(sim: SimHandle, *extra: str, site: str | None = None) -> list[str]:
    """``booker book cart`` aimed at the sim's campground, first site and arrival date."""
    scenario = sim.scenario
    command = [
        sys.executable, "-m", "booker", "book", "cart",
        "--contract-code", scenario["contract_code"],
        "--facility-id", scenario["facility_id"],
        "--site-id", site or scenario["sites"][0],
        "--arrival-date", scenario["arrival_date"],
        "--nights", "2",
        "--base-url", sim.url,
    ]  # fmt: skip
    if sim.ca is not None:
        command += ["--ca-cert", str(sim.ca)]
    return command + list(extra)
