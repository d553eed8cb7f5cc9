"""The Resy flow's exactly-one rules, driven with canned answers through a fake WorkerIO."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from booker.core.decide import DEFAULT_POLICY, Kind, Verdict
from booker.core.model import Booked, Slot
from booker.core.ports import Claim
from booker.core.settings import EngineSettings
from booker.net.http import Answer, Request
from booker.providers import resy
from booker.providers.resy import ResyCredentials
from booker.providers.resy_flow import ResyFlow, ResyJob
from booker.providers.resy_target import ResyTarget

TARGET = ResyTarget(60029, "2026-12-24", 2, ("19:00:00", "19:30:00"), payment_method_id=7)
SEVEN_PM = 19 * 60  # minute of the day of SLOT
SLOT = Slot(
    "19:00:00",
    "Dining Room",
    "rgs://resy/60029/1/2/2026-12-24/2026-12-24/19:00:00/2/Dining Room",
    "2026-12-24",
)


def reservation(
    rid: int, time: str = "19:00:00", day: str = "2026-12-24", seats: int = 2, venue: int = 60029
) -> dict[str, Any]:
    """One /3/user/reservations entry."""
    return {"reservation_id": rid, "resy_token": f"rr://{rid}", "day": day, "time_slot": time,
            "num_seats": seats, "venue": {"id": venue}}  # fmt: skip


def listing(*entries: dict[str, Any]) -> Answer:
    """A /3/user/reservations answer."""
    return Answer(200, orjson.dumps({"reservations": list(entries)}))


class FakeIO:
    """Answers by path; records what was sent, claimed and reported."""

    def __init__(self, answer: Callable[[str], Answer], claimed: bool = False) -> None:
        self.index = 0
        self.settings = EngineSettings(retries=2)
        self.policy = DEFAULT_POLICY
        self.answer = answer
        self.sent: list[str] = []
        self.reports: list[tuple[str, dict[str, Any]]] = []
        self.wins: list[tuple[str, bool]] = []
        self.claim_taken = claimed
        self.stopped = False
        self.concurrency = 3
        self.terminated: list[str] = []
        self.uncertain = False  # another attempt's outcome is unknown
        self.settles = True  # every request in flight settles in time
        self.unsure: dict[int, int] = {}  # minute -> attempts without an answer (any worker's)
        self.claim_outcome = Claim.WON  # what a claim that is not taken yet gives
        self.winning: Booked | None = None
        self.settle_waits: list[float] = []

    @property
    def claimed(self) -> bool:
        """Someone has booked."""
        return self.claim_taken

    async def send(self, request: Request) -> Answer:
        """Record the path, answer from the script."""
        path = request.path.partition("?")[0]
        self.sent.append(path)
        return self.answer(path)

    def apply(self, verdict: Verdict) -> None:
        """Counters are not under test here."""

    def won(self, booked: Booked, attempt: int, recovered: bool = False) -> Claim:
        """A compare-and-set on a flag (or the outcome the test set)."""
        if self.claim_taken:
            return Claim.LOST
        if self.claim_outcome is Claim.UNKNOWN:
            self.uncertain = True
            self.stopped = True
            return Claim.UNKNOWN
        self.claim_taken = True
        self.winning = booked
        self.wins.append((booked.identity, recovered))
        return Claim.WON

    def winner(self) -> Booked | None:
        """What won the claim."""
        return self.winning

    def attempt_sent(self, minute: int) -> None:
        """Count it unsure."""
        self.unsure[minute] = self.unsure.get(minute, 0) + 1

    def attempt_answered(self, minute: int) -> None:
        """Settled."""
        self.unsure[minute] -= 1

    def unsure_minutes(self) -> frozenset[int]:
        """Minutes with attempts still unsure."""
        return frozenset(m for m, n in self.unsure.items() if n > 0)

    async def settle(self, timeout_s: float) -> bool:
        """Nothing in flight here, unless told otherwise."""
        self.settle_waits.append(timeout_s)
        return self.settles

    def mark_uncertain(self) -> None:
        """Shared in the real thing; one flag here."""
        self.uncertain = True

    def found_dry_run(self, data: dict[str, Any]) -> None:
        """Not used."""

    def terminal(self, message: str) -> None:
        """Record it."""
        self.terminated.append(message)

    def report(self, kind: str, **data: Any) -> None:
        """Record it."""
        self.reports.append((kind, data))


def flow(allow_multiple: bool = False, force: bool = False) -> ResyFlow:
    """A flow for TARGET, with a snapshot of reservation 1 held before the run."""
    job = ResyJob(
        ResyCredentials("k" * 32, "token"), TARGET, allow_multiple=allow_multiple, force=force
    )
    made = job.flow()
    made.before = frozenset({"1"})
    return made


def booking_script(book: Answer, reservations: Answer) -> Callable[[str], Answer]:
    """Details give a token, /3/book answers ``book``, reservations answer ``reservations``."""

    def answer(path: str) -> Answer:
        if path == "/3/details":
            return Answer(200, b'{"book_token": {"value": "bt-1"}}')
        if path == "/3/book":
            return book
        if path == "/3/user/reservations":
            return reservations
        if path == "/3/cancel":
            return Answer(200, b"{}")
        raise AssertionError(path)

    return answer


FOUND = Verdict(Kind.FOUND, 200, slots=(SLOT,))
WINNER = Answer(201, b'{"reservation_id": 10, "resy_token": "rr://10"}')


@pytest.mark.parametrize("why", ["outcome unknown", "not settled"])
@pytest.mark.parametrize(("allow_multiple", "cancels"), [(False, 1), (True, 0)])
def test_winner_sweeps_new_extra_reservations(allow_multiple: bool, cancels: int, why: str) -> None:
    """When some attempt's fate is unknown, the winner cancels new reservations but its own."""
    extras = listing(
        reservation(1), reservation(10), reservation(11), reservation(12, day="2026-12-25")
    )
    io = FakeIO(booking_script(WINNER, extras))
    io.unsure[SEVEN_PM] = 1  # another worker's attempt at 19:00 got no answer
    if why == "outcome unknown":
        io.uncertain = True  # as another worker's lost /3/book answer leaves it
    else:
        io.settles = False  # a request still on the wire (a dead worker's, say)
    asyncio.run(flow(allow_multiple).book(io, FOUND))
    assert io.wins == [("10", False)]
    assert io.sent.count("/3/cancel") == cancels
    duplicates = [data["reservation_id"] for kind, data in io.reports if kind == "duplicate"]
    assert duplicates == (["11"] if cancels else [])


