"""`POST /_sim/drop` parameters: re-arm the sim for another drop (another day, release).

Parameters come from the query string, a JSON object body, or both (the body wins):
`in_ms` release this many ms from now on the sim clock (default 0; negative = already open),
`day` YYYY-MM-DD (default: the next day after the previous drop's that nothing has used),
`rivals` whether the scenario's rivals run for this drop (bool, 0/1, "true"/"false"; default
true). Unknown names and unreadable values are refused with 400.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import orjson

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
NAMES = ("in_ms", "day", "rivals")


class DropParamError(ValueError):
    """A /_sim/drop parameter is unknown or unreadable."""


@dataclass(frozen=True, slots=True)
class DropRequest:
    """A decoded /_sim/drop call."""

    in_ms: float = 0.0
    day: str | None = None
    rivals: bool = True


def parse_drop(query: dict[str, str], body: bytes) -> DropRequest:
    """Merge query and JSON body into a DropRequest; raises DropParamError."""
    params: dict[str, object] = dict(query)
    if body.strip():
        try:
            decoded: object = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise DropParamError("body must be a JSON object") from None
        if not isinstance(decoded, dict):
            raise DropParamError("body must be a JSON object")
        params.update(decoded)
    unknown = sorted(str(k) for k in params if k not in NAMES)
    if unknown:
        raise DropParamError(f"unknown parameter(s): {', '.join(unknown)}")
    return DropRequest(
        _in_ms(params.get("in_ms", 0.0)), _day(params.get("day")), _flag(params.get("rivals"))
    )


def _in_ms(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise DropParamError("in_ms must be a number of milliseconds")
    try:
        ms = float(value)
    except ValueError:
        raise DropParamError("in_ms must be a number of milliseconds") from None
    if not math.isfinite(ms):
        raise DropParamError("in_ms must be finite")
    return ms


def _day(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise DropParamError("day must be YYYY-MM-DD")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise DropParamError("day must be YYYY-MM-DD") from None


def _flag(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise DropParamError("rivals must be true/false or 1/0")
