"""Engine settings: one table says each one's option, range, default, unit and help.

``EngineSettings`` takes its defaults and its checks from ``SETTINGS``; the command
line (``booker.cli.options``) its options, help and ranges; the settings file
(``booker.store.user_settings``) its keys. Nothing else lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from booker.core.exceptions import UsageError


@dataclass(frozen=True, slots=True)
class Setting:
    """One engine setting: a whole number in a documented range, with its command-line option."""

    name: str  # the EngineSettings field and the settings file's key
    option: str  # the command-line option, "--max-duration"
    low: int
    high: int
    default: int
    help: str  # what it does; the range and the default are added (``help_text``)
    unit: str = ""  # said after the range in a refusal: "ms", "s"
    aliases: tuple[str, ...] = ()  # older spellings of the option, "--poll-timeout-secs"
    auto: str = ""  # 0 means "choose for me", as this says (then the range is not shown)

    @property
    def param(self) -> str:
        """The option's parameter name as click passes it: ``--max-duration`` -> ``max_duration``."""
        return self.option.removeprefix("--").replace("-", "_")

    @property
    def help_text(self) -> str:
        """The option's help: what it does, its range and its default."""
        if self.auto:
            return f"{self.help} [default: {self.auto}]."
        return f"{self.help} ({self.low}-{self.high}) [default: {self.default}]."

    def check(self, name: str, value: int) -> None:
        """Refuse ``value`` outside the range with a message naming ``name`` and the range."""
        if self.auto and value == 0:
            return
        if not self.low <= value <= self.high:
            unit = f" {self.unit}" if self.unit else ""
            raise UsageError(
                f"{name} must be between {self.low} and {self.high}{unit} (got {value:g})"
            )


SETTINGS: dict[str, Setting] = {
    setting.name: setting
    for setting in (
        Setting("cadence_ms", "--cadence-ms", 50, 5000, 100,
                "Milliseconds between polls, all workers together", "ms",
                aliases=("--poll-interval-ms",)),
        Setting("concurrency", "--concurrency", 1, 10, 3,
                "Requests in flight at most, all workers together", aliases=("--threads",)),
        Setting("max_duration_s", "--max-duration", 30, 600, 300,
                "Give up after this many seconds of polling", "s",
                aliases=("--poll-timeout-secs",)),
        Setting("retries", "--retries", 0, 10, 3,
                "Retries of a booking attempt that fails transiently"),
        Setting("workers", "--workers", 1, 16, 0, "Worker processes",
                auto="min(concurrency, CPUs)"),
        Setting("prewarm_s", "--prewarm-secs", 1, 120, 10,
                "With --at: start and warm the workers this early", "s"),
        Setting("lead_ms", "--lead-ms", 0, 5000, 500,
                "With --at: first poll this long before WHEN", "ms"),
    )
}  # fmt: skip

CONNECT_TIMEOUT_S = 0.5
REQUEST_TIMEOUT_S = 2.0
BOOKING_TIMEOUT_S = 10.0  # a booking call may commit slowly: a short deadline would lose one
POOL_CONNECTIONS = 10
KEEPALIVE_EXPIRY_S = 90.0


def _default(name: str) -> int:
    return SETTINGS[name].default


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """How hard and how long a booking job runs (each number's default and range: ``SETTINGS``)."""

    cadence_ms: int = _default("cadence_ms")
    concurrency: int = _default("concurrency")
    max_duration_s: int = _default("max_duration_s")
    retries: int = _default("retries")
    workers: int = _default("workers")
    prewarm_s: int = _default("prewarm_s")
    lead_ms: int = _default("lead_ms")
    dry_run: bool = False
    connect_timeout_s: float = CONNECT_TIMEOUT_S
    request_timeout_s: float = REQUEST_TIMEOUT_S

    def __post_init__(self) -> None:
        for setting in SETTINGS.values():
            setting.check(setting.option, getattr(self, setting.name))

    def worker_count(self, cpu_count: int) -> int:
        """Workers to start: as asked, else min(concurrency, CPUs)."""
        if self.workers:
            return self.workers
        return max(1, min(self.concurrency, cpu_count))
