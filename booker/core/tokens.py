"""When a sign-in token expires: the ``exp`` claim of a JWT, read without verifying it.

Resy's auth token and the cart's ``idToken`` cookie are JWTs. booker never needs
to trust what they say, only to warn before a drop that they will have expired
by then. Pure: no I/O, the current time is always passed in.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

import orjson

MARGIN_S = 15 * 60.0  # a run may poll 10 min (--max-duration) after a 2 min warm-up


def jwt_claims(token: str) -> dict[str, object] | None:
    """The claims of a JWT (its middle part, not verified); None when ``token`` is not one."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not parts[1]:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeEncodeError, orjson.JSONDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim (epoch seconds) of a JWT; None when ``token`` is not one or has none."""
    exp = (jwt_claims(token) or {}).get("exp")
    if isinstance(exp, bool) or not isinstance(exp, int | float) or not math.isfinite(exp):
        return None
    return float(exp)


@dataclass(frozen=True, slots=True)
class ExpiringToken:
    """A provider's credential that expires (a JWT): its name, what expiry warnings call
    it, and the credential that renews it (None when none does)."""

    name: str
    label: str
    refresh_name: str | None

    @property
    def names(self) -> tuple[str, ...]:
        """The token's name, then its refresh token's when one renews it."""
        return (self.name,) if self.refresh_name is None else (self.name, self.refresh_name)


class Level(StrEnum):
    """How a check came out, as ``booker check`` prints it."""

    OK = "OK"
    WARNING = "WARNING"
    FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class ExpiryVerdict:
    """What to tell the user about a token's expiry before ``at``."""

    level: Level
    message: str
    expires_at: float | None = None

    @property
    def expires_too_soon(self) -> bool:
        """The token will not last past ``at`` plus the margin (or already has not)."""
        return self.level is not Level.OK and self.expires_at is not None


def check_expiry(
    token: str,
    at: float,
    now: float,
    *,
    name: str = "the auth token",
    renewable: bool = False,
    margin_s: float = MARGIN_S,
) -> ExpiryVerdict:
    """Will ``token`` still be good at ``at`` (epoch s, the drop) plus ``margin_s``?

    Expiring in time is a FAIL, or only a WARNING when ``renewable`` (a refresh
    token is stored and a run renews it). A token that is not a JWT gets a
    WARNING: its expiry is unknown.
    """
    exp = jwt_expiry(token)
    if exp is None:
        what = "is not a JWT" if jwt_claims(token) is None else "is a JWT without exp"
        return ExpiryVerdict(
            Level.WARNING, f"{name} {what}: its expiry is unknown (booker cannot warn)"
        )
    when = _stamp(exp)
    if exp >= at + margin_s:
        return ExpiryVerdict(Level.OK, f"{name} is good until {when}", exp)
    if exp <= now:
        state = f"{name} expired at {when}"
    else:
        state = f"{name} expires at {when}, before the run at {_stamp(at)} is over"
    if renewable:
        return ExpiryVerdict(Level.WARNING, f"{state}; the run will renew it", exp)
    return ExpiryVerdict(Level.FAIL, state, exp)


def _stamp(epoch: float) -> str:
    """``2026-12-24 10:00 UTC+01:00`` in this machine's zone."""
    local = dt.datetime.fromtimestamp(epoch, dt.UTC).astimezone()
    return f"{local:%Y-%m-%d %H:%M %Z}"
