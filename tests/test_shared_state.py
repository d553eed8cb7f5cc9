"""Shared memory between supervisor and workers: the claim and the uncertain-outcome flag."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from booker.core.ports import Claim
from booker.engine import shared as shared_module
from booker.engine.shared import RECORD_BYTES, SharedState, Stop


def shared_state() -> SharedState:
    return SharedState(multiprocessing.get_context("spawn"), workers=2, concurrency=4)


def test_the_claim_has_exactly_one_winner() -> None:
    shared = shared_state()
    assert not shared.claimed and shared.winner is None
    assert shared.try_claim(1) is Claim.WON
    assert shared.try_claim(0) is Claim.LOST and shared.try_claim(1) is Claim.LOST
    assert shared.claimed and shared.winner == 1


def test_a_claim_whose_lock_cannot_be_taken_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker died holding the claim's lock: nobody may read that as "lost" (and cancel)."""
    monkeypatch.setattr(shared_module, "LOCK_TIMEOUT_S", 0.01)
    shared = shared_state()
    lock = shared._claim.get_lock()  # re-entrant: held by another thread, as by a dead worker
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            taken.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert taken.wait(5)
        assert shared.try_claim(0, {"reservation_id": "9"}) is Claim.UNKNOWN
        assert not shared.claimed and shared.winner_record() is None
    finally:
        release.set()
        holder.join()
    assert shared.try_claim(0) is Claim.WON


def test_the_winner_record_is_written_with_the_claim() -> None:
    """The supervisor reads the winner's reservation from shared memory, not from an event."""
    shared = shared_state()
    record = {"reservation_id": "rr://tok", "resy_token": "rr://tok", "attempt": 2,
              "slot": {"time": "19:00:00", "type": "Bar", "day": "2026-12-24"}}  # fmt: skip
    assert shared.winner_record() is None
    assert shared.try_claim(1, record) is Claim.WON
    assert shared.winner_record() == record
    assert shared.try_claim(0, {"reservation_id": "other"}) is Claim.LOST
    assert shared.winner_record() == record


def test_a_huge_record_keeps_its_ids() -> None:
    """A slot description too long for the buffer is left out, never the reservation."""
    shared = shared_state()
    record = {"reservation_id": "7", "slot": {"type": "x" * RECORD_BYTES}}
    assert shared.try_claim(0, record) is Claim.WON
    assert shared.winner_record() == {"reservation_id": "7"}


def test_unsure_attempts_are_counted_per_worker_and_minute() -> None:
    """Sent and not answered stays unsure; another worker's answer does not clear it."""
    shared = shared_state()
    shared.attempt_sent(0, 1140)
    shared.attempt_sent(0, 1140)
    shared.attempt_sent(1, 1170)
    shared.attempt_answered(0, 1140)
    shared.attempt_answered(0, 1170)  # worker 0 never sent 19:30: nothing to clear
    assert shared.unsure_minutes() == {1140, 1170}
    shared.attempt_answered(0, 1140)
    assert shared.unsure_minutes() == {1170}


def test_an_unknown_booking_outcome_is_remembered_for_the_whole_job() -> None:
    shared = shared_state()
    assert not shared.uncertain
    shared.mark_uncertain()
    shared.request_stop(Stop.BOOKED)
    shared.mark_uncertain()
    assert shared.uncertain
