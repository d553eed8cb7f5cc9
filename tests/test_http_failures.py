"""How the HTTP edge fails: each cause named, hostile answers cut off, memory bounded."""

from __future__ import annotations

import asyncio
import errno
import gzip
import socket
import ssl
import subprocess
import sys
import textwrap
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import h2.exceptions
import httpcore
import pytest
from test_e2e_exactly_one import Silent
from test_http_client import answer_to_one_find, client_for, http_answer, raw_server

from booker.core.decide import Kind, Verdict
from booker.core.model import EXIT_CODES, Status
from booker.core.ports import Job
from booker.core.settings import EngineSettings
from booker.core.wire import PERMANENT_FAILURES, Failure
from booker.engine.supervisor import Supervisor
from booker.net.http import NO_ANSWER, Answer, ClientConfig, HttpClient, Request, describe_failure
from booker.output import wording
from booker.sim.testing import running_sim


def flood(kind: str, extra: str = "") -> str:
    """A scenario whose /2/user answers are an ``oversized`` or ``endless`` body."""
    return f'provider = "resy"\n[[faults]]\nkind = "{kind}"\npaths = ["/2/user"]\n{extra}'


def test_a_name_that_does_not_resolve_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """The resolver's failure (faked here: no query leaves the machine) is a named, permanent one."""
    asked: list[str] = []

    def no_such_name(host: str, *args: object, **kwargs: object) -> list[object]:
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)

    async def scenario() -> tuple[int, str, Failure]:
        async with client_for("https://api.resy.invalid") as client:
            answer = await client.send(Request("GET", "/2/user"))
            return answer.status, answer.error, answer.failure

    status, error, failure = asyncio.run(scenario())
    assert asked == ["api.resy.invalid"]
    assert (status, failure) == (NO_ANSWER, Failure.NAME)
    assert error == "name not resolved: api.resy.invalid"
    assert failure in PERMANENT_FAILURES


