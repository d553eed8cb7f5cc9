"""Open connections by peer address, so a request can be answered by dropping its socket."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

from booker.sim.asgi import Scope


class Connections:
    """Registry of live stream writers keyed by the client address ASGI puts in scope."""

    def __init__(self) -> None:
        self._writers: dict[tuple[str, int], asyncio.StreamWriter] = {}

    def add(self, peer: tuple[str, int], writer: asyncio.StreamWriter) -> None:
        """Track a new connection."""
        self._writers[peer] = writer

    def remove(self, peer: tuple[str, int]) -> None:
        """Forget a finished connection."""
        self._writers.pop(peer, None)

    def drop(self, scope: Scope) -> bool:
        """Reset the connection carrying this request: RST, no HTTP answer, no TLS alert."""
        client = scope.get("client")
        writer = self._writers.pop((client[0], client[1]), None) if client else None
        if writer is None:
            return False
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # already gone: abort still closes it
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        return True
