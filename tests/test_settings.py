"""Unit tests of EngineSettings: documented ranges, defaults and worker count."""

from __future__ import annotations

import dataclasses
import pickle
from typing import Any

import pytest

from booker.core.exceptions import UsageError
from booker.core.settings import SETTINGS, EngineSettings


def make(field: str, value: int) -> EngineSettings:
    """EngineSettings with one field set."""
    changes: dict[str, Any] = {field: value}
    return EngineSettings(**changes)


# field, option, low, high, unit text in the message
RANGES = [
    ("cadence_ms", "--cadence-ms", 50, 5000, " ms"),
    ("concurrency", "--concurrency", 1, 10, ""),
    ("max_duration_s", "--max-duration", 30, 600, " s"),
    ("retries", "--retries", 0, 10, ""),
    ("workers", "--workers", 1, 16, ""),
]


def test_defaults_are_valid_and_documented() -> None:
    """The defaults build without error and match the documented values."""
    settings = EngineSettings()
    assert (
        settings.cadence_ms,
        settings.concurrency,
        settings.max_duration_s,
        settings.retries,
        settings.workers,
        settings.dry_run,
    ) == (100, 3, 300, 3, 0, False)
    for name, bound in SETTINGS.items():
        assert getattr(settings, name) == bound.default


@pytest.mark.parametrize(("field", "option", "low", "high", "unit"), RANGES)
def test_range_edges_are_accepted(field: str, option: str, low: int, high: int, unit: str) -> None:
    """Both ends of every documented range are allowed."""
    for value in (low, high):
        assert getattr(make(field, value), field) == value


@pytest.mark.parametrize(("field", "option", "low", "high", "unit"), RANGES)
@pytest.mark.parametrize("side", ["below", "above"])
def test_out_of_range_names_option_and_range(
    field: str, option: str, low: int, high: int, unit: str, side: str
) -> None:
    """One step outside a range raises UsageError naming the option, the range and the value."""
    value = low - 1 if side == "below" else high + 1
    if field == "workers" and value == 0:
        value = -1
    with pytest.raises(UsageError) as caught:
        make(field, value)
    assert str(caught.value) == f"{option} must be between {low} and {high}{unit} (got {value})"
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("cadence_ms", 10), ("concurrency", 11), ("max_duration_s", 5), ("retries", 11),
     ("workers", 17), ("concurrency", 0), ("cadence_ms", -100), ("retries", -1)],
)  # fmt: skip
def test_typical_bad_values_are_refused(field: str, value: int) -> None:
    """Values a user might mistype are refused with a range message."""
    with pytest.raises(UsageError, match="must be between"):
        make(field, value)


def test_zero_workers_means_automatic() -> None:
    """workers=0 is accepted although the explicit range starts at 1."""
    assert EngineSettings(workers=0).workers == 0


@pytest.mark.parametrize(
    ("workers", "concurrency", "cpus", "expected"),
    [(0, 3, 8, 3), (0, 10, 4, 4), (0, 1, 16, 1), (0, 5, 0, 1), (2, 10, 64, 2), (16, 1, 1, 16)],
)
def test_worker_count(workers: int, concurrency: int, cpus: int, expected: int) -> None:
    """Explicit workers win; otherwise min(concurrency, CPUs), at least 1."""
    settings = EngineSettings(workers=workers, concurrency=concurrency)
    assert settings.worker_count(cpus) == expected


def test_every_whole_number_field_is_a_row_of_the_table() -> None:
    """Each int field of EngineSettings has its row (option, range, default), and no row
    names a field that does not exist."""
    ints = {f.name for f in dataclasses.fields(EngineSettings) if f.type in ("int", int)}
    assert set(SETTINGS) == ints


def test_settings_are_frozen_and_pickle() -> None:
    """Settings cannot be changed in place and survive pickling into worker processes."""
    settings = EngineSettings(cadence_ms=250, dry_run=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.cadence_ms = 1  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(settings)) == settings


def test_replace_revalidates() -> None:
    """dataclasses.replace goes through the same validation."""
    with pytest.raises(UsageError, match="--concurrency"):
        dataclasses.replace(EngineSettings(), concurrency=42)
