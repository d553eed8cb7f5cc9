"""Local simulator of the reservation services booker talks to (loopback only)."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import NoReturn

from booker.sim.connections import Connections
from booker.sim.providers import build_gateway
from booker.sim.ready import announce
from booker.sim.scenario import ScenarioError, load_scenario
from booker.sim.server import (
    ListenError,
    base_url,
    bind,
    loopback_address,
    remove_ready_file,
    serve_forever,
)
from booker.sim.tls import throwaway_tls
from booker.sim.world import build_world

__all__ = ["serve"]


def _fail(message: str) -> NoReturn:
    sys.stderr.write(f"booker-sim: error: {message}\n")
    raise SystemExit(2)


def serve(
    scenario_path: Path | None,
    host: str = "127.0.0.1",
    port: int = 0,
    plain: bool = False,
    ready_file: Path | None = None,
) -> None:
    """Run the simulator until SIGINT/SIGTERM; bad input exits 2 with a one-line error."""
    try:
        scenario = load_scenario(scenario_path)
        sock = bind(loopback_address(host), port)
    except (ScenarioError, ListenError) as exc:
        _fail(str(exc))
    with ExitStack() as stack:
        stack.callback(sock.close)
        tls = None if plain else stack.enter_context(throwaway_tls())
        world = build_world(scenario)
        connections = Connections()
        app = build_gateway(world, connections.drop)
        url = base_url(sock, tls is not None)
        stack.callback(remove_ready_file, ready_file)
        serve_forever(
            app,
            sock,
            tls,
            connections,
            lambda: announce(url, tls.ca_path if tls else None, world, ready_file),
        )
