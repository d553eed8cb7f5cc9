"""A booking crosses processes as its claim record: what a winner writes, every worker reads."""

from __future__ import annotations

import pytest

from booker.core.model import Booked, Slot
from booker.engine.worker import booked_from

SLOT = Slot("19:00:00", "Bar", "", "2026-12-24")


@pytest.mark.parametrize(
    "booked",
    [
        Booked("123", SLOT, "rr://123"),  # Resy: an id and its token
        Booked("", SLOT, "rr://only"),  # Resy answered with the token alone
        Booked("cart-item-9", SLOT),  # the cart: an id, no token
    ],
    ids=["id-and-token", "token-only", "id-only"],
)
def test_the_record_reads_back_as_the_same_booking(booked: Booked) -> None:
    """Id, token and slot survive ``Booked.record`` -> ``booked_from``; the identity too."""
    record = booked.record(attempt=2, recovered=False)
    assert record["reservation_id"] == booked.identity
    assert booked_from(record) == booked


def test_same_as_compares_tokens_when_both_have_one_else_ids() -> None:
    """Two listings of one reservation may differ in id form; the token decides."""
    winner = Booked("123", SLOT, "rr://123")
    assert winner.same_as("other-id-form", "rr://123")
    assert not winner.same_as("123", "rr://456")
    assert winner.same_as("123")
    assert not Booked("", SLOT, "rr://x").same_as("")