def test_a_service_that_accepts_but_never_shakes_hands_times_out_connecting() -> None:
    """TCP accepted, TLS never answered: 'timed out connecting', within the connect timeout."""

    async def scenario() -> tuple[int, str, Failure, float]:
        accepted: list[asyncio.StreamWriter] = []
        server = await asyncio.start_server(lambda r, w: accepted.append(w), "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            config = ClientConfig(f"https://127.0.0.1:{port}", connect_timeout_s=0.2)
            async with HttpClient(config) as client:
                answer = await client.send(Request("GET", "/2/user"))
        finally:
            for writer in accepted:
                writer.close()
            server.close()
            await server.wait_closed()
        return answer.status, answer.error, answer.failure, answer.elapsed_s

    status, error, failure, elapsed = asyncio.run(scenario())
    assert (status, failure) == (NO_ANSWER, Failure.TIMEOUT)
    assert error.startswith("timed out connecting to 127.0.0.1:")
    assert elapsed < 1.5
    assert failure not in PERMANENT_FAILURES


def test_a_refused_connection_is_named_and_worth_retrying() -> None:
    async def scenario() -> tuple[str, Failure]:
        with socket.socket() as sock:  # a free port that nothing listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        async with client_for(f"http://127.0.0.1:{port}") as client:
            answer = await client.send(Request("GET", "/2/user"))
        return answer.error, answer.failure

    error, failure = asyncio.run(scenario())
    assert failure is Failure.REFUSED and failure not in PERMANENT_FAILURES
    assert error.startswith("connection refused by 127.0.0.1:")


def test_a_small_gzip_body_that_inflates_past_the_cap_is_not_inflated() -> None:
    """64 KiB of gzip standing for 64 MiB: decoding stops at the cap."""
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 128 * 1024

    def reply(head: bytes) -> bytes:
        return http_answer(bomb, "Content-Encoding: gzip")

    status, body, error = answer_to_one_find(reply)
    assert (status, body) == (200, b"")
    assert error == f"gzip body decodes to more than {4 * 1024 * 1024} bytes"


def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    """A Content-Length over the cap: a failure at once, the connection dropped."""

    def reply(head: bytes) -> bytes:
        if b" /small " in head:
            return http_answer(b"{}")
        return b"HTTP/1.1 200 OK\r\nContent-Length: 314572800\r\n\r\n" + b"x" * 65536

    async def scenario() -> tuple[tuple[int, Failure, str], int, int]:
        async with raw_server(reply) as server, client_for(server.url) as client:
            big = await client.send(Request("GET", "/big"))
            small = await client.send(Request("GET", "/small"))
            return (big.status, big.failure, big.error), small.status, server.connections

    big, small, connections = asyncio.run(scenario())
    assert big == (NO_ANSWER, Failure.TOO_LARGE, big[2])
    assert big[2] == "answer of 314572800 bytes is over the cap: connection dropped"
    assert small == 200
    assert connections == 2  # the answer's connection was dropped, a new one opened


@pytest.mark.e2e
@pytest.mark.parametrize("plain", [False, True], ids=["h2-tls", "h1-plain"])
@pytest.mark.parametrize("kind", ["oversized", "endless"])
def test_huge_and_endless_answers_are_cut_at_the_cap(
    tmp_path: Path, kind: str, plain: bool
) -> None:
    """The simulator's flood faults: cut at the cap, well within the deadline, then a new
    connection serves the next request (on HTTP/2 the old one would be jammed)."""
    with running_sim(flood(kind), plain=plain, tmp_dir=tmp_path) as sim:
        headers = tuple(sim.headers().items())

        async def scenario() -> tuple[int, Failure, float, int]:
            # a short deadline: without the cap an endless answer is read until it passes
            config = ClientConfig(base_url=sim.url, ca_cert=sim.ca, request_timeout_s=1.0)
            async with HttpClient(config) as client:
                cut = await client.send(Request("GET", "/2/user", headers))
                after = await client.send(Request("GET", "/3/venue?venue_id=1", headers))
            return cut.status, cut.failure, cut.elapsed_s, after.status

        status, failure, elapsed, after = asyncio.run(scenario())
        ledger = sim.ledger()
    assert (status, failure) == (NO_ANSWER, Failure.TOO_LARGE)
    assert elapsed < 0.9
    assert after != NO_ANSWER
    assert [r["fault"] for r in ledger["requests"] if r["path"] == "/2/user"] == [kind]


MEMORY_PROBE = textwrap.dedent(
    """
    import asyncio, resource, sys
    from booker.net.http import ClientConfig, HttpClient, Request

    async def main() -> None:
        config = ClientConfig(base_url=sys.argv[1], ca_cert=sys.argv[2], request_timeout_s=10)
        async with HttpClient(config) as client:
            headers = (("X-Resy-Auth-Token", sys.argv[3]),)
            answer = await client.send(Request("GET", "/2/user", headers))
            print(answer.status, answer.failure)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    asyncio.run(main())
    print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
    """
)


@pytest.mark.e2e
def test_a_300_mib_answer_leaves_memory_bounded(tmp_path: Path) -> None:
    """Reading stops at the cap while the body streams: the client grows by a few MiB, not
    by the answer (it took the process tree to 706 MB before the cap)."""
    with running_sim(flood("oversized", "size_mb = 300\n"), tmp_dir=tmp_path) as sim:
        done = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, sim.url, str(sim.ca), sim.scenario["auth_token"]],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    outcome, grown_mib = done.stdout.split("\n")[:2]
    assert outcome == "0 too_large"
    assert int(grown_mib) < 64


def test_flood_faults_are_declared_like_the_others() -> None:
    from booker.sim.scenario import Fault, ScenarioError, parse_scenario

    def parsed(text: str) -> Fault:
        return parse_scenario(tomllib.loads(text)).faults[0]

    declared = parsed(flood("oversized", "size_mb = 8\n"))
    assert (declared.kind, declared.size_mb, declared.paths) == ("oversized", 8.0, ("/2/user",))
    assert parsed(flood("endless")).kind == "endless"
    with pytest.raises(ScenarioError, match="size_mb"):
        parsed(flood("oversized", "size_mb = 0\n"))


def wrapped(cause: BaseException) -> BaseException:
    """``cause`` as the library hands it over: inside a ``ConnectError``."""
    try:
        try:
            raise cause
        except BaseException as exc:
            raise httpcore.ConnectError(str(exc)) from exc
    except httpcore.ConnectError as outer:
        return outer


@pytest.mark.parametrize(
    ("cause", "failure", "error"),
    [
        (socket.gaierror(-2, "Name or service not known"), Failure.NAME, "name not resolved: h"),
        (
            ConnectionRefusedError(111, "Connection refused"),
            Failure.REFUSED,
            "connection refused by h",
        ),
        (
            OSError(errno.ENETUNREACH, "Network is unreachable"),
            Failure.OTHER,
            "network is unreachable: h",
        ),
        (
            ConnectionResetError(104, "reset"),
            Failure.DROPPED,
            "connection lost (ConnectionResetError)",
        ),
        (
            ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"),
            Failure.TLS,
            "TLS failed with h",
        ),
    ],
)
def test_the_cause_is_found_under_the_library_wrapper(
    cause: BaseException, failure: Failure, error: str
) -> None:
    found, said = describe_failure(wrapped(cause), "h")
    assert found is failure
    assert said.startswith(error)