def test_a_clean_win_sends_nothing_after_the_booking() -> None:
    """Every attempt answered and settled: no sweep, the 201 is the last request of the run."""
    io = FakeIO(booking_script(WINNER, listing(reservation(1), reservation(10), reservation(11))))
    asyncio.run(flow().book(io, FOUND))
    assert io.wins == [("10", False)]
    assert io.sent == ["/3/details", "/3/book"]


@pytest.mark.parametrize("status", [0, 500, 503])
def test_a_booking_without_a_definite_answer_makes_the_winner_sweep(status: int) -> None:
    """A lost answer or a server error on /3/book may hide a reservation: it is looked for."""
    answers = iter([Answer(status, error="ReadError" if not status else ""), WINNER])
    extras = listing(reservation(1), reservation(10), reservation(11))
    script = booking_script(WINNER, extras)
    io = FakeIO(lambda p: next(answers) if p == "/3/book" else script(p))
    asyncio.run(flow().book(io, FOUND))
    assert io.uncertain
    assert io.wins == [("10", False)]
    assert io.sent[-2:] == ["/3/user/reservations", "/3/cancel"]
    # the winner waits for attempts on the wire as long as a /3/book may take to answer
    assert io.settle_waits and min(io.settle_waits) >= resy.BOOK_TIMEOUT_S


