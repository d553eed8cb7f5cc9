"""The ASGI front door shared by all providers: ledger, rate limit, faults, /_sim routes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from http import HTTPStatus
from typing import Any, Protocol

import orjson

from booker.sim.asgi import (
    DisconnectedError,
    Receive,
    Request,
    Response,
    Scope,
    Send,
    error_response,
    json_response,
    read_request,
    send_flood,
    send_response,
)
from booker.sim.drops import DropParamError, DropRequest, parse_drop
from booker.sim.faults import FaultPlan, RateLimiter, Verdict
from booker.sim.network import Link
from booker.sim.rivals import run_rivals
from booker.sim.scenario import Fault
from booker.sim.world import World

log = logging.getLogger("booker.sim")

FLOODS = ("oversized", "endless")  # faults whose answer is a body too big to read
MIB = 1024 * 1024

Dropper = Callable[[Scope], bool]
Actors = Callable[[], Coroutine[Any, Any, None]]

CHALLENGE_HTML = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
    b"<body><h1>Checking your browser before accessing the site.</h1></body></html>"
)


class ProviderApp(Protocol):
    """What a simulated service supplies to the gateway."""

    async def handle(self, request: Request) -> Response:
        """Answer one API request."""
        ...

    def rate_key(self, request: Request) -> str:
        """The client identity the rate limit counts against."""
        ...

    def wrong_types(self, path: str) -> object:
        """A JSON value shaped like the answer for `path` but with wrong field types."""
        ...

    def rearm(self) -> None:
        """The world moved to a new drop (day, release, stock): drop per-drop state."""
        ...

    def check_by_hand(self, params: dict[str, Any]) -> None:
        """Refuse (``ValueError``) a by-hand reservation the provider cannot make."""
        ...

    def by_hand(self, params: dict[str, Any]) -> dict[str, Any]:
        """Reserve for the account as its owner would, outside booker; what was made."""
        ...


def _no_drop(scope: Scope) -> bool:
    return False


class Gateway:
    """ASGI app: records every API request and applies scripted pressure before the provider."""

    def __init__(
        self,
        world: World,
        provider: ProviderApp,
        dropper: Dropper = _no_drop,
        actors: Actors | None = None,
    ) -> None:
        self.world = world
        self.provider = provider
        self.dropper = dropper
        self.actors = actors or (lambda: run_rivals(world))
        self.plan = FaultPlan(world.scenario.faults, world.release_at, world.rng)
        limit = world.scenario.rate_limit
        self.limiter = RateLimiter(limit) if limit else None
        self.link = Link(world.scenario.network, world.rng)
        self._rivals: asyncio.Task[None] | None = None
        self._later: set[asyncio.Task[None]] = set()  # by-hand reservations still to come

    async def start(self) -> None:
        """Start background actors (rivals; Resy's by default) on the running loop."""
        self._rivals = asyncio.create_task(self.actors())

    async def stop(self) -> None:
        """Stop background actors."""
        for task in list(self._later):
            task.cancel()
        if self._rivals is not None:
            self._rivals.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._rivals

    async def rearm(self, drop: DropRequest) -> dict[str, Any]:
        """Start the next drop: new day and stock, release `in_ms` from now, fresh rivals.

        Users' reservations, the ledger and the rate limiter carry over; fault windows move
        with the release; book tokens of earlier drops stop working.
        """
        world = self.world
        old = self._rivals
        if old is not None:
            old.cancel()  # before the world changes: no old rival acts on the new stock
        now = world.clock.now()
        day = drop.day or world.next_day()
        release_at = now + drop.in_ms / 1000.0
        world.rearm(day, release_at, rivals=drop.rivals, t=now)
        self.plan.release_at = release_at
        self.provider.rearm()
        self._rivals = asyncio.create_task(self.actors()) if drop.rivals else None
        if old is not None:
            await asyncio.wait([old])
            if not old.cancelled() and old.exception() is not None:
                log.error("rivals of drop %d failed", world.drop - 1, exc_info=old.exception())
        return {"day": day, "release_at": release_at, "drop": world.drop}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        clock = self.world.clock
        t = clock.now()
        if scope["path"].startswith("/_sim/"):
            try:
                response = await self._sim_route(scope, receive, t)
            except DisconnectedError:
                return
            await send_response(send, response, clock.http_date(), None)
            return
        travel = self.link.inbound_s(scope.get("client"))
        if travel:
            await asyncio.sleep(travel)
            t = clock.now()  # when the request reached the emulated service
        record = self.world.ledger.request(
            t, scope["method"], scope["path"], scope.get("http_version", "1.1")
        )
        try:
            request = await read_request(scope, receive, t)
        except DisconnectedError:
            return
        if self.limiter is not None and not self.limiter.allow(self.provider.rate_key(request)):
            record.fault = "rate_limit"
            response = error_response(429, "Too Many Requests")
            limit = self.world.scenario.rate_limit
            wait = limit.retry_after_s if limit is not None else 0
            if wait:
                response = replace(response, headers=(("retry-after", str(wait)),))
        else:
            verdict = self.plan.decide(request.path, t)
            record.fault = verdict.label
            if verdict.delay_s > 0:
                await asyncio.sleep(verdict.delay_s)
            if verdict.fault is not None and verdict.fault.kind == "drop":
                await self._drop(scope, receive)
                return
            if verdict.fault is not None and verdict.fault.kind in FLOODS:
                record.status = 200
                size = None if verdict.fault.kind == "endless" else verdict.fault.size_mb
                await send_flood(
                    send, receive, clock.http_date(), None if size is None else int(size * MIB)
                )
                return
            response = await self._answer(request, verdict)
            answer_delay = verdict.answer_delay_s(response.status)
            if answer_delay > 0:
                record.status = response.status  # what the app did, even if the client gives up
                record.fault = record.fault or "slow"
                await asyncio.sleep(answer_delay)
        record.status = response.status
        date = clock.http_date()  # stamped at the service, before the answer travels back
        travel = self.link.outbound_s()
        if travel:
            await asyncio.sleep(travel)
        await send_response(send, response, date, request.header("accept-encoding"))

    async def _answer(self, request: Request, verdict: Verdict) -> Response:
        fault: Fault | None = verdict.fault
        if fault is not None and fault.kind == "status":
            return status_fault(fault)
        malformed = fault.body if fault is not None and fault.kind == "malformed" else None
        if malformed == "html":
            return Response(200, CHALLENGE_HTML, "text/html; charset=UTF-8")
        if malformed == "wrong_types":
            return json_response(200, self.provider.wrong_types(request.path))
        try:
            response = await self.provider.handle(request)
        except Exception:
            log.exception("provider failed on %s %s", request.method, request.path)
            return error_response(500, "Internal Server Error")
        if malformed == "truncated":  # the real answer happened, its body is cut
            return Response(200, response.body[: max(1, len(response.body) // 2)])
        if malformed is not None and 200 <= response.status < 300:
            return spoil(response, malformed)
        return response

    async def by_hand(self, body: bytes) -> Response:
        """POST /_sim/reserve: the account's owner reserves outside booker (now or ``in_ms``)."""
        try:
            params: object = orjson.loads(body) if body.strip() else {}
        except orjson.JSONDecodeError:
            params = None
        if not isinstance(params, dict):
            return error_response(400, "body must be a JSON object")
        delay = params.pop("in_ms", 0)
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            return error_response(400, "in_ms must be a number of milliseconds >= 0")
        try:
            self.provider.check_by_hand(params)
        except ValueError as exc:
            return error_response(400, str(exc))
        if delay == 0:
            return json_response(200, self.provider.by_hand(params))

        async def later() -> None:
            await asyncio.sleep(delay / 1000.0)
            self.provider.by_hand(params)

        task = asyncio.create_task(later())
        self._later.add(task)
        task.add_done_callback(self._later.discard)
        return json_response(202, {"in_ms": delay})

    async def _drop(self, scope: Scope, receive: Receive) -> None:
        """Abort the connection and wait for the server to notice, sending nothing."""
        if not self.dropper(scope):
            raise ConnectionAbortedError("no connection to drop")  # hypercorn answers 500
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5.0):
                while (await receive())["type"] != "http.disconnect":
                    pass

    async def _sim_route(self, scope: Scope, receive: Receive, t: float) -> Response:
        method, path = scope["method"], scope["path"]
        if path == "/_sim/ledger" and method == "GET":
            return Response(200, orjson.dumps(self.world.ledger.to_json()))
        if path == "/_sim/health" and method == "GET":
            return json_response(200, {"ok": True})
        if path == "/_sim/drop":
            if method != "POST":
                return error_response(405, "Method Not Allowed")
            request = await read_request(scope, receive, t)
            try:
                drop = parse_drop(request.query, request.body)
            except DropParamError as exc:
                return error_response(400, str(exc))
            return json_response(200, await self.rearm(drop))
        if path == "/_sim/reserve":
            if method != "POST":
                return error_response(405, "Method Not Allowed")
            request = await read_request(scope, receive, t)
            return await self.by_hand(request.body)
        return error_response(404, "Not Found")


FIREWALL_HTML = (
    b"<!DOCTYPE html><html><head><title>403 Forbidden</title></head>"
    b"<body><h1>Access denied</h1><p>Request blocked by the web application firewall.</p>"
    b"</body></html>"
)


def status_fault(fault: Fault) -> Response:
    """A scripted status: the service's JSON error (or the firewall's HTML page), Retry-After."""
    if fault.html:
        response = Response(fault.status, FIREWALL_HTML, "text/html; charset=UTF-8")
    else:
        response = error_response(fault.status, status_phrase(fault.status))
    if fault.retry_after:
        response = replace(response, headers=(("retry-after", fault.retry_after),))
    return response


def spoil(response: Response, how: str) -> Response:
    """A 2xx answer the real endpoint gave, spoiled as ``how`` says (see MALFORMED_BODIES)."""
    if how == "error_200":
        return json_response(200, {"status": 500, "message": "Internal Server Error"})
    try:
        document: object = orjson.loads(response.body)
    except orjson.JSONDecodeError:
        return response
    if not isinstance(document, dict):
        return response
    ids = ("resy_token", "reservation_id", "cartItemId")
    if how == "no_ids":
        document = {k: v for k, v in document.items() if k not in ids}
    elif how == "null_ids":
        document = {k: (None if k in ids else v) for k, v in document.items()}
    elif how == "token_only":
        document = {k: v for k, v in document.items() if k == "resy_token"}
    return Response(response.status, orjson.dumps(document), response.content_type)


NON_STANDARD_PHRASES = {419: "Unauthorized"}  # Resy answers a bad token with 419


def status_phrase(status: int) -> str:
    """The reason phrase the real service uses, for standard and non-standard codes."""
    if status in NON_STANDARD_PHRASES:
        return NON_STANDARD_PHRASES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
