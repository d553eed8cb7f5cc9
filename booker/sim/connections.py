"""Open connections by peer address, so a request can be answered by dropping its socket."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Callable
from typing import cast

from booker.sim.asgi import Scope

Peer = tuple[str, int]


class Connections:
    """Registry of live transports keyed by the client address ASGI puts in scope."""

    def __init__(self) -> None:
        self._transports: dict[Peer, asyncio.Transport] = {}

    def add(self, peer: Peer, transport: asyncio.Transport) -> None:
        """Track a new connection."""
        self._transports[peer] = transport

    def remove(self, peer: Peer, transport: asyncio.Transport) -> None:
        """Forget a finished connection (unless its address already serves a new one)."""
        if self._transports.get(peer) is transport:
            del self._transports[peer]

    def tracking(
        self, factory: Callable[[], asyncio.BaseProtocol]
    ) -> Callable[[], asyncio.BaseProtocol]:
        """A protocol factory for ``loop.create_server``: ``factory``'s, tracked here."""
        return lambda: Tracked(factory(), self)

    def drop(self, scope: Scope) -> bool:
        """Reset the connection carrying this request: RST, no HTTP answer, no TLS alert."""
        client = scope.get("client")
        transport = self._transports.pop((client[0], client[1]), None) if client else None
        if transport is None:
            return False
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # already gone: abort still closes it
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        return True


class Tracked(asyncio.Protocol):
    """A server's protocol (hypercorn's stream protocol), its transport registered meanwhile."""

    def __init__(self, inner: asyncio.BaseProtocol, connections: Connections) -> None:
        assert isinstance(inner, asyncio.Protocol), "a stream server's protocol"
        self._inner = inner
        self._connections = connections
        self._peer: Peer | None = None
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and len(peer) >= 2:
            self._peer = (peer[0], peer[1])
            self._transport = cast(asyncio.Transport, transport)  # a stream server's
            self._connections.add(self._peer, self._transport)
        self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._peer is not None and self._transport is not None:
            self._connections.remove(self._peer, self._transport)
        self._inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self._inner.eof_received()

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()
