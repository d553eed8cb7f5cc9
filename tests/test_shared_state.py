"""Shared memory between supervisor and workers: the claim and the uncertain-outcome flag."""

from __future__ import annotations

import multiprocessing

from booker.engine.shared import SharedState, Stop


def shared_state() -> SharedState:
    return SharedState(multiprocessing.get_context("spawn"), workers=2, concurrency=4)


def test_the_claim_has_exactly_one_winner() -> None:
    shared = shared_state()
    assert not shared.claimed and shared.winner is None
    assert shared.try_claim(1)
    assert not shared.try_claim(0) and not shared.try_claim(1)
    assert shared.claimed and shared.winner == 1


def test_an_unknown_booking_outcome_is_remembered_for_the_whole_job() -> None:
    shared = shared_state()
    assert not shared.uncertain
    shared.mark_uncertain()
    shared.request_stop(Stop.BOOKED)
    shared.mark_uncertain()
    assert shared.uncertain
