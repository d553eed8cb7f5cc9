"""Scripted pressure: fault windows around the release and a per-client token bucket."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from booker.sim.scenario import Fault, RateLimit


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the fault plan does to one request: extra latency, then maybe a fault."""

    delay_s: float = 0.0
    fault: Fault | None = None
    answer_delays: tuple[Fault, ...] = ()  # slow faults applied to the answer, by its status

    def answer_delay_s(self, status: int) -> float:
        """Extra latency for an answer with ``status``, added after the app ran."""
        return sum(f.delay_ms for f in self.answer_delays if status in f.statuses) / 1000.0

    @property
    def label(self) -> str | None:
        """The ledger's name for what happened, None when nothing did."""
        if self.fault is not None:
            return fault_label(self.fault)
        return "slow" if self.delay_s > 0 else None


NO_FAULT = Verdict()


def fault_label(fault: Fault) -> str:
    """'429-window' for status faults, else the kind."""
    return f"{fault.status}-window" if fault.kind == "status" else fault.kind


class FaultPlan:
    """Picks the faults that apply to a request at a given sim time."""

    def __init__(self, faults: Sequence[Fault], release_at: float, rng: random.Random) -> None:
        self.faults = tuple(faults)
        self.release_at = release_at
        self.rng = rng
        self._used = [0] * len(self.faults)  # how often each fault applied (for `times`)

    def decide(self, path: str, now: float) -> Verdict:
        """Slow faults add up; the first other matching fault ends the request."""
        if not self.faults:
            return NO_FAULT
        delay = 0.0
        later: list[Fault] = []
        for index, fault in enumerate(self.faults):
            if not self._applies(fault, path, now):
                continue
            if fault.times:
                if self._used[index] >= fault.times:
                    continue
                self._used[index] += 1
            if fault.kind == "slow" and fault.statuses:
                later.append(fault)
            elif fault.kind == "slow":
                delay += fault.delay_ms / 1000.0
            else:
                return Verdict(delay, fault, tuple(later))
        return Verdict(delay, None, tuple(later)) if delay or later else NO_FAULT

    def _applies(self, fault: Fault, path: str, now: float) -> bool:
        if fault.paths and path not in fault.paths:
            return False
        offset = now - self.release_at
        if fault.start_s is not None and offset < fault.start_s:
            return False
        if fault.end_s is not None and offset >= fault.end_s:
            return False
        return fault.probability >= 1.0 or self.rng.random() < fault.probability


class RateLimiter:
    """Token bucket per client key, refilled on the monotonic clock."""

    def __init__(self, limit: RateLimit) -> None:
        self.rate = limit.rate_per_s
        self.burst = float(limit.burst)
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        """Spend one token for `key`; False when its bucket is empty."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        return True
