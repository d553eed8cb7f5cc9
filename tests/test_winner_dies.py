"""A winner killed right after its claim: the supervisor reports the booking from shared memory.

Real worker processes (``fork``), no server: the flow claims at warm-up, its BOOKED event
is lost (never queued, as when the process dies before the queue's feeder thread sends it)
and the process dies at once (``os._exit``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, cast

from test_e2e_exactly_one import Silent

from booker.core.model import Booked, Slot, Status
from booker.core.ports import Job
from booker.core.settings import EngineSettings
from booker.core.wire import ClientConfig
from booker.engine.supervisor import Supervisor
from booker.output import wording

SLOT = Slot("19:00:00", "Bar", "t", "2026-12-24")


class ClaimThenDie:
    """A flow whose worker wins the claim and is killed before anything else."""

    async def warm(self, io: Any) -> bool:
        io.report = lambda kind, **data: None  # every event from here on is lost
        io.won(Booked("", SLOT, "rr://won"), 1)
        os._exit(9)


@dataclass(frozen=True)
class DyingJob:
    noun: str = "reservation"

    def flow(self) -> ClaimThenDie:
        return ClaimThenDie()


def test_a_winner_killed_before_its_event_is_sent_still_books() -> None:
    settings = EngineSettings(workers=1, max_duration_s=30)
    reporter = Silent()
    result = wording.worded(
        Supervisor(
            settings,
            ClientConfig("http://127.0.0.1:9"),
            cast(Job, DyingJob()),
            reporter,
            start_method="fork",
        ).run()
    )
    assert not any(e.kind == "booked" for e in reporter.events)
    assert result.status is Status.BOOKED, result.message
    assert result.reservation_id == "rr://won"
    assert result.slot == {"time": "19:00:00", "type": "Bar", "day": "2026-12-24"}


class ClaimOnlyThenDie:
    """Killed between the claim and its stop: only the claim (with its record) was made."""

    async def warm(self, io: Any) -> bool:
        io.shared.try_claim(io.index, Booked("9", SLOT, "rr://9").record(1, False))
        os._exit(9)


@dataclass(frozen=True)
class DyingBeforeStopJob:
    noun: str = "reservation"

    def flow(self) -> ClaimOnlyThenDie:
        return ClaimOnlyThenDie()


def test_a_winner_killed_between_claim_and_stop_still_books() -> None:
    settings = EngineSettings(workers=2, max_duration_s=30)
    result = wording.worded(
        Supervisor(
            settings,
            ClientConfig("http://127.0.0.1:9"),
            cast(Job, DyingBeforeStopJob()),  # a partial flow: it dies in warm()
            Silent(),
            start_method="fork",
        ).run()
    )
    assert (result.status, result.reservation_id) == (Status.BOOKED, "9"), result.message
