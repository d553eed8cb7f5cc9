"""One client, one loop: a handful of requests sent together, their answers back."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

import uvloop

from booker.core.wire import Answer, ClientConfig, Request
from booker.net.http import HttpClient

T = TypeVar("T")

CONNECT_TIMEOUT_S = 5.0
REQUEST_TIMEOUT_S = 10.0


def client_config(base_url: str, ca_cert: Path | None = None) -> ClientConfig:
    """A client for a handful of requests: one connection, patient timeouts."""
    return ClientConfig(
        base_url=base_url,
        ca_cert=ca_cert,
        connect_timeout_s=CONNECT_TIMEOUT_S,
        request_timeout_s=REQUEST_TIMEOUT_S,
        pool_connections=1,
    )


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on a fresh uvloop loop."""
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


async def exchange(config: ClientConfig, requests: Sequence[Request]) -> list[Answer]:
    """Send ``requests`` together on one client; the answers in the same order."""
    async with HttpClient(config) as client:
        return list(await asyncio.gather(*(client.send(r) for r in requests)))
