"""The shared vocabulary of the engine and the providers: both import it, it imports neither.

A provider's *flow* knows its service's sequence of calls (warm, poll, book); it
builds requests and reads answers with pure functions and performs I/O only
through the ``WorkerIO`` the engine hands it. The engine knows nothing about any
service: it runs a ``Job``'s flow in every worker and hears back ``Event``s.

Outside a drop a provider offers one more thing: a ``Probe`` of its credentials,
which ``booker ping`` and ``booker check`` send and time (``booker.oneshot.ping``).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from booker.core.decide import Policy, Verdict
from booker.core.model import Booked
from booker.core.settings import EngineSettings
from booker.core.wire import Answer, Request


class EventKind(enum.StrEnum):
    """What an event says (its value is what logs and ``--json`` show)."""

    READY = "ready"
    VENUE = "venue"
    FOUND = "found"
    BOOKED = "booked"
    UNCLAIMED = "unclaimed"  # booked, but the claim's outcome is unknown: kept, never cancelled
    DRY_RUN = "dry_run"
    DUPLICATE = "duplicate"
    PAUSED = "paused"
    REDUCED = "reduced"
    WARNING = "warning"
    TERMINAL = "terminal"
    WARM_FAILED = "warm_failed"
    EXHAUSTED = "exhausted"
    CLOCK = "clock"
    UNREACHABLE = "unreachable"  # the service cannot be reached in a way no retry clears


@dataclass(frozen=True, slots=True)
class Event:
    """Something a worker wants the user (and the log) to know (reporting only:
    coordination is shared memory)."""

    kind: EventKind
    worker: int
    at: float  # time.monotonic()
    data: dict[str, Any] = field(default_factory=dict)


class Claim(enum.Enum):
    """What a claim attempt learned."""

    WON = "won"  # this attempt is the one that counts
    LOST = "lost"  # another attempt had claimed first
    UNKNOWN = "unknown"  # the claim's lock could not be taken: nobody knows who won


@dataclass(frozen=True, slots=True)
class JobIdentity:
    """Provider, venue, day and party: the same job run twice has the same identity."""

    provider: str
    venue: str
    day: str
    party: int | None = None
    extra: tuple[object, ...] = ()

    @property
    def parts(self) -> tuple[object, ...]:
        """What the journal's job key is made of."""
        return (self.venue, self.day, self.party, *self.extra)


class WorkerIO(Protocol):
    """What a worker offers a flow: counted sends, shared decisions and reports."""

    index: int
    settings: EngineSettings
    policy: Policy  # the job's rules: ``apply`` reacts by them, a flow's booking backs off by them

    @property
    def stopped(self) -> bool:
        """The job is stopping: start nothing new."""

    @property
    def claimed(self) -> bool:
        """Some attempt has already booked: send no new booking request."""

    @property
    def concurrency(self) -> int:
        """The active concurrency."""

    async def send(self, request: Request) -> Answer:
        """Send one request, counted and within the in-flight budget."""

    def apply(self, verdict: Verdict) -> None:
        """Fold a verdict into the shared counters (pause, reduce, warn, stop)."""

    def won(self, booked: Booked, attempt: int, recovered: bool = False) -> Claim:
        """Claim the booking: WON when this attempt is the one that counts, LOST when another
        is, UNKNOWN when nobody can tell (then the job stops and nothing is cancelled).

        ``recovered``: not booked now but found at the service (an earlier run's).
        """

    def winner(self) -> Booked | None:
        """The reservation that won the claim (read from shared memory), None before."""

    def attempt_sent(self, minute: int) -> None:
        """A booking request for a slot at ``minute`` of the day is about to leave.

        It stays "unsure" (the sweep may cancel a reservation at that minute) until
        ``attempt_answered``; a worker that dies leaves it unsure.
        """

    def attempt_answered(self, minute: int) -> None:
        """That booking request got a definite answer."""

    def unsure_minutes(self) -> frozenset[int]:
        """Minutes of the day of every booking request (any worker's) without an answer."""

    async def settle(self, timeout_s: float) -> bool:
        """Wait until no worker has a request in flight; False if ``timeout_s`` passed first."""

    @property
    def uncertain(self) -> bool:
        """Some booking attempt (any worker's) ended without a definite answer."""

    def mark_uncertain(self) -> None:
        """This booking attempt ended without a definite answer: it may have gone through."""

    def found_dry_run(self, data: dict[str, Any]) -> None:
        """A dry run found what it would have booked: stop the job."""

    def terminal(self, message: str) -> None:
        """Stop the whole job: the service refused for good."""

    def report(self, kind: EventKind, **data: Any) -> None:
        """Tell the supervisor (and the user)."""


class Flow(Protocol):
    """A provider's sequence of calls."""

    async def warm(self, io: WorkerIO) -> bool:
        """Open and warm the connection, check credentials; False when the job cannot go on."""

    def probe(self) -> Request:
        """A cheap request: keeps the connection alive and reads the service's clock."""

    def polls(self) -> tuple[Request, ...]:
        """Every tick's requests (one per day and venue, or per site): the same tuple
        until the flow switches to others."""

    def read_poll(self, answer: Answer) -> Verdict:
        """Classify a poll answer (a tick of one request)."""

    def read_polls(self, answers: list[Answer]) -> Verdict:
        """Classify one tick's answers, in the order of ``polls``, as one verdict. Where a
        poll is itself the booking attempt (the cart's add), a tick that failed transiently
        names the ``slots`` it tried, and goes to ``book`` like a find."""

    async def book(self, io: WorkerIO, verdict: Verdict) -> None:
        """A poll found something (or its booking attempt failed transiently, naming
        ``verdict.slots``): try to book it, retrying as ``io.settings.retries`` and the
        backoff of ``io.policy`` say."""


class Job(Protocol):
    """A provider's job description (frozen, pickled into every worker): one flow per worker."""

    @property
    def noun(self) -> str:
        """What a win is called ("reservation", "cart item")."""

    def flow(self) -> Flow:
        """A fresh flow."""

    def identity(self) -> JobIdentity:
        """Provider, venue, day and party: the journal's key for this job."""


@dataclass(frozen=True, slots=True)
class Probe:
    """A provider's credentials check: one request, and how to read its answer."""

    provider: str
    request: Request
    classify: Callable[[Answer], Verdict]  # EXPECTED when the credentials are accepted