@pytest.mark.parametrize(("allow_multiple", "cancels"), [(False, 1), (True, 0)])
def test_a_success_after_someone_else_won_is_cancelled(allow_multiple: bool, cancels: int) -> None:
    """A booking that lands after another attempt claimed the win is cancelled at once."""
    io = FakeIO(booking_script(WINNER, listing()), claimed=False)
    original_send = io.send

    async def send_then_lose(request: Request) -> Answer:
        answer = await original_send(request)
        if request.path == "/3/book":
            io.claim_taken = True  # another worker won while ours was on the wire
        return answer

    io.send = send_then_lose  # type: ignore[method-assign]
    asyncio.run(flow(allow_multiple).book(io, FOUND))
    assert io.wins == []
    assert io.sent.count("/3/cancel") == cancels


def test_no_booking_request_leaves_once_claimed() -> None:
    """With the claim already taken, /3/book is never sent."""
    io = FakeIO(booking_script(WINNER, listing()), claimed=True)
    asyncio.run(flow().book(io, FOUND))
    assert "/3/book" not in io.sent


def test_a_lost_answer_is_checked_before_any_resend() -> None:
    """No answer to /3/book: the reservations list shows it went through; it is not sent again."""
    io = FakeIO(
        booking_script(Answer(0, error="ReadError"), listing(reservation(1), reservation(10)))
    )
    asyncio.run(flow().book(io, FOUND))
    assert io.sent.count("/3/book") == 1
    assert io.wins == [("10", False)]


def test_gone_slots_move_on_and_failures_retry() -> None:
    """412 moves to the next slot at once; a 500 is retried up to --retries."""
    statuses = iter([500, 500, 500])
    io = FakeIO(booking_script(Answer(412), listing()))
    asyncio.run(flow().book(io, FOUND))
    assert io.sent.count("/3/book") == 1
    io = FakeIO(
        lambda p: Answer(next(statuses)) if p == "/3/book" else booking_script(WINNER, listing())(p)
    )
    asyncio.run(flow().book(io, FOUND))
    assert io.sent.count("/3/book") == 3  # first try + 2 retries


@pytest.mark.parametrize(("force", "recovered"), [(False, True), (True, False)])
def test_warm_up_finds_an_earlier_runs_reservation(force: bool, recovered: bool) -> None:
    """A reservation for the job already held at warm-up is claimed as recovered (unless --force)."""

    def answer(path: str) -> Answer:
        if path == "/2/user":
            return Answer(200, b'{"payment_methods": [{"id": 7, "is_default": true}]}')
        if path == "/3/venue":
            return Answer(200, b'{"name": "V", "location": {"time_zone": "UTC"}}')
        return listing(reservation(55))

    io = FakeIO(answer)
    ready = asyncio.run(flow(force=force).warm(io))
    assert ready is force
    assert io.wins == ([("55", True)] if recovered else [])


def test_workers_deal_tables_of_the_same_time() -> None:
    """Time order is kept; within one time, worker k starts k tables further."""
    from booker.providers.resy_flow import deal

    slots = tuple(Slot(t, kind, f"{t}-{kind}") for t in ("19:00:00", "19:30:00") for kind in "ABC")
    assert [s.token for s in deal(slots, 0)] == [s.token for s in slots]
    assert [s.token for s in deal(slots, 1)][:3] == ["19:00:00-B", "19:00:00-C", "19:00:00-A"]
    assert [s.time for s in deal(slots, 4)] == [s.time for s in slots]


def test_no_details_request_once_claimed() -> None:
    """Once any attempt has booked, the flow sends no more /3/details."""
    io = FakeIO(booking_script(WINNER, listing()), claimed=True)
    asyncio.run(flow().book(io, FOUND))
    assert io.sent == []


def test_warm_up_retries_a_failure_and_reports_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """/2/user failing twice (503) is tried again; one warm_failed report, then ready."""
    monkeypatch.setattr("booker.providers.base.WARM_RETRY_S", 0.0)
    users = iter([Answer(503), Answer(503)])

    def answer(path: str) -> Answer:
        if path == "/2/user":
            return next(users, Answer(200, b'{"payment_methods": [{"id": 7, "is_default": true}]}'))
        if path == "/3/venue":
            return Answer(200, b'{"name": "V", "location": {"time_zone": "UTC"}}')
        return listing()

    io = FakeIO(answer)
    assert asyncio.run(flow().warm(io)) is True
    assert io.sent.count("/2/user") == 3
    assert [kind for kind, _ in io.reports].count("warm_failed") == 1
    assert io.reports[-1][0] == "ready"


