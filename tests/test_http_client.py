"""The HTTP edge on real sockets: what it sends, how it reads answers, and how it fails.

A tiny HTTP/1.1 server written here (plain asyncio, loopback, free port) answers
with canned bytes and records what it received; the simulator covers HTTP/2 over TLS.
"""

from __future__ import annotations

import asyncio
import gzip
import time
import zlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from booker.net.http import NO_ANSWER, ClientConfig, HttpClient, Request
from booker.sim.testing import running_sim

Reply = Callable[[bytes], bytes | None]  # request head -> raw answer; None: say nothing


def http_answer(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    """A raw HTTP/1.1 answer with a Content-Length."""
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@dataclass
class RawServer:
    """What the server saw: one request head (and body) per request, connections opened."""

    url: str = ""
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0


@asynccontextmanager
async def raw_server(
    reply: Reply, *, close_after_answer: bool = False, path: str = ""
) -> AsyncIterator[RawServer]:
    """A loopback HTTP/1.1 server on a free port that answers every request with ``reply``."""
    seen = RawServer()
    closing = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                body = await reader.readexactly(length) if length else b""
                seen.requests.append(head + body)
                answer = reply(head)
                if answer is None:
                    await closing.wait()  # say nothing until the server closes
                    return
                writer.write(answer)
                await writer.drain()
                if close_after_answer:
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    seen.url = f"http://127.0.0.1:{port}{path}"
    try:
        yield seen
    finally:
        closing.set()
        server.close()
        await asyncio.sleep(0)  # let silent handlers see it and end


def client_for(url: str, **settings: float) -> HttpClient:
    return HttpClient(ClientConfig(base_url=url, **settings))  # type: ignore[arg-type]


def test_gzip_and_deflate_answers_are_decoded_and_gzip_is_asked_for() -> None:
    document = b'{"results": {"venues": []}}' * 20
    codings = {
        b"/gzip": http_answer(gzip.compress(document), "Content-Encoding: gzip"),
        b"/deflate": http_answer(zlib.compress(document), "Content-Encoding: deflate"),
        b"/raw-deflate": http_answer(zlib.compress(document)[2:-4], "Content-Encoding: deflate"),
        b"/plain": http_answer(document),
    }

    def reply(head: bytes) -> bytes:
        return codings[head.split(b" ")[1]]

    async def scenario() -> tuple[list[bytes], list[bytes]]:
        async with raw_server(reply) as server, client_for(server.url) as client:
            answers = [await client.send(Request("GET", p.decode())) for p in codings]
            return [a.body for a in answers], server.requests

    bodies, requests = asyncio.run(scenario())
    assert bodies == [document] * 4
    assert all(b"\r\naccept-encoding: gzip, deflate\r\n" in r.lower() for r in requests)


def answer_to_one_find(reply: Callable[[bytes], bytes]) -> tuple[int, bytes, str]:
    """Status, body and error of one ``GET /4/find`` that a raw server answers with ``reply``."""

    async def scenario() -> tuple[int, bytes, str]:
        async with raw_server(reply) as server, client_for(server.url) as client:
            answer = await client.send(Request("GET", "/4/find"))
            return answer.status, answer.body, answer.error

    return asyncio.run(scenario())


def test_a_body_that_cannot_be_decoded_keeps_its_status_and_is_flagged() -> None:
    def reply(head: bytes) -> bytes:
        return http_answer(b"not gzip at all", "Content-Encoding: gzip")

    status, body, error = answer_to_one_find(reply)
    assert (status, body) == (200, b"")
    assert error == "undecodable gzip body"


def test_base_path_host_header_body_and_headers_go_out_as_built() -> None:
    async def scenario() -> tuple[bytes, int]:
        async with raw_server(lambda head: http_answer(b"{}"), path="/api/") as server:
            async with client_for(server.url) as client:
                request = Request(
                    "POST", "/3/book?x=1", (("X-Resy-Auth-Token", "t0k"),), b"book_token=abc"
                )
                prepared = client.prepare(request)
                statuses = [(await client.send(prepared)).status for _ in range(3)]
            assert statuses == [200, 200, 200]
            return server.requests[-1], server.connections

    raw, connections = asyncio.run(scenario())
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    port = lines[0]  # request line
    assert port == b"POST /api/3/book?x=1 HTTP/1.1"
    lowered = [line.lower() for line in lines[1:]]
    assert any(line.startswith(b"host: 127.0.0.1:") for line in lowered)
    assert b"x-resy-auth-token: t0k" in lowered
    assert b"content-length: 14" in lowered
    assert body == b"book_token=abc"
    assert connections == 1  # the prepared request was sent three times on one connection


def test_a_connection_closed_by_the_server_while_idle_is_replaced() -> None:
    async def scenario() -> tuple[list[int], int]:
        async with raw_server(lambda head: http_answer(b"{}"), close_after_answer=True) as server:
            async with client_for(server.url) as client:
                statuses = []
                for _ in range(3):
                    statuses.append((await client.send(Request("GET", "/2/user"))).status)
                    await asyncio.sleep(0.05)  # the server's close arrives while idle
            return statuses, server.connections

    statuses, connections = asyncio.run(scenario())
    assert statuses == [200, 200, 200]
    assert connections == 3


async def answer_from(reply: Reply, **settings: float) -> tuple[int, str, float, str]:
    """One GET against a raw server answering with ``reply``; also the server's URL."""
    async with raw_server(reply) as server, client_for(server.url, **settings) as client:
        answer = await client.send(Request("GET", "/4/find"))
        return answer.status, answer.error, answer.elapsed_s, server.url


def test_failures_on_the_wire_are_http_000_never_exceptions() -> None:
    async def scenario() -> dict[str, tuple[int, str, float, str]]:
        results = {
            "silent": await answer_from(lambda head: None, request_timeout_s=0.3),
            "garbage": await answer_from(lambda head: b"HTTP/1.1 2OO nonsense\r\n\r\n"),
            "closed": await answer_from(lambda head: b""),  # answers nothing, then closes
        }
        async with client_for(results["closed"][3]) as client:  # nothing listens there now
            answer = await client.send(Request("GET", "/4/find"))
            results["refused"] = (answer.status, answer.error, answer.elapsed_s, "")
        return results

    started = time.monotonic()
    results = asyncio.run(scenario())
    assert time.monotonic() - started < 5
    assert {name: r[0] for name, r in results.items()} == dict.fromkeys(results, NO_ANSWER)
    assert results["silent"][1] == "timed out: no answer within 0.3 s"
    assert 0.25 < results["silent"][2] < 1.5
    assert results["refused"][1].startswith("connection refused by 127.0.0.1:")
    assert all(r[1] for r in results.values())


@pytest.mark.e2e
def test_http2_over_tls_one_connection_many_streams_and_verification(tmp_path: Path) -> None:
    """HTTP/2 via ALPN; a burst shares one connection; an unknown CA is refused (HTTP 000)."""
    with running_sim(None, tmp_dir=tmp_path) as sim:
        headers = tuple(sim.headers().items())

        async def scenario() -> tuple[list[tuple[int, str]], int, int, str]:
            async with HttpClient(ClientConfig(base_url=sim.url, ca_cert=sim.ca)) as client:
                prepared = client.prepare(Request("GET", "/2/user", headers))
                await client.send(prepared)
                answers = await asyncio.gather(*(client.send(prepared) for _ in range(10)))
                connections = len(client._pool.connections)
            async with HttpClient(ClientConfig(base_url=sim.url)) as untrusting:
                refused = await untrusting.send(Request("GET", "/2/user", headers))
            return (
                [(a.status, a.http_version) for a in answers],
                connections,
                refused.status,
                refused.error,
            )

        answers, connections, refused, error = asyncio.run(scenario())
    assert answers == [(200, "HTTP/2")] * 10
    assert connections == 1
    assert refused == NO_ANSWER
    assert error.startswith("TLS certificate of 127.0.0.1:") and "not trusted" in error
    assert "pass it with --ca-cert" in error


@pytest.mark.e2e
def test_closing_the_client_closes_its_tls_connection_before_returning(tmp_path: Path) -> None:
    """The loop can close right after ``aclose``: no TLS transport is left half shut."""
    import uvloop

    with running_sim(None, tmp_dir=tmp_path) as sim:
        headers = tuple(sim.headers().items())

        async def scenario() -> int:
            async with HttpClient(ClientConfig(base_url=sim.url, ca_cert=sim.ca)) as client:
                return (await client.send(Request("GET", "/2/user", headers))).status

        loop = uvloop.new_event_loop()
        try:
            assert loop.run_until_complete(scenario()) == 200
        finally:
            loop.close()  # raised OSError (EBUSY) while a TLS shutdown was still pending


@pytest.mark.parametrize(
    ("base_url", "host", "port", "host_header", "base_path"),
    [
        ("https://api.resy.com", b"api.resy.com", None, "api.resy.com", ""),
        ("https://api.resy.com:443/", b"api.resy.com", 443, "api.resy.com", ""),
        ("http://127.0.0.1:8080/api/v2/", b"127.0.0.1", 8080, "127.0.0.1:8080", "/api/v2"),
        ("https://[::1]:8443", b"::1", 8443, "[::1]:8443", ""),
        ("http://localhost", b"localhost", None, "localhost", ""),
    ],
)
def test_the_base_url_is_split_once_into_what_every_request_needs(
    base_url: str, host: bytes, port: int | None, host_header: str, base_path: str
) -> None:
    """Connect host and port, the Host header (default ports left out, IPv6 bracketed), prefix."""
    from booker.net.http import _Origin

    origin = _Origin.parse(base_url)
    assert (origin.host, origin.port, origin.host_header, origin.base_path) == (
        host,
        port,
        host_header,
        base_path,
    )


def test_requests_cut_by_their_deadline_leak_no_pool_slot() -> None:
    """Forty requests cancelled by the deadline (four bursts of ten), then ten that all succeed."""
    calls = 0

    def reply(head: bytes) -> bytes | None:
        nonlocal calls
        calls += 1
        return None if calls <= 40 else http_answer(b"{}")

    async def scenario() -> tuple[list[set[int]], set[int]]:
        async with raw_server(reply) as server, client_for(server.url, request_timeout_s=0.1) as c:
            cut = []
            for _ in range(4):
                burst = await asyncio.gather(
                    *(c.send(Request("GET", "/4/find")) for _ in range(10))
                )
                cut.append({a.status for a in burst})
            after = await asyncio.gather(*(c.send(Request("GET", "/4/find")) for _ in range(10)))
            return cut, {a.status for a in after}

    cut, after = asyncio.run(scenario())
    assert cut == [{NO_ANSWER}] * 4
    assert after == {200}  # the pool (10 connections) still has every slot


def test_an_answer_says_when_its_request_really_left() -> None:
    """A request queued behind a busy connection is stamped when its bytes left, not when sent."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(0.2)  # every answer takes 200 ms
                writer.write(http_answer(b"{}"))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

    async def scenario() -> tuple[float, list[float]]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        try:
            config = ClientConfig(base_url=url, http2=False, pool_connections=1)
            async with HttpClient(config) as client:
                entered = time.time()
                answers = await asyncio.gather(
                    client.send(Request("GET", "/a")), client.send(Request("GET", "/b"))
                )
        finally:
            server.close()
        return entered, sorted(a.written_at for a in answers)

    entered, (first, second) = asyncio.run(scenario())
    assert entered <= first < entered + 0.1
    assert second >= first + 0.19  # it waited for the connection: it left 200 ms later
