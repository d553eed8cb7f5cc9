"""Serving a Gateway with hypercorn's protocol stack on a loopback socket we bind ourselves."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import signal
import socket
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import uvloop
from hypercorn.app_wrappers import ASGIWrapper
from hypercorn.asyncio.tcp_server import TCPServer
from hypercorn.asyncio.worker_context import WorkerContext
from hypercorn.config import Config
from hypercorn.utils import parse_socket_addr

from booker.sim.connections import Connections
from booker.sim.gateway import Gateway
from booker.sim.tls import Tls

KEEP_ALIVE_S = 120.0
SHUTDOWN_GRACE_S = 2.0


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


def hypercorn_config() -> Config:
    """No Date/Server headers of hypercorn's own, long keep-alive, no request cap, quiet."""
    config = Config()
    config.include_date_header = False
    config.include_server_header = False
    config.keep_alive_timeout = KEEP_ALIVE_S
    config.keep_alive_max_requests = 2**62
    config.accesslog = None
    config.graceful_timeout = SHUTDOWN_GRACE_S
    return config


def _quiet_ssl(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    if not isinstance(context.get("exception"), ssl.SSLError | ConnectionError):
        loop.default_exception_handler(context)


async def run_server(
    app: Gateway,
    sock: socket.socket,
    tls: Tls | None,
    connections: Connections,
    on_ready: Callable[[], None],
) -> None:
    """Serve until SIGINT/SIGTERM, then close connections and stop the app."""
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(_quiet_ssl)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    config = hypercorn_config()
    context = WorkerContext(None)
    wrapped = ASGIWrapper(cast(Any, app))
    tasks: set[asyncio.Task[Any]] = set()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        peer = parse_socket_addr(sock.family, writer.get_extra_info("peername"))
        if peer is not None:
            connections.add(peer, writer)
        try:
            await TCPServer(wrapped, loop, config, context, {}, reader, writer)
        finally:
            if peer is not None:
                connections.remove(peer)

    await app.start()
    tls_args: dict[str, Any] = {"ssl": tls.context, "ssl_handshake_timeout": 10.0} if tls else {}
    server = await asyncio.start_server(on_connect, sock=sock, **tls_args)
    on_ready()
    try:
        await stop.wait()
    finally:
        server.close()
        await context.terminated.set()
        if tasks:
            await asyncio.wait(set(tasks), timeout=SHUTDOWN_GRACE_S)
        for task in set(tasks):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)
        await app.stop()


def serve_forever(
    app: Gateway,
    sock: socket.socket,
    tls: Tls | None,
    connections: Connections,
    on_ready: Callable[[], None],
) -> None:
    """Run `run_server` on a fresh uvloop loop."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(run_server(app, sock, tls, connections, on_ready))


def remove_ready_file(path: Path | None) -> None:
    """Delete the ready file at exit so it never points at a dead sim."""
    if path is not None:
        path.unlink(missing_ok=True)
