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
import contextvars
import importlib
import os
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import certifi
import h2.exceptions
import httpcore

from booker.core.exceptions import UsageError
from booker.core.wire import (
    LOOPBACK_NAMES,
    NO_ANSWER,
    Answer,
    ClientConfig,
    Failure,
    Request,
    check_base_url,
    is_loopback,
)

# Loaded on a client's first request otherwise (milliseconds of imports): load them with this
# module instead, so a worker's first request pays for the network only. Two are private
# modules of httpcore and anyio (versions bounded in pyproject.toml); a move is caught by
# tests/test_http_preload.py, never here: a missing one only costs that first request.
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
    "Failure",
    "HttpClient",
    "Prepared",
    "Request",
    "check_base_url",
    "is_loopback",
    "tls_context",
]


def tls_context(ca_cert: Path | None) -> ssl.SSLContext:
    """Verification against the system's trust store, plus ``ca_cert`` when given. Never disabled.

    The system store is OpenSSL's default: ``$SSL_CERT_FILE`` / ``$SSL_CERT_DIR`` when set
    (a corporate proxy's CA), else the distribution's bundle (``/etc/ssl/certs``). Where
    that holds no certificate at all (a Python without one), certifi's bundle stands in.
    """
    context = ssl.create_default_context()
    if not context.cert_store_stats()["x509_ca"] and not _capath_given():
        context.load_verify_locations(cafile=certifi.where())
    if ca_cert is not None:
        try:
            context.load_verify_locations(cafile=str(ca_cert))
        except (OSError, ssl.SSLError) as exc:
            raise UsageError(f"cannot use --ca-cert {ca_cert}: {exc}") from exc
    context.set_alpn_protocols(["h2", "http/1.1"])
    return context


def _capath_given() -> bool:
    """True when a CA directory is configured (its certificates load lazily, uncounted)."""
    paths = ssl.get_default_verify_paths()
    return bool(os.environ.get(paths.openssl_capath_env)) or bool(
        paths.capath and os.path.isdir(paths.capath) and any(os.scandir(paths.capath))
    )


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


# The request being sent by the running task: a one-item list its stream's write() stamps.
# (A context variable: pool and connections run in the sending task, one per request.)
_WRITTEN: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "booker_written", default=None
)


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
            written = _WRITTEN.get()
            if written is not None and not written[0]:  # the request's first bytes left now
                written[0] = time.time()
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

    def abort(self) -> None:
        """Drop the connection at once: nothing more is read from it or sent on it."""
        self._writer.transport.abort()

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


class BodyTooLargeError(Exception):
    """An answer went past the body cap; its connection has been dropped."""


# What "no answer" means: the network, a deadline, a peer that broke the protocol, TLS.
# Anything else raised while sending is a bug (booker's or a library's) and propagates:
# it ends the worker, and the supervisor reports it, instead of a quiet stream of HTTP 000.
NETWORK_FAILURES: tuple[type[BaseException], ...] = (
    httpcore.NetworkError,  # ConnectError, ReadError, WriteError
    httpcore.TimeoutException,  # ConnectTimeout, ReadTimeout, WriteTimeout, PoolTimeout
    httpcore.ProtocolError,  # RemoteProtocolError, LocalProtocolError (h11's, h2's, mapped)
    h2.exceptions.ProtocolError,  # a peer's HTTP/2 error that httpcore did not map
    OSError,  # ConnectionError, TimeoutError, socket.gaierror, ssl.SSLError
    BodyTooLargeError,
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
        """Send and read the whole answer within the request deadline; never raises on I/O.

        The body is read as it streams, up to ``max_body_bytes``: past that the
        connection is dropped and the answer is a failure (memory stays bounded).
        A failure outside ``NETWORK_FAILURES`` (a bug) is raised, never made an HTTP 000.
        """
        prepared = self.prepare(request) if isinstance(request, Request) else request
        deadline = prepared.timeout_s or self._deadline_s
        written = [0.0]  # the stream's write() stamps when this request's first bytes left
        token = _WRITTEN.set(written)
        started = time.monotonic()
        try:
            async with asyncio.timeout(deadline):
                response = await self._pool.handle_async_request(prepared.core)
                try:
                    body = await _read_capped(response, self._config.max_body_bytes)
                finally:
                    await response.aclose()
        except TimeoutError:
            return Answer(
                NO_ANSWER,
                elapsed_s=time.monotonic() - started,
                error=f"timed out: no answer within {deadline:g} s",
                failure=Failure.TIMEOUT,
                written_at=written[0],
            )
        except NETWORK_FAILURES as exc:  # a failure on the wire is an HTTP 000, never a crash
            failure, error = describe_failure(exc, self._origin.host_header)
            return Answer(
                NO_ANSWER,
                elapsed_s=time.monotonic() - started,
                error=error,
                failure=failure,
                written_at=written[0],
            )
        finally:
            _WRITTEN.reset(token)
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
            body, error = _decoded(body, encoding, self._config.max_body_bytes)
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
            written_at=written[0],
        )