def send_through_failing_pool(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> Answer:
    """One send whose connection pool raises ``exc`` (no socket is opened)."""

    async def failing(self: object, request: object) -> object:
        raise exc

    monkeypatch.setattr(httpcore.AsyncConnectionPool, "handle_async_request", failing)

    async def scenario() -> Answer:
        async with client_for("http://127.0.0.1:9") as client:
            return await client.send(Request("GET", "/2/user"))

    return asyncio.run(scenario())


@pytest.mark.parametrize(
    "exc",
    [
        TypeError("'NoneType' object is not subscriptable"),
        AttributeError("'Request' object has no attribute 'stream'"),
        KeyError("http_version"),
        RuntimeError("a library upgrade broke something"),
    ],
)
def test_a_bug_in_the_send_path_is_raised_not_a_quiet_http_000(
    monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    """A programming error (booker's or a library's) propagates, to end the worker."""
    with pytest.raises(type(exc)):
        send_through_failing_pool(monkeypatch, exc)


@pytest.mark.parametrize(
    ("exc", "failure"),
    [
        (httpcore.ConnectError("refused"), Failure.OTHER),
        (httpcore.ReadError("reset"), Failure.DROPPED),
        (httpcore.WriteError("broken pipe"), Failure.OTHER),
        (httpcore.PoolTimeout("pool"), Failure.TIMEOUT),
        (httpcore.RemoteProtocolError("Server disconnected"), Failure.DROPPED),
        (httpcore.LocalProtocolError("illegal header"), Failure.OTHER),
        (h2.exceptions.StreamClosedError(1), Failure.OTHER),
        (h2.exceptions.ProtocolError("bad frame"), Failure.OTHER),
        (ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"), Failure.DROPPED),
        (ssl.SSLError(1, "decryption failed"), Failure.TLS),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), Failure.OTHER),
    ],
)
def test_every_failure_on_the_wire_is_still_an_http_000(
    monkeypatch: pytest.MonkeyPatch, exc: BaseException, failure: Failure
) -> None:
    """The network, timeout, protocol (httpcore's, h2's), OSError and TLS families."""
    answer = send_through_failing_pool(monkeypatch, exc)
    assert (answer.status, answer.failure) == (NO_ANSWER, failure)
    assert answer.error


class Notices(Silent):
    """Keeps the notices too (the supervisor's word on dead workers)."""

    def __init__(self) -> None:
        super().__init__()
        self.notices: list[str] = []

    def not_ready(self) -> None:
        self.notices.append(wording.WORKERS_NOT_READY)

    def worker_died(self, index: int, exit_code: int | None) -> None:
        self.notices.append(wording.worker_died(index, exit_code))


class PollOnly:
    """A flow that is warm at once and polls a request that never books anything."""

    async def warm(self, io: Any) -> bool:
        return True

    def probe(self) -> Request:
        return Request("GET", "/2/user")

    def poll(self) -> Request:
        return Request("GET", "/4/find")

    def read_poll(self, answer: Answer) -> Verdict:
        return Verdict(Kind.EXPECTED, answer.status)

    async def book(self, io: Any, verdict: Verdict) -> None:
        raise AssertionError("nothing is ever found")


@dataclass(frozen=True)
class PollOnlyJob:
    noun: str = "reservation"

    def flow(self) -> PollOnly:
        return PollOnly()


def test_a_bug_in_every_workers_send_path_ends_the_run_as_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Real worker processes (``fork``: they inherit the broken pool): each dies of the bug,
    the supervisor says so and the run ends at once as ``error`` (exit 1), not as a quiet
    stream of HTTP 000 until ``--max-duration``."""

    async def broken(self: object, request: object) -> object:
        raise TypeError("a programming error in the send path")

    monkeypatch.setattr(httpcore.AsyncConnectionPool, "handle_async_request", broken)
    reporter = Notices()
    started = time.monotonic()
    result = wording.worded(
        Supervisor(
            EngineSettings(workers=2, concurrency=2, max_duration_s=30),
            ClientConfig("http://127.0.0.1:9"),
            cast(Job, PollOnlyJob()),  # a partial flow: it only polls
            reporter,
            start_method="fork",
        ).run()
    )
    assert (result.status, result.message) == (Status.ERROR, "no worker could run the job")
    assert EXIT_CODES[result.status] == 1
    assert sorted(reporter.notices) == [
        f"worker {i} died (exit code 1); going on with the others" for i in range(2)
    ]
    assert time.monotonic() - started < 20  # long before --max-duration (30 s)
