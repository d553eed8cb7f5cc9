"""The HTTP edge: the only module that imports the HTTP library.

Everything above it speaks in ``Request`` (built once, sent many times) and
``Answer`` (a plain value). A network failure is not an exception here: it is
an ``Answer`` with status 0 ("HTTP 000"), so workers never crash on it.

The client is httpx's own engine, ``httpcore``'s connection pool (HTTP/2 over
TLS through ``h2``), driven directly: the ``httpx.AsyncClient`` layer above it
(URL merging, cookie jar, auth and redirect flows, response models) cost about
a third of the client's CPU per request and does nothing booker needs, since
requests are built once and sent as they are. The pool runs on the event
loop's own streams (``AsyncioBackend``), so TLS is the loop's (uvloop's, in C)
instead of anyio's pure-Python TLS wrapper and its cancel scopes.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import socket
import ssl
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import certifi
import httpcore

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

# Loaded on a client's first request otherwise (milliseconds of imports): load them with this
# module instead, so a worker's first request pays for the network only.
LAZY_MODULES = ("h2.connection", "httpcore._async.http2", "anyio._backends._asyncio")
for _module in LAZY_MODULES:
    with contextlib.suppress(ImportError):
        importlib.import_module(_module)

READ_CHUNK = 64 * 1024
CLOSE_WAIT_S = 0.25  # closing a connection waits this long at most for the peer
ACCEPT_ENCODING = ("Accept-Encoding", "gzip, deflate")

__all__ = [
    "LOOPBACK_NAMES",
    "NO_ANSWER",
    "Answer",
    "AsyncioBackend",
    "ClientConfig",
    "HttpClient",
    "Prepared",
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


# --- the network backend: the event loop's own streams ------------------------------------------


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (and TLS) connection on asyncio streams, in httpcore's stream interface."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Up to ``max_bytes``; b"" at the end of the stream."""
        try:
            if timeout is None:  # the request's own deadline bounds it (HttpClient.send)
                return await self._reader.read(max_bytes)
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except (OSError, ssl.SSLError) as exc:
            raise httpcore.ReadError(str(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Queue ``buffer`` and wait only if the transport asks us to slow down."""
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            if timeout is None:
                await self._writer.drain()
            else:
                async with asyncio.timeout(timeout):
                    await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc)) from exc
        except (OSError, RuntimeError, ssl.SSLError) as exc:
            raise httpcore.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        """Close (TLS close_notify included), waiting at most ``CLOSE_WAIT_S`` for the peer."""
        writer = self._writer
        writer.close()
        try:
            async with asyncio.timeout(CLOSE_WAIT_S):
                await writer.wait_closed()
        except (TimeoutError, OSError, ssl.SSLError):
            writer.transport.abort()  # the peer is gone or silent: drop it now

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Upgrade this connection to TLS (the loop's TLS, with ALPN from ``ssl_context``)."""
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            self._writer.close()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except (OSError, ssl.SSLError, ConnectionError) as exc:
            self._writer.close()
            raise httpcore.ConnectError(str(exc)) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        """What httpcore asks of a stream; ``is_readable`` means the peer has closed."""
        writer = self._writer
        if info == "ssl_object":
            return writer.get_extra_info("ssl_object")
        if info == "socket":
            return writer.get_extra_info("socket")
        if info == "client_addr":
            return writer.get_extra_info("sockname")
        if info == "server_addr":
            return writer.get_extra_info("peername")
        if info == "is_readable":
            return self._reader.at_eof() or writer.transport.is_closing()
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Opens connections with ``asyncio.open_connection`` (uvloop's C transports in workers)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """A TCP connection to ``host:port`` within ``timeout`` (TCP_NODELAY set by the loop)."""
        local = (local_address, 0) if local_address else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host, port, local_addr=local, limit=READ_CHUNK
                )
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        sock = writer.get_extra_info("socket")
        for option in socket_options or ():
            with contextlib.suppress(OSError, AttributeError):
                sock.setsockopt(*option)
        return AsyncioStream(reader, writer)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Not used by booker: every service is reached over TCP."""
        raise httpcore.ConnectError("unix sockets are not supported")

    async def sleep(self, seconds: float) -> None:
        """httpcore's retry pause."""
        await asyncio.sleep(seconds)


# --- the client ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prepared:
    """A request in the library's form, built once and sent any number of times."""

    method: str
    path: str
    core: httpcore.Request
    timeout_s: float | None = None


@dataclass(frozen=True, slots=True)
class _Origin:
    """Where requests go: the parts of the base URL, split once."""

    scheme: bytes
    host: bytes
    port: int | None
    host_header: str
    base_path: str

    @classmethod
    def parse(cls, base_url: str) -> _Origin:
        parts = urlsplit(base_url)
        host = parts.hostname or ""
        default = 443 if parts.scheme == "https" else 80
        shown = f"[{host}]" if ":" in host else host
        header = shown if parts.port in (None, default) else f"{shown}:{parts.port}"
        return cls(
            parts.scheme.encode("ascii"),
            host.encode("idna"),
            parts.port,
            header,
            parts.path.rstrip("/"),
        )


class HttpClient:
    """One worker's pre-warmed connection to the service."""

    def __init__(self, config: ClientConfig) -> None:
        self._config = config
        self._origin = _Origin.parse(config.base_url)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_verify_for(config),
            max_connections=config.pool_connections,
            max_keepalive_connections=config.pool_connections,
            keepalive_expiry=config.keepalive_expiry_s,
            http1=True,
            http2=config.http2,
            network_backend=AsyncioBackend(),
        )
        # Reads and writes carry no timer of their own: the deadline below bounds the request.
        self._extensions = {
            "timeout": {"connect": config.connect_timeout_s, "read": None, "write": None}
        }
        self._headers = [
            ("Host", self._origin.host_header),
            ACCEPT_ENCODING,
            *config.extra_headers,
        ]
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
        with contextlib.suppress(Exception):
            await self._pool.aclose()

    def prepare(self, request: Request) -> Prepared:
        """Build the library's request once; ``send`` may send it many times."""
        origin = self._origin
        headers = [*self._headers, *request.headers]
        if request.body is not None:
            headers.append(("Content-Length", str(len(request.body))))
        url = httpcore.URL(
            scheme=origin.scheme,
            host=origin.host,
            port=origin.port,
            target=(origin.base_path + request.path).encode("ascii"),
        )
        core = httpcore.Request(
            request.method,
            url,
            headers=headers,
            content=request.body,
            extensions=self._extensions,
        )
        return Prepared(request.method, request.path, core, request.timeout_s)

    async def send(self, request: Request | Prepared) -> Answer:
        """Send and read the whole answer within the request deadline; never raises on I/O."""
        prepared = self.prepare(request) if isinstance(request, Request) else request
        started = time.monotonic()
        try:
            async with asyncio.timeout(prepared.timeout_s or self._deadline_s):
                response = await self._pool.handle_async_request(prepared.core)
                try:
                    body = await response.aread()
                finally:
                    await response.aclose()
        except TimeoutError:
            return Answer(NO_ANSWER, elapsed_s=time.monotonic() - started, error="timeout")
        except Exception as exc:  # any failure on the wire is an HTTP 000, never a crash
            return Answer(NO_ANSWER, elapsed_s=time.monotonic() - started, error=_name(exc))
        if self.nodelay is None:
            self.nodelay = _ensure_nodelay(response)
        date: str | None = None
        retry_after: str | None = None
        content_type = ""
        encoding = b""
        for name, value in response.headers:
            lowered = name.lower()
            if lowered == b"date":
                date = value.decode("latin-1")
            elif lowered == b"content-encoding":
                encoding = value.lower().strip()
            elif lowered == b"retry-after":
                retry_after = value.decode("latin-1")
            elif lowered == b"content-type":
                content_type = value.decode("latin-1")
        error = ""
        if encoding and encoding != b"identity":
            body, error = _decoded(body, encoding)
        version = response.extensions.get("http_version", b"HTTP/1.1")
        return Answer(
            response.status,
            body,
            http_version=version.decode("ascii") if isinstance(version, bytes) else str(version),
            date=date,
            elapsed_s=time.monotonic() - started,
            error=error,
            retry_after=retry_after,
            content_type=content_type,
        )


def _decoded(body: bytes, encoding: bytes) -> tuple[bytes, str]:
    """The body without its gzip or deflate coding; b"" and an error when it cannot be undone."""
    try:
        if encoding in (b"gzip", b"x-gzip"):
            return zlib.decompress(body, wbits=zlib.MAX_WBITS | 16), ""
        if encoding == b"deflate":
            try:
                return zlib.decompress(body), ""
            except zlib.error:
                return zlib.decompress(body, wbits=-zlib.MAX_WBITS), ""  # raw deflate
    except zlib.error:
        return b"", f"undecodable {encoding.decode('latin-1')} body"
    return b"", f"unsupported content-encoding {encoding.decode('latin-1')}"


def _name(exc: BaseException) -> str:
    return type(exc).__name__


def _ensure_nodelay(response: httpcore.Response) -> bool | None:
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