def test_warm_up_gives_up_when_the_job_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stop while /2/user keeps failing ends the warm-up with False, no terminal error."""
    monkeypatch.setattr("booker.providers.base.WARM_RETRY_S", 0.0)
    io = FakeIO(lambda path: Answer(503))
    original_send = io.send

    async def send_then_stop(request: Request) -> Answer:
        io.stopped = len(io.sent) >= 2
        return await original_send(request)

    io.send = send_then_stop  # type: ignore[method-assign]
    assert asyncio.run(flow().warm(io)) is False
    assert io.terminated == []


# --- issue 13: answers that do not say what they booked, the owner's own reservations ----------

UNREADABLE_2XX = [
    Answer(201, b"{}"),
    Answer(201, b'{"resy_token": null, "reservation_id": null}'),
    Answer(201, b'{"reservation_id": 10}'),
    Answer(201, b'{"resy_token": "rr://1'),
    Answer(200, b'{"status": 500, "message": "Internal Server Error"}'),
]


@pytest.mark.parametrize("book", UNREADABLE_2XX)
def test_a_2xx_without_a_reservation_is_looked_for_not_booked_again(book: Answer) -> None:
    """A 2xx naming no reservation may have booked: the list shows it, /3/book is not resent."""
    io = FakeIO(booking_script(book, listing(reservation(1), reservation(10))))
    asyncio.run(flow().book(io, FOUND))
    assert io.sent.count("/3/book") == 1
    assert io.uncertain
    assert io.wins == [("10", False)]
    assert "/3/cancel" not in io.sent


@pytest.mark.parametrize("book", UNREADABLE_2XX)
def test_a_2xx_without_a_reservation_not_found_stays_unsure(book: Answer) -> None:
    """Not in the list (yet): retried like a failure, and its minute stays unsure for the sweep."""
    io = FakeIO(booking_script(book, listing(reservation(1))))
    asyncio.run(flow().book(io, FOUND))
    assert io.sent.count("/3/book") == 3  # first try + 2 retries, each checked first
    assert io.sent.count("/3/user/reservations") == 3
    assert io.unsure_minutes() == {SEVEN_PM}
    assert io.wins == []


def test_a_2xx_with_only_a_resy_token_is_a_booking_named_by_its_token() -> None:
    """``{"resy_token": ...}`` alone books; the token is the reservation's identity."""
    io = FakeIO(booking_script(Answer(201, b'{"resy_token": "rr://only"}'), listing()))
    asyncio.run(flow().book(io, FOUND))
    assert io.wins == [("rr://only", False)]
    assert io.sent == ["/3/details", "/3/book"]
    assert io.unsure_minutes() == frozenset()


def test_a_token_only_duplicate_is_cancelled_by_its_token() -> None:
    """A token-only success after someone else won is cancelled with that token."""
    io = FakeIO(booking_script(Answer(201, b'{"resy_token": "rr://only"}'), listing()))
    original_send = io.send
    cancelled: list[bytes] = []

    async def send(request: Request) -> Answer:
        answer = await original_send(request)
        if request.path == "/3/book":
            io.claim_taken = True
        if request.path == "/3/cancel":
            cancelled.append(request.body or b"")
        return answer

    io.send = send  # type: ignore[method-assign]
    asyncio.run(flow().book(io, FOUND))
    assert cancelled == [b"resy_token=rr%3A%2F%2Fonly"]
    assert [d["reservation_id"] for k, d in io.reports if k == "duplicate"] == ["rr://only"]


