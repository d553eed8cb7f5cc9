"""Serving a Gateway with hypercorn's public ``serve`` on a loopback socket we bind ourselves.

Only public API: ``hypercorn.asyncio.serve`` with a ``Config`` that binds our socket
(``fd://``), and asyncio's ``create_server``. The ``drop`` fault needs the connection
behind a request: the serving loop hands every connection it accepts to ``Connections``
(``TrackingLoop``), keyed by the peer address ASGI puts in the request's scope.
That relies on hypercorn serving with ``asyncio.start_server`` on the running loop, as
any asyncio server does; ``tests/test_sim_faults.py::test_drop_is_a_transport_error``
(HTTP/1.1 and HTTP/2) fails if it ever stops.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import signal
import socket
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import uvloop
from hypercorn.asyncio import serve
from hypercorn.config import Config

from booker.sim.asgi import Receive, Scope, Send
from booker.sim.connections import Connections
from booker.sim.gateway import Gateway
from booker.sim.tls import ALPN, Tls

KEEP_ALIVE_S = 120.0
SHUTDOWN_GRACE_S = 2.0
HANDSHAKE_TIMEOUT_S = 10.0


class ListenError(ValueError):
    """The address cannot be served (not loopback, or bind failed)."""


def loopback_address(host: str) -> str:
    """Map `host` to a loopback IP literal; refuse anything else."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        raise ListenError(
            f"host must be a loopback IP address or localhost, not {host!r}"
        ) from None
    if not ip.is_loopback:
        raise ListenError(f"refusing to listen on non-loopback address {host}")
    return str(ip)


def bind(address: str, port: int) -> socket.socket:
    """A listening, non-blocking socket on address:port (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(1024)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise ListenError(f"cannot listen on {address}:{port}: {exc.strerror}") from None
    return sock


def base_url(sock: socket.socket, tls: bool) -> str:
    """The URL clients use for this socket."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def hypercorn_config(sock: socket.socket, tls: Tls | None) -> Config:
    """Serve ``sock`` (a duplicate of it: hypercorn closes its own); TLS from ``tls``.

    No Date/Server headers of hypercorn's own, long keep-alive, no request cap, quiet
    (errors only: no "Running on" line on stderr).
    """
    config = Config()
    config.bind = [f"fd://{os.dup(sock.fileno())}"]
    if tls is not None:
        config.certfile = str(tls.cert_path)
        config.keyfile = str(tls.key_path)
        config.alpn_protocols = list(ALPN)
        config.ssl_handshake_timeout = HANDSHAKE_TIMEOUT_S
    config.include_date_header = False
    config.include_server_header = False
    config.keep_alive_timeout = KEEP_ALIVE_S
    config.keep_alive_max_requests = 2**62
    config.accesslog = None
    config.loglevel = "WARNING"
    config.graceful_timeout = SHUTDOWN_GRACE_S
    return config


class TrackingLoop(uvloop.Loop):
    """uvloop whose servers tell ``connections`` of every connection they accept."""

    def __init__(self, connections: Connections) -> None:
        super().__init__()
        self.connections = connections

    async def create_server(
        self, protocol_factory: Callable[[], asyncio.BaseProtocol], *args: Any, **kwargs: Any
    ) -> asyncio.Server:
        """``loop.create_server``, each protocol wrapped to register its transport."""
        tracked = self.connections.tracking(protocol_factory)
        return cast(asyncio.Server, await super().create_server(tracked, *args, **kwargs))


def announcing(app: Gateway, on_ready: Callable[[], None]) -> Callable[..., Any]:
    """``app``, calling ``on_ready`` once its lifespan has started (rivals running)."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)
            return

        async def send_then_announce(message: dict[str, Any]) -> None:
            await send(message)
            if message["type"] == "lifespan.startup.complete":
                on_ready()  # the socket already listens: connections wait in its backlog

        await app(scope, receive, send_then_announce)

    return wrapped


def _quiet_ssl(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    if not isinstance(context.get("exception"), ssl.SSLError | ConnectionError):
        loop.default_exception_handler(context)


async def run_server(
    app: Gateway,
    sock: socket.socket,
    tls: Tls | None,
    on_ready: Callable[[], None],
) -> None:
    """Serve until SIGINT/SIGTERM; then connections close (``SHUTDOWN_GRACE_S``), the app stops."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_quiet_ssl)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    config = hypercorn_config(sock, tls)
    await serve(cast(Any, announcing(app, on_ready)), config, shutdown_trigger=stop.wait)


def serve_forever(
    app: Gateway,
    sock: socket.socket,
    tls: Tls | None,
    connections: Connections,
    on_ready: Callable[[], None],
) -> None:
    """Run `run_server` on a fresh uvloop loop that tracks connections for ``drop``."""
    with asyncio.Runner(loop_factory=lambda: TrackingLoop(connections)) as runner:
        runner.run(run_server(app, sock, tls, on_ready))


def remove_ready_file(path: Path | None) -> None:
    """Delete the ready file at exit so it never points at a dead sim."""
    if path is not None:
        path.unlink(missing_ok=True)
