"""The decision core: what to do with each answer. Pure: no I/O, no clock, no randomness.

Everything that affects how booker reacts to the service lives here:

* an answer is first classified (by its provider) into a ``Verdict`` of one ``Kind``;
* ``react`` folds a verdict into the job's shared ``Counters`` and returns a
  ``Reaction``: pause everyone, reduce concurrency, warn, or stop;
* ``next_booking_step`` decides what a booking attempt does after each answer.

Rules (whole job, all workers together):

=============  ============================================================
Kind           reaction
=============  ============================================================
EXPECTED       nothing yet: reset throttle and failure counters
FOUND, BOOKED  success: reset counters
THROTTLE       pause everyone 1-2 s (or the Retry-After asked, if longer, up to 5 s);
               every 10 in a row drop concurrency by 1
FAILURE        count; warn when 20 in a row is reached (the status line keeps it)
GONE           that slot is gone: next candidate (counters untouched)
TERMINAL       stop the whole job, exit 3
UNKNOWN        a booking answer that may have booked: counted like FAILURE;
               the flow looks for the reservation before it sends again
=============  ============================================================
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from booker.core.model import Booked, Slot


class Kind(enum.Enum):
    """The class of an answer, as far as the engine cares."""

    EXPECTED = "expected"
    FOUND = "found"
    THROTTLE = "throttle"
    FAILURE = "failure"
    TERMINAL = "terminal"
    GONE = "gone"
    BOOKED = "booked"
    UNKNOWN = "unknown"  # a booking answered 2xx without naming the reservation


@dataclass(frozen=True, slots=True)
class Verdict:
    """A classified answer, with what it carried that the engine needs next."""

    kind: Kind
    status: int
    reason: str = ""
    slots: tuple[Slot, ...] = ()
    book_token: str = ""
    booked: Booked | None = None
    retry_after_s: float | None = None  # THROTTLE: how long the service asked us to wait


@dataclass(frozen=True, slots=True)
class Policy:
    """Tunable rules of the core, as a value."""

    pause_min_s: float = 1.0
    pause_max_s: float = 2.0
    retry_after_max_s: float = 5.0  # a longer Retry-After is cut to this: the drop will not wait
    throttles_per_reduction: int = 10
    failure_warning_at: int = 20
    min_concurrency: int = 1
    booking_backoff_s: float = 0.02

    def backoff_s(self, attempt: int) -> float:
        """How long to wait before attempt ``attempt + 1`` of one booking call: growing."""
        return self.booking_backoff_s * (attempt + 1)


DEFAULT_POLICY = Policy()


@dataclass(frozen=True, slots=True)
class Counters:
    """The job-wide state the core reads and writes (kept in shared memory)."""

    throttles: int = 0
    failures: int = 0
    concurrency: int = 1


@dataclass(frozen=True, slots=True)
class Reaction:
    """What the engine must do after a verdict."""

    counters: Counters
    pause_s: float = 0.0
    reduced_to: int | None = None
    warning: str | None = None
    stop: str | None = None  # message for a terminal stop


def failure_warning(count: int) -> str:
    """The persistent warning shown while failures keep coming."""
    return f"{count}+ failures: check credentials or the site"


def react(
    counters: Counters, verdict: Verdict, draw: float, policy: Policy = DEFAULT_POLICY
) -> Reaction:
    """Fold one verdict into the counters. ``draw`` in [0, 1) picks the pause length."""
    kind = verdict.kind
    if kind in (Kind.EXPECTED, Kind.FOUND, Kind.BOOKED):
        return Reaction(replace(counters, throttles=0, failures=0))
    if kind is Kind.GONE:
        return Reaction(counters)
    if kind is Kind.TERMINAL:
        return Reaction(counters, stop=verdict.reason or f"service refused (HTTP {verdict.status})")
    if kind is Kind.THROTTLE:
        pause = policy.pause_min_s + (policy.pause_max_s - policy.pause_min_s) * min(
            max(draw, 0.0), 1.0
        )
        if verdict.retry_after_s is not None:
            pause = max(pause, min(verdict.retry_after_s, policy.retry_after_max_s))
        throttles = counters.throttles + 1
        if throttles < policy.throttles_per_reduction:
            return Reaction(replace(counters, throttles=throttles), pause_s=pause)
        lowered = max(policy.min_concurrency, counters.concurrency - 1)
        reduced = lowered if lowered < counters.concurrency else None
        return Reaction(
            replace(counters, throttles=0, concurrency=lowered), pause_s=pause, reduced_to=reduced
        )
    failures = counters.failures + 1
    warning = (
        failure_warning(policy.failure_warning_at)
        if failures == policy.failure_warning_at
        else None
    )
    return Reaction(replace(counters, failures=failures), warning=warning)


def is_quiet(counters: Counters, verdict: Verdict) -> bool:
    """True when ``react`` would change nothing: the lock-free fast path."""
    return (
        verdict.kind in (Kind.EXPECTED, Kind.FOUND, Kind.GONE)
        and counters.throttles == 0
        and counters.failures == 0
    )


class Step(enum.Enum):
    """What a booking attempt does after an answer."""

    DONE = "done"  # booked
    NEXT = "next"  # move to the next candidate slot
    RETRY = "retry"  # same slot again after a short backoff
    STOP = "stop"  # terminal: the whole job stops


@dataclass(frozen=True, slots=True)
class BookingStep:
    """The step and, for RETRY, how long to wait first."""

    step: Step
    wait_s: float = 0.0


def next_booking_step(
    verdict: Verdict, attempt: int, retries: int, policy: Policy = DEFAULT_POLICY
) -> BookingStep:
    """Decide after answer number ``attempt`` (0-based) for one candidate slot."""
    kind = verdict.kind
    if kind is Kind.BOOKED:
        return BookingStep(Step.DONE)
    if kind is Kind.TERMINAL:
        return BookingStep(Step.STOP)
    if kind in (Kind.GONE, Kind.EXPECTED, Kind.FOUND):
        return BookingStep(Step.NEXT)
    if attempt >= retries:
        return BookingStep(Step.NEXT)
    return BookingStep(Step.RETRY, policy.backoff_s(attempt))
