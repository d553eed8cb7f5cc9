"""Strict, typed access to scenario TOML tables and the value syntaxes they share."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

_OFFSET = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(ms|s|m)$")
_DAY_OFFSET = re.compile(r"^\+(\d+)d$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0}

T = TypeVar("T")


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message is one line for the user."""


class Table:
    """Typed access to one TOML table that remembers which keys were used."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise ScenarioError(f"{where} must be a table")
        self.data: dict[str, Any] = data
        self.where = where
        self.used: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, kind: type[T], default: T) -> T:
        self.used.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ScenarioError(f"{self.where}.{key} must be {kind.__name__}, not {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(f"{self.where}.{key} must be finite")
        return value

    def raw(self, key: str) -> object:
        self.used.add(key)
        return self.data.get(key)

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.get(key, list, list(default))
        if not all(isinstance(v, str) for v in value):
            raise ScenarioError(f"{self.where}.{key} must be a list of strings")
        return tuple(value)

    def table(self, key: str) -> Table:
        self.used.add(key)
        return Table(self.data.get(key, {}), f"{self.where}.{key}")

    def tables(self, key: str) -> list[Table]:
        self.used.add(key)
        items = self.data.get(key)
        if not isinstance(items, list):
            raise ScenarioError(f"{key} must be an array of tables ([[{key}]])")
        return [Table(item, f"{key}[{i}]") for i, item in enumerate(items)]

    def check(self, ok: bool, key: str, what: str) -> None:
        if not ok:
            raise ScenarioError(f"{self.where}.{key} {what}")

    def check_zone(self, key: str, name: str) -> None:
        """``name`` (the value at ``key``) must be a time zone this machine knows."""
        try:
            ZoneInfo(name)
        except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            raise ScenarioError(f"{self.where}.{key} {name!r} is not a known zone") from None

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ScenarioError(f"unknown key {self.where}.{unknown[0]}")


def is_offset(text: str) -> bool:
    """Whether `text` is a '+3s'-style offset."""
    return _OFFSET.match(text) is not None


def parse_offset(text: str, where: str) -> float:
    """Parse '+3s', '-1s', '+250ms', '2m' into signed seconds."""
    m = _OFFSET.match(text.strip())
    if not m:
        raise ScenarioError(f"{where} must look like '+3s', '-1s' or '+250ms', not {text!r}")
    value = float(m.group(2)) * _UNIT_S[m.group(3)]
    return -value if m.group(1) == "-" else value


def parse_time(text: str, where: str) -> str:
    """Normalise 'HH:MM' or 'HH:MM:SS' to 'HH:MM:SS'."""
    m = _TIME.match(text)
    if not m:
        raise ScenarioError(f"{where} must be 'HH:MM' or 'HH:MM:SS', not {text!r}")
    return f"{m.group(1)}:{m.group(2)}:{m.group(3) or '00'}"


def parse_day(value: object, where: str) -> tuple[int | None, date | None]:
    """A TOML date, 'YYYY-MM-DD' or '+Nd' as (day offset, date); exactly one is set."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return None, value
    if isinstance(value, str):
        m = _DAY_OFFSET.match(value)
        if m:
            return int(m.group(1)), None
        try:
            return None, date.fromisoformat(value)
        except ValueError:
            pass
    raise ScenarioError(f"{where} must be 'YYYY-MM-DD' or '+Nd', not {value!r}")


def parse_release_at(t: Table, default_offset_s: float | None) -> tuple[float | None, float | None]:
    """`release.at` ('+Ns', ISO 8601 instant or epoch) as (offset from start, epoch)."""
    at = t.raw("at")
    if at is None:
        return default_offset_s, None
    if isinstance(at, int | float) and not isinstance(at, bool):
        return None, float(at)
    if isinstance(at, str):
        if is_offset(at):
            return parse_offset(at, "release.at"), None
        return None, _iso_instant(at)
    if isinstance(at, datetime):
        return None, _aware(at, "release.at").timestamp()
    raise ScenarioError(f"release.at must be '+Ns', an ISO 8601 instant or epoch, not {at!r}")


def _iso_instant(text: str) -> float:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ScenarioError(
            f"release.at must be '+Ns', an ISO 8601 instant or epoch, not {text!r}"
        ) from None
    return _aware(parsed, "release.at").timestamp()


def _aware(value: datetime, where: str) -> datetime:
    if value.tzinfo is None:
        raise ScenarioError(f"{where} needs a UTC offset (e.g. 2026-05-01T10:00:00-04:00)")
    return value
