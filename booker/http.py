"""The HTTP edge: the only module that imports the HTTP library.

Everything above it speaks in ``Request`` (built once, sent many times) and
``Answer`` (a plain value). A network failure is not an exception here: it is
an ``Answer`` with status 0 ("HTTP 000"), so workers never crash on it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import certifi
import httpx

from booker.exceptions import UsageError
from booker.settings import KEEPALIVE_EXPIRY_S, POOL_CONNECTIONS

NO_ANSWER = 0


@dataclass(frozen=True, slots=True)
class Request:
    """A request as providers describe it: no I/O, no HTTP library types."""

    method: str
    path: str  # path and query, relative to the base URL
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """What came back: a status (0 when nothing did), the body and a few facts."""

    status: int
    body: bytes = b""
    http_version: str = ""
    date: str | None = None
    elapsed_s: float = 0.0
    error: str = ""


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Connection settings for one worker's client, in one place."""

    base_url: str
    ca_cert: Path | None = None
    http2: bool = True
    connect_timeout_s: float = 0.5
    request_timeout_s: float = 2.0
    pool_connections: int = POOL_CONNECTIONS
    keepalive_expiry_s: float = KEEPALIVE_EXPIRY_S
    extra_headers: tuple[tuple[str, str], ...] = field(default=())


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Accept https anywhere and http only on loopback; return it without a trailing slash."""
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # .port raises on a bad port
    except ValueError as exc:
        raise UsageError(f"--base-url must be an http(s) URL, got {url!r}") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise UsageError(f"--base-url must be an http(s) URL, got {url!r}")
    if parts.scheme == "http" and not is_loopback(host):
        raise UsageError("--base-url may use http:// only for loopback hosts; use https://")
    return url.rstrip("/")


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
    sock = stream.get_extra_info("socket")
    if not isinstance(sock, socket.socket):
        return None
    try:
        if not sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    except OSError:
        return None
