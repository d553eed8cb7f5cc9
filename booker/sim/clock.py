"""The simulator's clock: real time shifted by the scenario's skew."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from wsgiref.handlers import format_date_time

DATE_LIES = ("none", "fixed", "offset", "jumping")


@dataclass(frozen=True, slots=True)
class DateLie:
    """How the ``Date`` header lies (a misbehaving server or proxy); the sim's own clock does not.

    ``fixed``: always ``epoch``; ``offset``: the true sim time shifted by ``offset_s``
    (e.g. decades ahead); ``jumping``: successive answers cycle through +``jump_s``,
    -``jump_s`` and the truth.
    """

    kind: str = "none"
    epoch: float = 0.0
    offset_s: float = 0.0
    jump_s: float = 3600.0

    def stamp(self, now: float, answer: int) -> float:
        """The epoch second the ``answer``-th Date header shows when the sim clock reads ``now``."""
        match self.kind:
            case "fixed":
                return self.epoch
            case "offset":
                return now + self.offset_s
            case "jumping":
                return now + (self.jump_s, -self.jump_s, 0.0)[answer % 3]
        return now


@dataclass(frozen=True, slots=True)
class SimClock:
    """Wall clock plus a fixed skew; every timestamp the sim shows comes from here."""

    skew_s: float = 0.0
    date_lie: DateLie = DateLie()
    _answers: itertools.count[int] = field(default_factory=itertools.count, compare=False)

    def now(self) -> float:
        """Epoch seconds on the sim clock."""
        return time.time() + self.skew_s

    def http_date(self) -> str:
        """RFC 7231 IMF-fixdate for a `Date` header, stamped now (or the scenario's lie)."""
        return format_date_time(self.date_lie.stamp(self.now(), next(self._answers)))

    def until(self, sim_epoch: float) -> float:
        """Seconds of real time from now until `sim_epoch` on the sim clock (may be negative)."""
        return sim_epoch - self.now()


def rfc3339(epoch: float) -> str:
    """UTC RFC 3339 timestamp with a `Z` suffix, whole seconds."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
