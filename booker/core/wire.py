"""What travels between booker's layers: requests and answers as plain values, no I/O.

Providers build ``Request`` values and read ``Answer`` values; only
``booker.net.http`` turns them into network traffic. Keeping these here means the
command line and the providers never import the HTTP library.
"""

from __future__ import annotations

import enum
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from booker.core.exceptions import UsageError
from booker.core.settings import KEEPALIVE_EXPIRY_S, POOL_CONNECTIONS

NO_ANSWER = 0
# The biggest real answer is tens of kB: past this, an answer is hostile or broken.
MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Request:
    """A request as providers describe it: no I/O, no HTTP library types."""

    method: str
    path: str  # path and query, relative to the base URL
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    timeout_s: float | None = None  # this request's deadline; None: the client's


class Failure(enum.StrEnum):
    """Why no answer came back (``Answer.failure``); ``NONE`` when one did."""

    NONE = ""
    NAME = "name"  # the host name did not resolve
    REFUSED = "refused"  # nothing listens there
    CERTIFICATE = "certificate"  # TLS: the service's certificate is not trusted
    TLS = "tls"  # any other TLS failure
    TIMEOUT = "timeout"
    DROPPED = "dropped"  # the connection was closed or reset
    TOO_LARGE = "too_large"  # the answer went past the body cap: read no further
    OTHER = "other"


# No retry clears these: a warm-up that meets one ends the job at once.
PERMANENT_FAILURES = frozenset({Failure.NAME, Failure.CERTIFICATE})


@dataclass(frozen=True, slots=True)
class Answer:
    """What came back: a status (0 when nothing did), the body and a few facts.

    ``error`` says what went wrong in words; ``failure`` classifies a status 0.
    """

    status: int
    body: bytes = b""
    http_version: str = ""
    date: str | None = None
    elapsed_s: float = 0.0
    error: str = ""
    failure: Failure = Failure.NONE
    retry_after: str | None = None  # the Retry-After header, as sent
    content_type: str = ""
    written_at: float = 0.0  # epoch when the request's first bytes left (0: none did)


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
    max_body_bytes: int = MAX_BODY_BYTES  # bodies (and what they decode to) stop here
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
