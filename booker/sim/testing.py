"""Start a simulator subprocess for tests: `with running_sim(text, tmp_dir=p) as sim: ...`."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

READY_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0


class SimStartError(RuntimeError):
    """The simulator exited or did not become ready in time."""


@dataclass
class SimHandle:
    """A running simulator: where it listens, what it simulates, and how to stop it."""

    url: str
    ca: Path | None
    http2: bool
    pid: int
    scenario: dict[str, Any]
    process: subprocess.Popen[bytes] = field(repr=False)
    log_path: Path = field(repr=False)
    _control: httpx.Client | None = field(default=None, repr=False, init=False)

    def verify(self) -> ssl.SSLContext | bool:
        """The `verify=` value for httpx: an SSL context trusting the sim's CA."""
        if self.ca is None:
            return False
        return ssl.create_default_context(cafile=str(self.ca))

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client for the sim (base_url set, trust_env off); close it yourself."""
        kwargs.setdefault("verify", self.verify())
        kwargs.setdefault("trust_env", False)
        return httpx.Client(base_url=self.url, **kwargs)

    def ledger(self) -> dict[str, Any]:
        """GET /_sim/ledger."""
        with self.client() as client:
            response = client.get("/_sim/ledger")
            response.raise_for_status()
            result: dict[str, Any] = orjson.loads(response.content)
            return result

    def drop(self, in_ms: float = 0, day: str | None = None, rivals: bool = True) -> dict[str, Any]:
        """POST /_sim/drop: re-arm for a new drop; {"day", "release_at", "drop"}.

        `day` None means the next unused day after the previous drop's. Reuses one
        keep-alive connection, so many drops in a row stay cheap.
        """
        if self._control is None:
            self._control = self.client()
        payload: dict[str, Any] = {"in_ms": in_ms, "rivals": rivals}
        if day is not None:
            payload["day"] = day
        response = self._control.post("/_sim/drop", json=payload)
        response.raise_for_status()
        result: dict[str, Any] = orjson.loads(response.content)
        return result

    def reserve_by_hand(self, in_ms: float = 0, **params: Any) -> dict[str, Any]:
        """POST /_sim/reserve: the account's owner reserves outside booker, now or ``in_ms`` later.

        Resy: ``time``, ``party_size``, optional ``day`` and ``table_type``; cart: ``site_id``,
        ``arrival_date``, ``nights``, optional ``facility_id`` and ``contract_code``.
        """
        with self.client() as client:
            payload = {**params, "in_ms": in_ms} if in_ms else params
            response = client.post("/_sim/reserve", json=payload)
            response.raise_for_status()
            result: dict[str, Any] = orjson.loads(response.content)
            return result

    def headers(self, user: bool = True) -> dict[str, str]:
        """Valid Resy request headers for this sim's credentials."""
        headers = {
            "User-Agent": "Mozilla/5.0 (booker-sim-test)",
            "Authorization": f'ResyAPI api_key="{self.scenario["api_key"]}"',
            "Accept": "application/json, text/plain, */*",
        }
        if user:
            headers["X-Resy-Auth-Token"] = self.scenario["auth_token"]
            headers["X-Resy-Universal-Auth"] = self.scenario["auth_token"]
        return headers

    def cart_headers(self) -> dict[str, str]:
        """Valid cart (provider = "cart") request headers for this sim's session."""
        return {
            "User-Agent": "Mozilla/5.0 (booker-sim-test)",
            "Origin": "https://www.reserveamerica.com",
            "Referer": "https://www.reserveamerica.com/",
            "Accept": "application/json, text/plain, */*",
            "authorization": self.scenario["authorization"],
            "a1data": self.scenario["a1data"],
        }

    def log(self) -> str:
        """The sim's stdout and stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        """SIGTERM, then SIGKILL after a grace period; returns the exit code."""
        if self._control is not None:
            self._control.close()
            self._control = None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextmanager
def running_sim(
    scenario_text: str | None = None,
    plain: bool = False,
    *,
    tmp_dir: Path,
    extra_args: tuple[str, ...] = (),
) -> Iterator[SimHandle]:
    """Run `python -m booker.sim` on a free loopback port until the block ends."""
    tmp_dir.mkdir(parents=True, exist_ok=True)
    ready = tmp_dir / "sim-ready.json"
    ready.unlink(missing_ok=True)
    args = [sys.executable, "-m", "booker.sim", "--port", "0", "--ready-file", str(ready)]
    if scenario_text is not None:
        scenario_file = tmp_dir / "scenario.toml"
        scenario_file.write_text(scenario_text, encoding="utf-8")
        args += ["--scenario", str(scenario_file)]
    if plain:
        args.append("--plain")
    args += extra_args
    log_path = tmp_dir / "sim.log"
    with ExitStack() as stack:
        log = stack.enter_context(log_path.open("wb"))
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        stack.callback(_reap, process)
        info = _wait_ready(process, ready, log_path)
        handle = SimHandle(
            url=info["url"],
            ca=Path(info["ca"]) if info["ca"] else None,
            http2=bool(info["http2"]),
            pid=int(info["pid"]),
            scenario=info["scenario"],
            process=process,
            log_path=log_path,
        )
        stack.callback(handle.stop)
        yield handle


def _wait_ready(process: subprocess.Popen[bytes], ready: Path, log_path: Path) -> dict[str, Any]:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if ready.exists():
            info: dict[str, Any] = orjson.loads(ready.read_bytes())
            return info
        if process.poll() is not None:
            output = log_path.read_text(encoding="utf-8", errors="replace").strip()
            raise SimStartError(f"sim exited with {process.returncode}: {output}")
        time.sleep(0.02)
    raise SimStartError(f"sim not ready after {READY_TIMEOUT_S:.0f} s")


def _reap(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
