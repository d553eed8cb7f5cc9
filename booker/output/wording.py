"""The user's sentences about how a job ended: the report, ``--json`` and the log say these.

Pure functions of plain values; the engine hands over facts (``engine.results``) and
never writes a sentence of its own.
"""

from __future__ import annotations

from collections.abc import Mapping

INTERRUPTED = "Interrupted"
NO_WORKERS = "no worker could run the job"
REFUSED = "the service refused"
UNREACHABLE = "cannot reach the service"


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
