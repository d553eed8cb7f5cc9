"""Both flows retry a booking as ``--retries`` says and back off as the job's Policy says."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator

import orjson
import pytest
from test_resy_flow import FOUND, FakeIO, booking_script, flow, listing
from test_worker_loop import FakeQueue, FakeShared

from booker.core.decide import Kind, Policy, Verdict
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


def test_the_flows_see_the_policy_the_worker_reacts_by() -> None:
    spec = WorkerSpec(0, 1, EngineSettings(), ClientConfig("http://127.0.0.1:9"),
                      CartJob(CartCredentials("a", "b"), TARGET), os.getpid(), policy=SLOW)  # fmt: skip
    assert Worker(spec, FakeShared(), FakeQueue()).policy is SLOW  # type: ignore[arg-type]
