"""Resy's account calls: sign-in, token refresh, venue by slug, cards, Notify. Pure.

Shapes follow ``docs/API-NOTES.md`` ("What public clients show in 2026"):
``POST /4/auth/password`` (``/3/auth/password`` on older deployments),
``POST /3/auth/refresh``, ``GET /3/venue?url_slug=&location=``, ``GET /2/user``
and ``POST /2/notify``. Every body is form-encoded. The service offers no
documented venue search, so there is no request for one here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from booker.core.exceptions import ParseError, UsageError
from booker.core.wire import Answer, Request
from booker.providers.common import dig, json_body
from booker.providers.resy import BROWSER_HEADERS

SIGN_IN_PATHS = ("/4/auth/password", "/3/auth/password")  # today's first, then the old one
REFRESH_PATH = "/3/auth/refresh"
NOTIFY_PATH = "/2/notify"
DINNER = 2  # service_type_id of dinner in slot tokens; lunch and brunch are 3
FORM = ("Content-Type", "application/x-www-form-urlencoded")
WRONG_PASSWORD = "Resy refused the e-mail address or password (HTTP 419)"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """What a sign-in or refresh hands back. Never printed."""

    token: str = field(repr=False)
    refresh_token: str = field(default="", repr=False)
    payment_method_id: int | None = None


@dataclass(frozen=True, slots=True)
class Card:
    """One payment method on the account."""

    id: int
    type: str
    is_default: bool
    display: str = ""  # e.g. the last four digits, when the service gives them


class AccountApi:
    """Builds the account requests; ``auth_token`` only for the user-scoped ones."""

    def __init__(self, api_key: str, auth_token: str = "") -> None:
        base = {**BROWSER_HEADERS, "Authorization": f'ResyAPI api_key="{api_key}"'}
        self._public = tuple(base.items())
        self._user = (
            *self._public,
            ("X-Resy-Auth-Token", auth_token),
            ("X-Resy-Universal-Auth", auth_token),
        )

    def sign_in(self, email: str, password: str, path: str = SIGN_IN_PATHS[0]) -> Request:
        """Sign in with e-mail and password (form-encoded)."""
        body = urlencode({"email": email, "password": password}).encode()
        return Request("POST", path, (*self._public, FORM), body)

    def refresh(self, refresh_token: str) -> Request:
        """Trade the refresh token for a new auth token."""
        body = urlencode({"refresh_token": refresh_token}).encode()
        return Request("POST", REFRESH_PATH, (*self._public, FORM), body)

    def venue_by_slug(self, slug: str, location: str) -> Request:
        """The venue behind ``resy.com/cities/<location>/<slug>``, as the web app asks."""
        query = urlencode({"url_slug": slug, "location": location})
        return Request("GET", f"/3/venue?{query}", self._public)

    def user(self) -> Request:
        """The account, with its payment methods."""
        return Request("GET", "/2/user", self._user)

    def notify(
        self,
        venue_id: int,
        day: str,
        start: str,
        end: str,
        seats: int,
        service_type_id: int = DINNER,
    ) -> Request:
        """Register Resy Notify (the waitlist) for ``day`` between ``start`` and ``end``."""
        body = urlencode(
            {
                "venue_id": venue_id,
                "day": day,
                "time_preferred_start": start,
                "time_preferred_end": end,
                "num_seats": seats,
                "service_type_id": service_type_id,
            }
        ).encode()
        return Request("POST", NOTIFY_PATH, (*self._user, FORM), body)


def read_signed_in(answer: Answer) -> SignedIn:
    """The token (and refresh token) of a 200 sign-in or refresh; ``ParseError`` otherwise."""
    if answer.status != 200:
        raise ParseError(f"HTTP {answer.status}")
    document = json_body(answer)
    token = dig(document, "token")
    if not isinstance(token, str) or not token.strip():
        raise ParseError("the answer holds no token")
    refresh = document.get("refresh_token")
    payment = document.get("payment_method_id")
    return SignedIn(
        token.strip(),
        refresh.strip() if isinstance(refresh, str) else "",
        payment if isinstance(payment, int) and not isinstance(payment, bool) else None,
    )


def read_venue_id(answer: Answer) -> int:
    """The venue id of a /3/venue answer (``id.resy``, or a bare number)."""
    venue_id: Any = dig(json_body(answer), "id")
    if isinstance(venue_id, dict):
        venue_id = venue_id.get("resy")
    if isinstance(venue_id, str) and venue_id.isdigit():
        venue_id = int(venue_id)
    if not isinstance(venue_id, int) or isinstance(venue_id, bool) or venue_id <= 0:
        raise ParseError("the answer holds no venue id")
    return venue_id


def read_cards(answer: Answer) -> list[Card]:
    """The payment methods of a 200 /2/user answer; ``ParseError`` when unusable."""
    methods = dig(json_body(answer), "payment_methods")
    if not isinstance(methods, list):
        raise ParseError("payment_methods is not a list")
    cards = []
    for raw in methods:
        if not isinstance(raw, dict):
            continue
        card_id = raw.get("id")
        if not isinstance(card_id, int) or isinstance(card_id, bool):
            continue
        kind = raw.get("type") or raw.get("card_type") or raw.get("provider_name")
        display = raw.get("display") or raw.get("last_4") or raw.get("last4")
        cards.append(
            Card(
                card_id,
                str(kind) if kind else "card",
                bool(raw.get("is_default")),
                str(display) if display else "",
            )
        )
    return cards


def parse_venue_url(url: str) -> tuple[str, str]:
    """``https://resy.com/cities/ny/carbone`` (or ``.../cities/ny/venues/carbone``) -> slug, city."""
    parts = urlsplit(url.strip() if "://" in url else f"https://{url.strip()}")
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if host not in ("resy.com", "www.resy.com") or len(segments) < 3 or segments[0] != "cities":
        raise UsageError(f"--url must look like https://resy.com/cities/ny/carbone, got {url!r}")
    city = segments[1]
    slug = segments[3] if len(segments) >= 4 and segments[2] == "venues" else segments[2]
    return check_slug("--slug", slug), check_slug("--city", city)


def check_slug(option: str, text: str) -> str:
    """A slug as resy.com spells it: lower-case letters, digits and dashes."""
    value = text.strip().lower()
    if not _SLUG.fullmatch(value):
        raise UsageError(f"{option} must be letters, digits and dashes, got {text!r}")
    return value
