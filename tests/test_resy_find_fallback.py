"""The Resy flow switches /4/find between POST and GET after repeated 405/5xx answers."""

from __future__ import annotations

from booker.core.decide import Kind
from booker.core.wire import NO_ANSWER, Answer
from booker.providers.resy import ResyCredentials
from booker.providers.resy_flow import FIND_FALLBACK_AFTER, ResyFlow, ResyJob
from booker.providers.resy_target import ResyTarget

TARGET = ResyTarget(60029, "2026-12-24", 2, ("19:00:00",), payment_method_id=7)
EMPTY = Answer(200, b'{"results": {"venues": []}}')


def flow() -> ResyFlow:
    return ResyFlow(ResyJob(ResyCredentials("k" * 32, "token"), TARGET))


def test_post_first_then_get_at_the_first_405() -> None:
    resy = flow()
    first = resy.poll()
    assert first.method == "POST"
    assert resy.read_poll(Answer(405)).kind is Kind.FAILURE
    switched = resy.poll()
    assert switched.method == "GET" and switched.path.startswith("/4/find?")
    resy.read_poll(Answer(405))
    assert resy.poll().method == "POST"  # and back, should GET be refused too


def test_5xx_switch_only_when_repeated() -> None:
    resy = flow()
    first = resy.poll()
    for _ in range(FIND_FALLBACK_AFTER - 1):
        resy.read_poll(Answer(500))
    assert resy.poll() is first  # not yet: a bad moment does not switch
    resy.read_poll(Answer(502))
    assert resy.poll().method == "GET"


def test_5xx_switch_back_and_a_good_answer_resets_the_count() -> None:
    resy = flow()
    for _ in range(FIND_FALLBACK_AFTER):
        resy.read_poll(Answer(500))
    assert resy.poll().method == "GET"
    for status in (502, 503, 200, 500, NO_ANSWER, 500):
        resy.read_poll(EMPTY if status == 200 else Answer(status))
    assert resy.poll().method == "GET"  # the 200 reset the count; dropped answers do not count
    resy.read_poll(Answer(503))
    assert resy.poll().method == "POST"


def test_other_failures_never_switch() -> None:
    resy = flow()
    for status in (403, 404, 412, 429, 400) * 3:
        resy.read_poll(Answer(status))
    assert resy.poll().method == "POST"
