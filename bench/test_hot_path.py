"""The request hot path: HttpClient.send of a prepared /4/find against the simulator.

HTTP/2 over TLS on loopback, one uvloop loop per module (a module-scoped
``asyncio.Runner``, docs/PERF-NOTES.md), the same code on httpx and on httpx2 (see
``bench/http_variants.py``). Per-round wall times include ``Runner.run``'s task
overhead (about 20-40 us); the CPU figure is ``time.process_time`` over a
sequential burst divided by its length, inside one ``run`` call.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from bench import http_variants, stats
from bench.report import record, record_timings
from booker.providers.resy import ResyApi, ResyCredentials
from booker.providers.resy_target import ResyTarget
from booker.sim.testing import SimHandle

BURST = 200  # requests per CPU round
CPU_ROUNDS = 5
SEND_ROUNDS = 300
COLD_ROUNDS = 15

LIBRARIES = ["httpx", "httpx2"]


@pytest.fixture(scope="module", params=LIBRARIES)
def edge(request: pytest.FixtureRequest) -> ModuleType:
    """The same booker.net.http source on httpx or on httpx2 (skipped when not installed)."""
    module = http_variants.load(request.param)
    if module is None:
        pytest.skip(f"{request.param} is not installed")
    return module


class Bench:
    """A client on one library, its loop and the prepared poll."""

    def __init__(self, edge: ModuleType, sim: SimHandle, runner: asyncio.Runner) -> None:
        self.edge = edge
        self.runner = runner
        self.config = edge.ClientConfig(sim.url, ca_cert=sim.ca)
        s = sim.scenario
        api = ResyApi(
            ResyCredentials(s["api_key"], s["auth_token"]),
            ResyTarget(int(s["venue_id"]), s["day"], 2, ("19:00:00",)),
        )
        self.find = api.find()
        self.client = self.new_client()
        self.prepared = self.client.prepare(self.find)
        self.open: list[Any] = [self.client]

    def new_client(self) -> Any:
        async def build() -> Any:
            return self.edge.HttpClient(self.config)

        return self.runner.run(build())

    def send(self, client: Any, prepared: Any) -> Any:
        return self.runner.run(client.send(prepared))


@pytest.fixture(scope="module")
def hot(edge: ModuleType, sim: SimHandle, runner: asyncio.Runner) -> Iterator[Bench]:
    """A warmed client on ``edge`` (one request sent)."""
    bench = Bench(edge, sim, runner)
    answer = bench.send(bench.client, bench.prepared)
    assert answer.status == 200 and answer.http_version == "HTTP/2", answer
    yield bench
    for client in bench.open:
        runner.run(client.aclose())


def _library(hot: Bench) -> str:
    return str(hot.edge.__name__).rsplit("_", 1)[-1]


def test_send_find_warm(benchmark: Any, hot: Bench) -> None:
    """One prepared /4/find on a warm HTTP/2 connection: send + read the whole answer."""
    benchmark.pedantic(
        hot.send,
        args=(hot.client, hot.prepared),
        rounds=SEND_ROUNDS,
        iterations=1,
        warmup_rounds=20,
    )
    record_timings(benchmark, "hot_path", f"send_find_warm[{_library(hot)}]", "ms")


def test_cpu_per_poll(benchmark: Any, hot: Bench) -> None:
    """Client CPU per poll: process_time over BURST sequential sends, divided by BURST."""
    cpu_ms: list[float] = []
    wall_ms: list[float] = []

    async def burst() -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(BURST):
            answer = await hot.client.send(hot.prepared)
            assert answer.status == 200
        cpu_ms.append((time.process_time() - cpu) / BURST * 1e3)
        wall_ms.append((time.perf_counter() - wall) / BURST * 1e3)

    benchmark.pedantic(
        lambda: hot.runner.run(burst()), rounds=CPU_ROUNDS, iterations=1, warmup_rounds=1
    )
    if len(cpu_ms) > 1:
        cpu_ms, wall_ms = cpu_ms[1:], wall_ms[1:]  # drop the warm-up round
    figures = {"cpu_ms_per_request": stats.percentile(cpu_ms, 50), "cpu_rounds_ms": cpu_ms,
               "wall_ms_per_request": stats.percentile(wall_ms, 50)}  # fmt: skip
    benchmark.extra_info.update(figures)
    record("hot_path", f"cpu_per_poll[{_library(hot)}]", figures)


def _fresh_client(hot: Bench, warmed: bool) -> tuple[tuple[Any, Any], dict[str, Any]]:
    """A pedantic setup: a new client and its prepared poll, ``warmed`` by one request first."""
    client = hot.new_client()
    hot.open.append(client)
    if warmed:
        assert hot.send(client, client.prepare(hot.find)).status == 200
    return (client, client.prepare(hot.find)), {}


def test_first_request_cold(benchmark: Any, hot: Bench) -> None:
    """First request on a new client: TCP connect + TLS + HTTP/2 preface and SETTINGS."""
    setup = functools.partial(_fresh_client, hot, False)
    benchmark.pedantic(hot.send, setup=setup, rounds=COLD_ROUNDS, iterations=1)
    record_timings(benchmark, "hot_path", f"first_request_cold[{_library(hot)}]", "ms")


def test_first_request_prewarmed(benchmark: Any, hot: Bench) -> None:
    """First poll on a new client whose connection one cheap request has already opened."""
    setup = functools.partial(_fresh_client, hot, True)
    benchmark.pedantic(hot.send, setup=setup, rounds=COLD_ROUNDS, iterations=1)
    record_timings(benchmark, "hot_path", f"first_request_prewarmed[{_library(hot)}]", "ms")


def test_client_build(benchmark: Any, hot: Bench) -> None:
    """Building a client (CA bundle, context, pool): paid once per worker, long before a drop."""

    def build() -> None:
        hot.open.append(hot.new_client())

    benchmark.pedantic(build, rounds=10, iterations=1)
    record_timings(benchmark, "hot_path", f"client_build[{_library(hot)}]", "ms")
