"""The HTTP edge: the only module that imports the HTTP library.

Everything above it speaks in ``Request`` (built once, sent many times) and
``Answer`` (a plain value). A network failure is not an exception here: it is
an ``Answer`` with status 0 ("HTTP 000"), so workers never crash on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import socket
import ssl
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import certifi
import httpx

from booker.exceptions import UsageError
from booker.wire import (
    LOOPBACK_NAMES,
    NO_ANSWER,
    Answer,
    ClientConfig,
    Request,
    check_base_url,
    is_loopback,
)

# httpx loads these on its first request (tens of milliseconds of imports): load them
# with this module instead, so a worker's first request pays for the network only.
LAZY_MODULES = (
    "httpcore",
    "anyio",
    "httpcore._backends.anyio",
    "anyio._backends._asyncio",
    "h2.connection",
)
for _module in LAZY_MODULES:
    with contextlib.suppress(ImportError):
        importlib.import_module(_module)

__all__ = [
    "LOOPBACK_NAMES",
    "NO_ANSWER",
    "Answer",
    "ClientConfig",
    "HttpClient",
    "Request",
    "check_base_url",
    "is_loopback",
    "tls_context",
]


def tls_context(ca_cert: Path | None) -> ssl.SSLContext:
    """System-grade verification, plus ``ca_cert`` when given. Never disabled."""
    context = ssl.create_default_context(cafile=certifi.where())
    if ca_cert is not None:
        try:
            context.load_verify_locations(cafile=str(ca_cert))
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"cannot use --ca-cert {ca_cert}: {exc}") from exc
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context


def _verify_for(config: ClientConfig) -> ssl.SSLContext:
    """The CA bundle for https; for plain http (loopback only) a context that trusts nothing.

    Loading the CA bundle costs tens of milliseconds per client, for nothing when
    no TLS is spoken. The empty context still verifies: it would refuse any
    certificate, never accept an unverified one.
    """
    if urlsplit(config.base_url).scheme == "https":
        return tls_context(config.ca_cert)
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class HttpClient:
    """One worker's pre-warmed connection to the service."""

    def __init__(self, config: ClientConfig) -> None:
        self._config = config
        self._client = httpx.AsyncClient(
            base_url=config.base_url,
            http2=config.http2,
            verify=_verify_for(config),
            limits=httpx.Limits(
                max_connections=config.pool_connections,
                max_keepalive_connections=config.pool_connections,
                keepalive_expiry=config.keepalive_expiry_s,
            ),
            timeout=httpx.Timeout(config.request_timeout_s, connect=config.connect_timeout_s),
            trust_env=False,
            follow_redirects=False,
            headers=dict(config.extra_headers),
        )
        self._deadline_s = config.request_timeout_s
        self.nodelay: bool | None = None

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every connection."""
        await self._client.aclose()

    def prepare(self, request: Request) -> httpx.Request:
        """Build the library's request once; ``send`` may send it many times."""
        return self._client.build_request(
            request.method, request.path, headers=list(request.headers), content=request.body
        )

    async def send(self, request: Request | httpx.Request) -> Answer:
        """Send and read the whole answer within the request deadline; never raises on I/O."""
        prepared = self.prepare(request) if isinstance(request, Request) else request
        started = time.monotonic()
        try:
            async with asyncio.timeout(self._deadline_s):
                response = await self._client.send(prepared)
                body = await response.aread()
        except TimeoutError:
            return Answer(NO_ANSWER, elapsed_s=time.monotonic() - started, error="timeout")
        except httpx.HTTPError as exc:
            return Answer(NO_ANSWER, elapsed_s=time.monotonic() - started, error=_name(exc))
        except (OSError, ssl.SSLError, RuntimeError, ValueError) as exc:
            return Answer(NO_ANSWER, elapsed_s=time.monotonic() - started, error=_name(exc))
        if self.nodelay is None:
            self.nodelay = _ensure_nodelay(response)
        return Answer(
            response.status_code,
            body,
            http_version=response.http_version,
            date=response.headers.get("date"),
            elapsed_s=time.monotonic() - started,
        )


def _name(exc: BaseException) -> str:
    return type(exc).__name__


def _ensure_nodelay(response: httpx.Response) -> bool | None:
    """Read TCP_NODELAY back from the live socket, setting it if it is off."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    sock = stream.get_extra_info("socket")  # a wrapper (asyncio's or uvloop's), not socket.socket
    if not hasattr(sock, "getsockopt") or not hasattr(sock, "setsockopt"):
        return None
    try:
        if not sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    except OSError:
        return None
