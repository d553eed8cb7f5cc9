"""Engine settings: one frozen value, validated against documented ranges."""

from __future__ import annotations

from dataclasses import dataclass, fields

from booker.core.exceptions import UsageError


@dataclass(frozen=True, slots=True)
class Bound:
    """The allowed range of one numeric setting and its default."""

    low: float
    high: float
    default: float
    unit: str = ""

    def check(self, name: str, value: float) -> None:
        """Refuse ``value`` outside the range with a message naming the range."""
        if not self.low <= value <= self.high:
            unit = f" {self.unit}" if self.unit else ""
            raise UsageError(
                f"{name} must be between {self.low:g} and {self.high:g}{unit} (got {value:g})"
            )


BOUNDS: dict[str, Bound] = {
    "cadence_ms": Bound(50, 5000, 100, "ms"),
    "concurrency": Bound(1, 10, 3),
    "max_duration_s": Bound(30, 600, 300, "s"),
    "retries": Bound(0, 10, 3),
    "workers": Bound(1, 16, 0),  # 0 = min(concurrency, CPU count)
    "prewarm_s": Bound(1, 120, 10, "s"),  # start connections this long before --at
    "lead_ms": Bound(0, 5000, 500, "ms"),  # first poll this long before --at
}

OPTION_NAMES: dict[str, str] = {
    "cadence_ms": "--cadence-ms",
    "concurrency": "--concurrency",
    "max_duration_s": "--max-duration",
    "retries": "--retries",
    "workers": "--workers",
    "prewarm_s": "--prewarm-secs",
    "lead_ms": "--lead-ms",
}

CONNECT_TIMEOUT_S = 0.5
REQUEST_TIMEOUT_S = 2.0
BOOKING_TIMEOUT_S = 10.0  # a booking call may commit slowly: a short deadline would lose one
POOL_CONNECTIONS = 10
KEEPALIVE_EXPIRY_S = 90.0


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """How hard and how long a booking job runs."""

    cadence_ms: int = 100
    concurrency: int = 3
    max_duration_s: int = 300
    retries: int = 3
    workers: int = 0
    prewarm_s: int = 10
    lead_ms: int = 500
    dry_run: bool = False
    connect_timeout_s: float = CONNECT_TIMEOUT_S
    request_timeout_s: float = REQUEST_TIMEOUT_S

    def __post_init__(self) -> None:
        for field in fields(self):
            bound = BOUNDS.get(field.name)
            if bound is None:
                continue
            value = getattr(self, field.name)
            if field.name == "workers" and value == 0:
                continue
            bound.check(OPTION_NAMES[field.name], value)

    def worker_count(self, cpu_count: int) -> int:
        """Workers to start: as asked, else min(concurrency, CPUs)."""
        if self.workers:
            return self.workers
        return max(1, min(self.concurrency, cpu_count))