async def _read_capped(response: httpcore.Response, limit: int) -> bytes:
    """The body, read as it streams; ``BodyTooLargeError`` (connection dropped) past ``limit``.

    A declared Content-Length over the cap is refused before reading anything.
    """
    stream = response.aiter_stream()
    for name, value in response.headers:
        if name.lower() == b"content-length" and value.isdigit() and int(value) > limit:
            await _drop_connection(response, stream)
            raise BodyTooLargeError(f"answer of {int(value)} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            await _drop_connection(response, stream)
            raise BodyTooLargeError(f"answer longer than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _drop_connection(response: httpcore.Response, stream: AsyncIterator[bytes]) -> None:
    """Abort the answer's connection, then let the library see it end.

    Closing a half-read HTTP/1.1 answer would close its connection anyway, but an
    HTTP/2 stream would stay open on a shared connection, its unread data using up
    the connection's flow-control window. Aborted, the connection reads only what
    is already buffered, then its end: the library marks it unusable and the next
    request opens a new one.
    """
    network = response.extensions.get("network_stream")
    abort = getattr(network, "abort", None)
    if abort is None:
        return
    abort()
    with contextlib.suppress(*NETWORK_FAILURES):
        async for _ in stream:
            pass


def describe_failure(exc: BaseException, host: str) -> tuple[Failure, str]:
    """Why a request got no answer, as a class and a short phrase naming the cause.

    The library wraps the cause (``ConnectError`` from a ``gaierror``...): the
    chain of causes is searched for the first one that names it.
    """
    seen: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in seen:
        seen.append(cause)
        cause = cause.__cause__ or cause.__context__
    for cause in seen:
        if isinstance(cause, BodyTooLargeError):
            return Failure.TOO_LARGE, f"{cause} is over the cap: connection dropped"
        if isinstance(cause, socket.gaierror):
            return Failure.NAME, f"name not resolved: {host}"
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or getattr(cause, "reason", None) or "not verified"
            return (
                Failure.CERTIFICATE,
                f"TLS certificate of {host} not trusted ({reason}); "
                "if the service uses a private CA, pass it with --ca-cert",
            )
        if isinstance(cause, ssl.SSLError):
            return (
                Failure.TLS,
                f"TLS failed with {host} ({getattr(cause, 'reason', None) or cause})",
            )
        if isinstance(cause, ConnectionRefusedError):
            return Failure.REFUSED, f"connection refused by {host}"
        if isinstance(cause, httpcore.ConnectTimeout):
            return Failure.TIMEOUT, f"timed out connecting to {host}"
        if isinstance(cause, TimeoutError | httpcore.TimeoutException):
            return Failure.TIMEOUT, "timed out"
        if isinstance(cause, ConnectionError | httpcore.RemoteProtocolError | httpcore.ReadError):
            return Failure.DROPPED, f"connection lost ({_name(cause)})"
        if isinstance(cause, OSError) and cause.strerror:  # e.g. "Network is unreachable"
            return Failure.OTHER, f"{cause.strerror.lower()}: {host}"
    return Failure.OTHER, _name(exc)


def _decoded(body: bytes, encoding: bytes, limit: int) -> tuple[bytes, str]:
    """The body without its gzip or deflate coding; b"" and an error when it cannot be undone.

    Decoding stops at ``limit`` bytes: a small compressed body may stand for gigabytes.
    """
    named = encoding.decode("latin-1")
    try:
        if encoding in (b"gzip", b"x-gzip"):
            decoded = _inflate(body, zlib.MAX_WBITS | 16, limit)
        elif encoding == b"deflate":
            try:
                decoded = _inflate(body, zlib.MAX_WBITS, limit)
            except zlib.error:
                decoded = _inflate(body, -zlib.MAX_WBITS, limit)  # raw deflate
        else:
            return b"", f"unsupported content-encoding {named}"
    except zlib.error:
        return b"", f"undecodable {named} body"
    if decoded is None:
        return b"", f"{named} body decodes to more than {limit} bytes"
    return decoded, ""


def _inflate(body: bytes, wbits: int, limit: int) -> bytes | None:
    """``body`` inflated; None past ``limit`` bytes; ``zlib.error`` when it is not valid."""
    inflater = zlib.decompressobj(wbits)
    decoded = inflater.decompress(body, limit + 1)
    if len(decoded) > limit:
        return None
    if not inflater.eof:
        raise zlib.error("truncated stream")
    return decoded


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
