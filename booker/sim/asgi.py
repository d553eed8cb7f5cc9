"""Raw ASGI plumbing: request reading, response sending and a tiny router."""

from __future__ import annotations

import gzip
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import orjson

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

GZIP_MIN_BYTES = 1024


class DisconnectedError(Exception):
    """The client went away before the request body was complete."""


@dataclass(frozen=True, slots=True)
class Request:
    """A fully read HTTP request."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes
    client: tuple[str, int] | None
    http_version: str
    t: float  # receive time, sim clock

    def header(self, name: str) -> str | None:
        """A header value by lower-case name."""
        return self.headers.get(name)

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower-cased."""
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()

    def form(self) -> dict[str, str] | None:
        """The body as a url-encoded form (first value per key), None if not a form."""
        if self.media_type != "application/x-www-form-urlencoded":
            return None
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}

    def json(self) -> object | None:
        """The body as JSON when sent as application/json; None otherwise or if invalid."""
        if self.media_type != "application/json":
            return None
        try:
            value: object = orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return None
        return value


@dataclass(frozen=True, slots=True)
class Response:
    """An answer to send; content-type, length, Date and encoding are added on sending."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = field(default=())


def json_response(status: int, payload: object) -> Response:
    """A JSON response."""
    return Response(status, orjson.dumps(payload))


def error_response(status: int, message: str) -> Response:
    """The service's JSON error shape."""
    return json_response(status, {"status": status, "message": message})


async def read_request(scope: Scope, receive: Receive, t: float) -> Request:
    """Read the whole body and decode headers and query; raises DisconnectedError."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise DisconnectedError
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    query_string = scope.get("query_string", b"").decode("latin-1")
    query = {k: v[0] for k, v in parse_qs(query_string, keep_blank_values=True).items()}
    client = scope.get("client")
    return Request(
        method=scope["method"],
        path=scope["path"],
        query=query,
        headers=headers,
        body=b"".join(chunks),
        client=(str(client[0]), int(client[1])) if client else None,
        http_version=scope.get("http_version", "1.1"),
        t=t,
    )


async def send_response(
    send: Send, response: Response, date: str, accept_encoding: str | None
) -> None:
    """Send `response` with a Date header and gzip when asked for and worthwhile."""
    body = response.body
    headers = [
        (b"date", date.encode("latin-1")),
        (b"content-type", response.content_type.encode("latin-1")),
    ]
    if accept_encoding and "gzip" in accept_encoding.lower() and len(body) > GZIP_MIN_BYTES:
        body = gzip.compress(body, compresslevel=5)
        headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
    headers.append((b"content-length", str(len(body)).encode("latin-1")))
    headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


Handler = Callable[[Request], Awaitable[Response]]


class MethodNotAllowedError(Exception):
    """The path exists but not for this method."""


class Router:
    """Exact-path routing: a handler per method and path."""

    def __init__(self) -> None:
        self._routes: dict[str, dict[str, Handler]] = {}

    def add(self, method: str, path: str, handler: Handler) -> None:
        """Register `handler` for `method path`."""
        self._routes.setdefault(path, {})[method] = handler

    def __contains__(self, path: object) -> bool:
        return path in self._routes

    def match(self, method: str, path: str) -> Handler | None:
        """The handler, None for an unknown path; raises MethodNotAllowedError."""
        route = self._routes.get(path)
        if route is None:
            return None
        if method not in route:
            raise MethodNotAllowedError
        return route[method]
