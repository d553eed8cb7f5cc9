"""The simulator's clock: real time shifted by the scenario's skew."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from wsgiref.handlers import format_date_time


@dataclass(frozen=True, slots=True)
class SimClock:
    """Wall clock plus a fixed skew; every timestamp the sim shows comes from here."""

    skew_s: float = 0.0

    def now(self) -> float:
        """Epoch seconds on the sim clock."""
        return time.time() + self.skew_s

    def http_date(self) -> str:
        """RFC 7231 IMF-fixdate for a `Date` header, stamped now."""
        return format_date_time(self.now())

    def until(self, sim_epoch: float) -> float:
        """Seconds of real time from now until `sim_epoch` on the sim clock (may be negative)."""
        return sim_epoch - self.now()


def rfc3339(epoch: float) -> str:
    """UTC RFC 3339 timestamp with a `Z` suffix, whole seconds."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
