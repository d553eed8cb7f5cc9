"""The simulated Resy account: sign-in, token refresh, tokens that expire, and Notify.

Shapes as public clients show them in 2026 (``docs/API-NOTES.md``):

- ``POST /4/auth/password`` (form ``email``, ``password``; ``/3/auth/password`` on
  scenarios that still have it): 200 with ``token`` (a JWT that expires),
  ``refresh_token``, ``payment_methods[]`` and ``payment_method_id``; 419 for a
  wrong password.
- ``POST /3/auth/refresh`` (form ``refresh_token``): 200 with a new ``token``.
- ``POST /2/notify`` (form ``venue_id, day, time_preferred_start,
  time_preferred_end, num_seats, service_type_id``): registers a waitlist entry;
  ``GET /2/notify`` lists them.

A user token is accepted when it is the scenario's own (unless it is a JWT whose
``exp`` has passed on the sim clock) or one this account handed out and still live.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from datetime import date
from typing import Any

import orjson

from booker.sim.asgi import Request, Response, error_response, json_response
from booker.sim.world import World

NOTIFY_FIELDS = (
    "venue_id",
    "day",
    "time_preferred_start",
    "time_preferred_end",
    "num_seats",
    "service_type_id",
)
_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def token_expiry(token: str) -> float | None:
    """``exp`` of a JWT (the sim's own reading, independent of booker's); None otherwise."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


class ResyAccount:
    """The one user of the simulated service, and what they registered."""

    def __init__(self, world: World, payment_methods: list[dict[str, Any]]) -> None:
        self.world = world
        self.auth = world.scenario.auth
        self.payment_methods = payment_methods
        self.issued: dict[str, float] = {}  # token -> expiry (sim clock)
        self.notifies: list[dict[str, Any]] = []
        self._key = secrets.token_bytes(32)

    def routes(self) -> list[tuple[str, str, Any]]:
        """``(method, path, handler)`` of every account endpoint."""
        routes: list[tuple[str, str, Any]] = [("POST", p, self.sign_in) for p in self.auth.sign_in]
        routes += [
            ("POST", "/3/auth/refresh", self.refresh),
            ("POST", "/2/notify", self.notify),
            ("GET", "/2/notify", self.list_notifies),
        ]
        return routes

    def accepts(self, token: str | None) -> bool:
        """A live user token: the scenario's (unless expired) or one handed out here."""
        if not token:
            return False
        now = self.world.clock.now()
        if token in self.issued:
            return self.issued[token] > now
        if token != self.auth.auth_token:
            return False
        exp = token_expiry(token)
        return exp is None or exp > now

    def _issue(self) -> str:
        """A new HS256 JWT for the user, valid ``token_ttl_s`` from now on the sim clock."""
        now = self.world.clock.now()
        exp = int(now + self.auth.token_ttl_s)
        header = _b64(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
        claims = {"sub": "7000001", "iat": int(now), "exp": exp, "jti": secrets.token_hex(8)}
        payload = _b64(orjson.dumps(claims))
        signature = hmac.new(self._key, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        token = f"{header}.{payload}.{_b64(signature)}"
        self.issued[token] = float(exp)
        return token

    async def sign_in(self, request: Request) -> Response:
        """POST /4/auth/password (or /3/...): 200 with the token, 419 for a wrong password."""
        form = request.form()
        if form is None or not form.get("email") or not form.get("password"):
            return error_response(400, "Bad Request")
        right_email = hmac.compare_digest(form["email"].lower(), self.auth.email.lower())
        right_password = hmac.compare_digest(form["password"], self.auth.password)
        if not (right_email and right_password):
            return error_response(419, "Unauthorized")
        pm = self.auth.payment_method_id
        return json_response(
            200,
            {
                "id": 7_000_001,
                "first_name": "Sim",
                "last_name": "User",
                "em_address": self.auth.email,
                "token": self._issue(),
                "refresh_token": self.auth.refresh_token,
                "payment_methods": self.payment_methods,
                "payment_method_id": pm or None,
            },
        )

    async def refresh(self, request: Request) -> Response:
        """POST /3/auth/refresh: a new token for the stored refresh token, else 419."""
        form = request.form()
        if form is None or not form.get("refresh_token"):
            return error_response(400, "Bad Request")
        if not hmac.compare_digest(form["refresh_token"], self.auth.refresh_token):
            return error_response(419, "Unauthorized")
        return json_response(
            200, {"token": self._issue(), "refresh_token": self.auth.refresh_token}
        )

    async def notify(self, request: Request) -> Response:
        """POST /2/notify: register a waitlist entry (every field required and well formed)."""
        form = request.form()
        if form is None or any(not form.get(name) for name in NOTIFY_FIELDS):
            return error_response(400, "Bad Request")
        try:
            venue_id, seats = int(form["venue_id"]), int(form["num_seats"])
            service_type_id = int(form["service_type_id"])
            day = date.fromisoformat(form["day"]).isoformat()
        except ValueError:
            return error_response(400, "Bad Request")
        start, end = form["time_preferred_start"], form["time_preferred_end"]
        if not (_TIME.match(start) and _TIME.match(end)) or start > end:
            return error_response(400, "Bad Request")
        if venue_id != self.world.scenario.venue.id or seats < 1:
            return error_response(400, "Bad Request")
        entry: dict[str, Any] = {
            "venue_id": venue_id,
            "day": day,
            "time_preferred_start": start,
            "time_preferred_end": end,
            "num_seats": seats,
            "service_type_id": service_type_id,
        }
        entry["notify_id"] = len(self.notifies) + 1
        self.notifies.append(entry)
        return json_response(200, {"notify": entry})

    async def list_notifies(self, request: Request) -> Response:
        """GET /2/notify: the user's waitlist entries."""
        return json_response(200, {"notifies": self.notifies})
