"""Both flows retry a booking as ``--retries`` says and back off as the job's Policy says;
the cart retries its add-to-cart (the poll that is the booking) as Resy retries /3/book."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from test_resy_flow import FOUND, FakeIO, booking_script, flow, listing
from test_worker_loop import SLOT, FakeFlow, FakeQueue, FakeShared, make_worker, run_loop

from booker.core.decide import Kind, Policy, Verdict
from booker.core.ports import EventKind
from booker.core.settings import EngineSettings
from booker.core.wire import ClientConfig
from booker.engine.worker import Worker, WorkerSpec
from booker.net.http import Answer
from booker.providers import cart, cart_flow, resy_flow
from booker.providers.cart import CartCredentials, CartTarget
from booker.providers.cart_flow import CartFlow, CartJob

SLOW = Policy(booking_backoff_s=0.25)
TARGET = CartTarget("NY", "140", "245719", "2026-05-17", 2)
SITES = CartTarget("NY", "140", "245720", "2026-05-17", 2, site_ids=("245720", "245719"))
ADD = f"{cart.CART_PATH}/additem"
EMPTY_CART = Answer(200, b'{"items": []}')
OUR_ITEM = Answer(200, orjson.dumps({"items": [{"cartItemId": 9, "siteID": "245719",
                                                "arrivalDate": "2026-05-17", "units": 2}]}))  # fmt: skip
ADDED = Answer(200, b"{}")
UNKNOWN_FAULT = Answer(417, orjson.dumps({"faults": [{"msgKey": "x", "defaultMessage": "odd"}]}))


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every asyncio.sleep the flows ask for, in order (none is slept)."""
    asked: list[float] = []

    async def sleep(seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return asked


def scripted(**paths: list[Answer]) -> Callable[[str], Answer]:
    """Answers per path (``add``, ``view``), in order; the last one repeats."""
    queues: dict[str, Iterator[Answer]] = {}
    last: dict[str, Answer] = {}

    def answer(path: str) -> Answer:
        name = "add" if path == ADD else "view" if path == cart.CART_PATH else path
        queue = queues.setdefault(name, iter(paths[name]))
        last[name] = next(queue, last.get(name) or paths[name][-1])
        return last[name]

    return answer


def cart_io(answer: Callable[[str], Answer], retries: int = 2, policy: Policy = SLOW) -> FakeIO:
    io = FakeIO(answer)
    io.settings = EngineSettings(retries=retries)
    io.policy = policy
    return io


def cart_flow_of(target: CartTarget = TARGET) -> CartFlow:
    made = CartJob(CartCredentials("a", "b"), target).flow()
    made.count_before = 0
    return made


def short(path: str) -> str:
    return {ADD: "add", cart.CART_PATH: "view"}.get(path, path)


# --- the job's Policy reaches the flows -------------------------------------------------------


def test_resy_retries_its_booking_after_the_policys_backoff(waits: list[float]) -> None:
    """/3/book answers 500 three times: retried twice (--retries 2), 0.25 s then 0.5 s later."""
    io = FakeIO(booking_script(Answer(500), listing()))
    io.policy = SLOW
    asyncio.run(flow().book(io, FOUND))
    assert io.sent.count("/3/book") == 3
    assert [w for w in waits if w != resy_flow.PREFETCH_AFTER_S] == [0.25, 0.5]


def test_the_cart_reads_its_cart_again_after_the_policys_backoff(waits: list[float]) -> None:
    """Added, but the cart cannot be read: read again 0.25 s, 0.5 s, 0.75 s later."""
    io = cart_io(scripted(view=[Answer(502)]))
    asyncio.run(cart_flow_of().book(io, Verdict(Kind.FOUND, 200, cart.ADDED)))
    assert waits == [0.25, 0.5, 0.75]
    assert [short(p) for p in io.sent] == ["view"] * cart_flow.CONFIRM_ATTEMPTS


# --- the cart honours --retries -------------------------------------------------------------


@pytest.mark.parametrize(("status", "retried"), [(503, True), (500, True), (0, True),
                                                 (417, True), (429, False)])  # fmt: skip
def test_a_transient_add_failure_names_its_site_for_a_retry(status: int, retried: bool) -> None:
    """A failed add (or no answer) carries its site; a rate limit does not (the pause waits)."""
    answer = (
        UNKNOWN_FAULT if status == 417 else Answer(status, b"", error="x" if not status else "")
    )
    verdict = cart_flow_of().read_polls([answer])
    assert [s.venue for s in verdict.slots] == (["245719"] if retried else [])


def test_of_several_sites_the_failed_one_is_named() -> None:
    verdict = cart_flow_of(SITES).read_polls([Answer(417, orjson.dumps({"faults": [
        {"msgKey": "R1-V-100017.error", "defaultMessage": "within 9 Month(s)"}]})), Answer(503)])  # fmt: skip
    assert verdict.kind is Kind.FAILURE and [s.venue for s in verdict.slots] == ["245719"]
    assert verdict.slots[0].rank == 2


@pytest.mark.parametrize("retries", [0, 1, 2, 3])
def test_a_failing_add_is_sent_again_retries_times(retries: int, waits: list[float]) -> None:
    """Every add answers 503: after the tick's own, ``--retries`` more, each backed off and
    each after a look at the cart (a 503 may have added it)."""
    io = cart_io(scripted(add=[Answer(503)], view=[EMPTY_CART]), retries=retries)
    made = cart_flow_of()
    asyncio.run(made.book(io, made.read_polls([Answer(503)])))
    assert [short(p) for p in io.sent] == ["view", "add"] * retries
    assert waits == [0.25 * n for n in range(1, retries + 1)]
    assert not io.wins and not io.terminated


def test_a_retried_add_that_goes_in_is_claimed(waits: list[float]) -> None:
    """503, then the retry is added: the cart shows our item, which wins."""
    io = cart_io(scripted(add=[ADDED], view=[EMPTY_CART, OUR_ITEM]))
    made = cart_flow_of()
    asyncio.run(made.book(io, made.read_polls([Answer(503)])))
    assert [short(p) for p in io.sent] == ["view", "add", "view"]
    assert io.wins == [("9", False)]


def test_an_add_without_a_definite_answer_is_looked_for_never_resent(waits: list[float]) -> None:
    """The 503'd add did go in: found in the cart and claimed; no add leaves again."""
    io = cart_io(scripted(view=[OUR_ITEM]))
    made = cart_flow_of()
    asyncio.run(made.book(io, made.read_polls([Answer(0, error="ReadError")])))
    assert [short(p) for p in io.sent] == ["view"]
    assert io.wins == [("9", False)] and not waits


def test_an_unsure_add_is_not_resent_when_the_cart_cannot_be_read(waits: list[float]) -> None:
    """No answer to the add, and the cart answers 502: nobody can tell whether the stay went
    in, so the retry sends nothing more (the next tick's add answers, "overlaps" if ours)."""
    for unreadable in (Answer(502), Answer(200, b"{not json")):
        io = cart_io(scripted(add=[ADDED], view=[unreadable]))
        made = cart_flow_of()
        asyncio.run(made.book(io, made.read_polls([Answer(0, error="ReadError")])))
        assert [short(p) for p in io.sent] == ["view"]
        assert not io.wins and not waits


def test_a_definite_failure_is_resent_without_a_look(waits: list[float]) -> None:
    """A 417 the cart does not know refused the add for sure: sent again at once (backed off)."""
    io = cart_io(scripted(add=[UNKNOWN_FAULT, ADDED], view=[OUR_ITEM]))
    made = cart_flow_of()
    asyncio.run(made.book(io, made.read_polls([UNKNOWN_FAULT])))
    assert [short(p) for p in io.sent] == ["add", "add", "view"]
    assert io.wins == [("9", False)] and waits == [0.25, 0.5]


def test_retrying_stops_when_the_site_is_not_open_or_taken(waits: list[float]) -> None:
    """The retry says "not released yet" (polling goes on) or, of the last site,
    "already reserved" (the job stops)."""
    not_yet = Answer(417, orjson.dumps({"faults": [{"msgKey": "R1-V-100017.error"}]}))
    io = cart_io(scripted(add=[not_yet], view=[EMPTY_CART]))
    made = cart_flow_of()
    asyncio.run(made.book(io, made.read_polls([Answer(503)])))
    assert [short(p) for p in io.sent] == ["view", "add"] and not io.terminated
    io = cart_io(scripted(add=[Answer(409)], view=[EMPTY_CART]))
    asyncio.run(made.book(io, made.read_polls([Answer(503)])))
    assert io.terminated == [cart.ALREADY_RESERVED]


def test_nothing_is_resent_once_another_attempt_has_won(waits: list[float]) -> None:
    io = cart_io(scripted(add=[ADDED], view=[EMPTY_CART]))
    io.claim_taken = True
    made = cart_flow_of()
    asyncio.run(made.book(io, made.read_polls([Answer(503)])))
    assert io.sent == []


# --- the worker hands a failed booking attempt to the flow ------------------------------------


def test_a_failed_tick_naming_its_slots_goes_to_book_quietly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A tick that failed and names slots (the cart's add) is booked again by the flow; one
    naming none is not; neither says "found" nor "every candidate failed"."""
    shared = FakeShared()
    flow_ = FakeFlow(shared)
    worker, _ = make_worker(monkeypatch, shared, flow_)
    worker.apply = lambda verdict: None  # type: ignore[method-assign]
    named = Verdict(Kind.FAILURE, 503, "HTTP 503", slots=(SLOT,))
    booked: list[Verdict] = []

    def read_poll(answer: Answer) -> Verdict:
        flow_.polled += 1
        shared.stopped = flow_.polled >= 6
        return named if flow_.polled == 2 else Verdict(Kind.FAILURE, 503, "HTTP 503")

    async def book(io: Any, verdict: Verdict) -> None:
        booked.append(verdict)

    flow_.read_poll = read_poll  # type: ignore[method-assign]
    flow_.book = book  # type: ignore[method-assign]
    run_loop(worker)
    assert booked == [named]
    kinds = {event.kind for event in worker.events.events}  # type: ignore[attr-defined]
    assert not kinds & {EventKind.FOUND, EventKind.EXHAUSTED}


def test_the_flows_see_the_policy_the_worker_reacts_by() -> None:
    spec = WorkerSpec(0, 1, EngineSettings(), ClientConfig("http://127.0.0.1:9"),
                      CartJob(CartCredentials("a", "b"), TARGET), os.getpid(), policy=SLOW)  # fmt: skip
    assert Worker(spec, FakeShared(), FakeQueue()).policy is SLOW  # type: ignore[arg-type]
