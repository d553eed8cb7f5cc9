"""The user's sentences about how a job ended: the report, ``--json`` and the log say these.

Pure functions of plain values; the engine hands over facts (an ``Outcome``, or a call
on its reporter) and never writes a sentence of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields

from booker.core.model import Status
from booker.core.results import JobResult, Outcome

INTERRUPTED = "Interrupted"
NO_WORKERS = "no worker could run the job"
REFUSED = "the service refused"
UNREACHABLE = "cannot reach the service"
WORKERS_NOT_READY = "workers could not get ready: the service did not answer"


def format_duration(seconds: float) -> str:
    """``300`` -> ``5m 0s``."""
    whole = int(seconds)
    return f"{whole // 60}m {whole % 60}s"


def describe_slot(slot: Mapping[str, str] | None) -> str:
    """``2026-12-24 19:00 Bar`` (and the venue when the slot says why it was chosen)."""
    if not slot:
        return "a slot"
    parts = (slot.get("day", ""), str(slot.get("time", ""))[:5], slot.get("type", ""))
    venue = f"at venue {slot['venue']}" if slot.get("why") and slot.get("venue") else ""
    return " ".join(part for part in (*parts, venue) if part)


def booked(
    slot: dict[str, str] | None,
    *,
    noun: str,
    reservation_id: object,
    recovered: bool,
    unconfirmed: bool,
    hold_minutes: int | None,
) -> str:
    """ "Booked ...", "Already booked ...", or for a cart item "Added to cart ..."."""
    where = "; found at the service, recorded now" if recovered else ""
    warning = (
        "; the claim could not be confirmed: check your reservations for others"
        if unconfirmed
        else ""
    )
    what = f"{describe_slot(slot)} ({noun} {reservation_id}{where}){warning}"
    if isinstance(slot, dict) and slot.get("why"):
        what += f"; {slot['why']}"
    if hold_minutes is not None:  # a cart item: held only until checkout
        head = "Already in cart" if recovered else "Added to cart"
        return f"{head}: complete checkout within {hold_minutes} minutes: {what}"
    verb = "Already booked" if recovered else "Booked"
    return f"{verb} {what}"


def dry_run(slot: dict[str, str] | None) -> str:
    """What a dry run would have booked."""
    return f"Dry run: would book {describe_slot(slot)}" + (
        f"; {slot['why']}" if isinstance(slot, dict) and slot.get("why") else ""
    )


def max_duration(max_duration_s: float) -> str:
    """``--max-duration`` ended the job."""
    return f"Max duration reached ({format_duration(max_duration_s)})"


def not_ready(base_url: str, last_failure: object | None) -> str:
    """No worker got ready: the service could not be reached (with the last warm-up failure)."""
    reason = f" (last: {last_failure})" if last_failure is not None else ""
    return f"cannot reach {base_url}: the service did not get ready{reason}"


def already_journaled(slot: str, day: str, reservation_id: str, recorded_at: str) -> str:
    """The journal already holds this job's booking: nothing was sent."""
    return (
        f"Already booked: {slot} on {day} (reservation {reservation_id}, "
        f"recorded {recorded_at}); use --force to book again"
    )


def worker_died(index: int, exit_code: int | None) -> str:
    """The supervisor goes on without a worker that died."""
    return f"worker {index} died (exit code {exit_code}); going on with the others"


def say(outcome: Outcome) -> str:
    """The one sentence of how a job ended."""
    ending = outcome.ending
    match outcome.status:
        case Status.BOOKED:
            return booked(
                outcome.slot,
                noun=ending.noun,
                reservation_id=outcome.reservation_id,
                recovered=outcome.recovered,
                unconfirmed=ending.unconfirmed,
                hold_minutes=outcome.checkout_within_min,
            )
        case Status.DRY_RUN:
            return dry_run(outcome.slot)
        case Status.FAILED:
            return ending.said if ending.said is not None else REFUSED
        case Status.NOT_BOOKED:
            return max_duration(ending.max_duration_s)
        case Status.UNREACHABLE:
            if ending.said is not None:
                return ending.said
            if ending.base_url is not None:
                return not_ready(ending.base_url, ending.last_failure)
            return UNREACHABLE
        case Status.ERROR:
            return NO_WORKERS
        case _:
            return INTERRUPTED


def worded(outcome: Outcome) -> JobResult:
    """The outcome with its sentence: what the report, ``--json`` and the journal read."""
    facts = {field.name: getattr(outcome, field.name) for field in fields(Outcome)}
    return JobResult(**facts, message=say(outcome))
