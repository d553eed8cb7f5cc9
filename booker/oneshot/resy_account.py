"""One-shot Resy account operations: sign in, refresh the token, a venue by its address,
cards, Resy Notify.

Each sends a request or two on one client and loop (``booker.oneshot.client``) and
reads the answer with ``booker.providers.resy_account``. Errors end the command
as ``BookerError``s (``booker.oneshot.errors``): no answer -> exit 1, refused -> exit 3,
bad input -> exit 2.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from booker.core.exceptions import BookerError, ServiceRefusedError, UsageError
from booker.core.matching import bounds
from booker.core.wire import ClientConfig
from booker.oneshot.client import exchange, run
from booker.oneshot.errors import raise_for, read
from booker.providers import resy
from booker.providers.resy_account import (
    DINNER,
    SIGN_IN_PATHS,
    WRONG_PASSWORD,
    AccountApi,
    Card,
    SignedIn,
    read_cards,
    read_signed_in,
    read_venue_id,
)
from booker.providers.resy_flow import ResyJob

REFRESH_REFUSED = "the refresh token was refused: sign in again with `booker login resy`"
BAD_API_KEY = "the service refused the API key (check RESY_API_KEY)"


def sign_in(config: ClientConfig, api_key: str, email: str, password: str) -> SignedIn:
    """``POST /4/auth/password``, then ``/3/auth/password`` when the first is not there."""
    api = AccountApi(api_key)
    for index, path in enumerate(SIGN_IN_PATHS):
        (answer,) = run(exchange(config, (api.sign_in(email, password, path),)))
        if answer.status in (404, 405) and index + 1 < len(SIGN_IN_PATHS):
            continue  # this deployment has no such path: try the older one
        if answer.status == 419:
            raise ServiceRefusedError(WRONG_PASSWORD)
        if answer.status == 401:
            raise ServiceRefusedError(BAD_API_KEY)
        return read(answer, config.base_url, path, read_signed_in, refusal=resy.refused_credentials)
    raise BookerError("no sign-in path answered")  # pragma: no cover (the loop returns)


def refresh(config: ClientConfig, api_key: str, refresh_token: str) -> SignedIn:
    """``POST /3/auth/refresh``: a new auth token."""
    (answer,) = run(exchange(config, (AccountApi(api_key).refresh(refresh_token),)))
    if answer.status in (401, 419):
        raise ServiceRefusedError(REFRESH_REFUSED)
    return read(
        answer, config.base_url, "/3/auth/refresh", read_signed_in, refusal=resy.refused_credentials
    )


def venue_id_by_slug(config: ClientConfig, api_key: str, slug: str, location: str) -> int:
    """The id of the venue at ``resy.com/cities/<location>/<slug>``."""
    (answer,) = run(exchange(config, (AccountApi(api_key).venue_by_slug(slug, location),)))
    if answer.status == 404:
        raise UsageError(f"Resy knows no venue {slug!r} in {location!r} (HTTP 404)")
    return read(
        answer, config.base_url, "/3/venue", read_venue_id, refusal=resy.refused_credentials
    )


def cards(config: ClientConfig, credentials: resy.ResyCredentials) -> list[Card]:
    """The account's payment methods (``GET /2/user``)."""
    api = AccountApi(credentials.api_key, credentials.auth_token)
    (answer,) = run(exchange(config, (api.user(),)))
    return read(answer, config.base_url, "/2/user", read_cards, refusal=resy.refused_credentials)


@dataclass(frozen=True, slots=True)
class Waitlist:
    """A Resy Notify registration as sent."""

    venue_id: int
    day: str
    start: str  # HH:MM:SS
    end: str
    seats: int
    service_type_id: int

    def describe(self) -> str:
        """``2026-12-24 19:00-19:30, party of 2``."""
        return f"{self.day} {self.start[:5]}-{self.end[:5]}, party of {self.seats}"


def register_notify(
    config: ClientConfig, credentials: resy.ResyCredentials, waitlist: Waitlist
) -> None:
    """``POST /2/notify``; a ``BookerError`` when the service does not take it."""
    api = AccountApi(credentials.api_key, credentials.auth_token)
    request = api.notify(
        waitlist.venue_id,
        waitlist.day,
        waitlist.start,
        waitlist.end,
        waitlist.seats,
        waitlist.service_type_id,
    )
    (answer,) = run(exchange(config, (request,)))
    if answer.status in (200, 201):
        return
    raise_for(answer, config.base_url, "/2/notify", refusal=resy.refused_credentials)


def notify_waitlist(
    config: ClientConfig,
    job: ResyJob,
    *,
    service_type_id: int = DINNER,
    to_stderr: bool = False,
    dry_run: bool = False,
) -> bool:
    """Register Resy Notify for the job's day, earliest to latest wanted time; say so.

    The line goes to stdout, or stderr when stdout carries ``--json``. A refused
    token is renewed once through the job's refresh token. A refusal is said in
    one line and changes nothing else (the run's exit code stands). A dry run
    only says what it would register.
    """
    credentials, target, refresh_token = job.credentials, job.target, job.refresh_token
    waitlist = Waitlist(
        target.venue_id,
        target.day,
        min(bounds(t)[0] for t in target.times),
        max(bounds(t)[1] for t in target.times),
        target.party_size,
        service_type_id,
    )
    if dry_run:
        line = f"dry run: would register Resy Notify for {waitlist.describe()}"
        (sys.stderr if to_stderr else sys.stdout).write(
            ("booker: " if to_stderr else "") + line + "\n"
        )
        return False
    try:
        try:
            register_notify(config, credentials, waitlist)
        except ServiceRefusedError:
            if not refresh_token:
                raise
            renewed = refresh(config, credentials.api_key, refresh_token)
            credentials = resy.ResyCredentials(credentials.api_key, renewed.token)
            register_notify(config, credentials, waitlist)
    except BookerError as exc:
        sys.stderr.write(f"booker: warning: could not register Resy Notify: {exc}\n")
        return False
    line = f"registered Resy Notify for {waitlist.describe()}: Resy tells you if a table frees up"
    if to_stderr:
        sys.stderr.write(f"booker: {line}\n")
    else:
        sys.stdout.write(line + "\n")
    return True