def test_the_sweep_cancels_only_what_an_unsure_attempt_may_have_made() -> None:
    """Never the owner's own: other time, other party, other venue, other day, held before,
    or a wanted time no attempt is unsure about."""
    owners = [
        reservation(20, time="21:30:00"),  # the owner's own dinner, made by hand during the run
        reservation(21, time="19:30:00"),  # a wanted time, but nothing was sent for it unsure
        reservation(22, seats=4),  # another party
        reservation(23, venue=1),  # another venue
        reservation(24, day="2026-12-25"),  # another day
        reservation(1),  # held before the run
    ]
    io = FakeIO(booking_script(WINNER, listing(*owners, reservation(10), reservation(11))))
    io.unsure[SEVEN_PM] = 1  # another worker's 19:00 attempt lost its answer
    io.uncertain = True
    asyncio.run(flow().book(io, FOUND))
    assert io.wins == [("10", False)]
    assert [d["reservation_id"] for k, d in io.reports if k == "duplicate"] == ["11"]
    assert io.sent.count("/3/cancel") == 1


def test_an_unsure_attempt_never_takes_or_cancels_the_winners_reservation() -> None:
    """Another worker won with 10 at 19:00; our lost answer finds only 10: nothing to do."""
    io = FakeIO(booking_script(Answer(0, error="ReadError"), listing(reservation(10))))
    io.winning = Booked("10", SLOT, "rr://10")
    original_send = io.send

    async def send(request: Request) -> Answer:
        answer = await original_send(request)
        if request.path == "/3/book":
            io.claim_taken = True  # the other worker's claim landed while ours was on the wire
        return answer

    io.send = send  # type: ignore[method-assign]
    asyncio.run(flow().book(io, FOUND))
    assert "/3/cancel" not in io.sent
    assert io.wins == []


def test_a_claim_that_times_out_cancels_nothing() -> None:
    """UNKNOWN claim: the booking is kept, no cancel, no sweep; the outcome is uncertain."""
    extras = listing(reservation(1), reservation(10), reservation(11))
    io = FakeIO(booking_script(WINNER, extras))
    io.claim_outcome = Claim.UNKNOWN
    io.unsure[SEVEN_PM] = 1
    asyncio.run(flow().book(io, FOUND))
    assert io.sent == ["/3/details", "/3/book"]
    assert io.uncertain


def warm_script(*held: dict[str, Any]) -> Callable[[str], Answer]:
    """/2/user and /3/venue answer; the account holds ``held``; cancels succeed."""

    def answer(path: str) -> Answer:
        if path == "/2/user":
            return Answer(200, b'{"payment_methods": [{"id": 7, "is_default": true}]}')
        if path == "/3/venue":
            return Answer(200, b'{"name": "V", "location": {"time_zone": "UTC"}}')
        if path == "/3/cancel":
            return Answer(200, b"{}")
        return listing(*held)

    return answer


@pytest.mark.parametrize(("allow_multiple", "cancels"), [(False, 1), (True, 0)])
def test_recovery_keeps_one_of_several_and_cancels_the_rest(
    allow_multiple: bool, cancels: int
) -> None:
    """A run killed with two bookings in flight left two: the best time is kept."""
    io = FakeIO(warm_script(reservation(31, "19:30:00"), reservation(30, "19:00:00")))
    assert asyncio.run(flow(allow_multiple).warm(io)) is False
    assert io.wins == [("30", True)]
    assert io.sent.count("/3/cancel") == cancels
    reported = [(d["reservation_id"], d["cancelled"]) for k, d in io.reports if k == "duplicate"]
    assert reported == [("31", not allow_multiple)]


@pytest.mark.parametrize(
    "held",
    [
        reservation(40, time="12:00:00", seats=4),  # a party-of-4 lunch
        reservation(41, time="12:00:00"),  # a lunch for two: not a wanted time
        reservation(42, seats=4),  # the wanted time, another party
        reservation(43, venue=1),  # another venue
    ],
)
def test_recovery_takes_only_this_jobs_reservations(held: dict[str, Any]) -> None:
    """Venue, day, party and a wanted time must all match; the rest is the owner's."""
    io = FakeIO(warm_script(held))
    assert asyncio.run(flow().warm(io)) is True
    assert io.wins == []
    assert "/3/cancel" not in io.sent
