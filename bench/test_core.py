"""The pure core, no sockets: read a /4/find answer, rank, decide, build the next request.

Budget (issue 7): decision + request build p99 <= 200 us, "answer parsed ->
request handed to the client": from the decoded /4/find document to the
/3/details ``Request`` value (slots read and matched, ranked, the shared
counters' reaction, the request built). The same span from the answer's raw
bytes (JSON decoding included) and with the client's ``prepare`` are measured
next to it. Each round is one call (``iterations=1``): the p99 is a per-call p99.
"""

from __future__ import annotations

from typing import Any

import orjson

from bench import fixtures
from bench.report import record_timings
from booker.core.decide import Counters, Kind, Verdict, next_booking_step, react
from booker.net.http import ClientConfig, HttpClient, Request
from booker.providers import resy
from booker.providers.resy_target import rank_slots

ROUNDS = 5000
FOUND_ANSWER = fixtures.find_answer(40)
FOUND_DOCUMENT = orjson.loads(FOUND_ANSWER.body)
COUNTERS = Counters(concurrency=10)


def decide_and_build_from(document: Any) -> Request:
    """Decoded answer -> wanted slots ranked -> reaction -> the /3/details request for the best."""
    verdict = resy.find_verdict(document, fixtures.TARGET)
    react(COUNTERS, verdict, 0.5)
    return fixtures.API.details(verdict.slots[0])


def decide_and_build() -> Request:
    """The same from the answer's bytes: JSON decoding included."""
    verdict = resy.read_find(FOUND_ANSWER, fixtures.TARGET)
    react(COUNTERS, verdict, 0.5)
    return fixtures.API.details(verdict.slots[0])


def _per_call(benchmark: Any, name: str, function: Any, *args: Any) -> None:
    benchmark.pedantic(function, args=args, rounds=ROUNDS, iterations=1, warmup_rounds=200)
    record_timings(benchmark, "core", name, "us")


def test_decision_and_request_build(benchmark: Any) -> None:
    """Decoded 40-slot answer -> /3/details request (the budgeted figure)."""
    assert decide_and_build_from(FOUND_DOCUMENT) == decide_and_build()
    _per_call(benchmark, "decision_and_request_build", decide_and_build_from, FOUND_DOCUMENT)


def test_decode_decision_and_request_build(benchmark: Any) -> None:
    """The same from the answer's bytes: orjson decoding of the 11 kB answer included."""
    _per_call(benchmark, "decode_decision_and_request_build", decide_and_build)


def test_decision_build_and_prepare(benchmark: Any) -> None:
    """From the bytes, plus HttpClient.prepare (the library's request built, still no socket)."""
    client = HttpClient(ClientConfig("https://127.0.0.1:9"))

    def with_prepare() -> Any:
        return client.prepare(decide_and_build())

    _per_call(benchmark, "decision_build_and_prepare", with_prepare)


def test_read_find_40_slots(benchmark: Any) -> None:
    """read_find alone (JSON decode, 40 slots parsed, ranked)."""
    assert resy.read_find(FOUND_ANSWER, fixtures.TARGET).kind is Kind.FOUND
    _per_call(benchmark, "read_find_40", resy.read_find, FOUND_ANSWER, fixtures.TARGET)


def test_read_find_empty(benchmark: Any) -> None:
    """read_find on the answer of every poll before the release (no slots yet)."""
    assert resy.read_find(fixtures.EMPTY_ANSWER, fixtures.TARGET).kind is Kind.EXPECTED
    _per_call(benchmark, "read_find_empty", resy.read_find, fixtures.EMPTY_ANSWER, fixtures.TARGET)


def test_rank_slots_40(benchmark: Any) -> None:
    """rank_slots over 40 parsed slots."""
    slots = tuple(resy.parse_slots(fixtures.find_document(40), fixtures.DAY, 2))
    assert len(slots) == 40
    _per_call(benchmark, "rank_slots_40", rank_slots, slots, fixtures.WANTED)


def test_react_and_next_step(benchmark: Any) -> None:
    """react on a FOUND verdict plus next_booking_step (the rest of the decision)."""
    verdict = resy.read_find(FOUND_ANSWER, fixtures.TARGET)
    counters = Counters(concurrency=10)

    def decide(v: Verdict) -> Any:
        return react(counters, v, 0.5), next_booking_step(v, 0, 3)

    _per_call(benchmark, "react_and_next_step", decide, verdict)


def test_build_book_request(benchmark: Any) -> None:
    """ResyApi.book: the form-encoded /3/book request value."""
    _per_call(benchmark, "build_book_request", fixtures.API.book, "tok" * 40, 123456)
