"""One-shot Resy account operations: sign in, renew the token, find a venue, cards, Notify.

Each sends a request or two through ``booker.lookups`` (one client, one loop) and
reads the answer with ``booker.providers.resy_account``. Errors end the command
as ``BookerError``s: no answer -> exit 1, refused -> exit 3, bad input -> exit 2.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from booker.core.exceptions import BookerError, ParseError, ServiceRefusedError, UsageError
from booker.core.matching import bounds
from booker.core.tokens import MARGIN_S, ExpiryVerdict, Level, check_expiry
from booker.core.wire import ClientConfig
from booker.lookups import exchange, raise_for, run
from booker.providers import resy
from booker.providers.credentials import resolve, store
from booker.providers.credentials import stored as stored_credentials
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
from booker.store.user_settings import settings_path

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
        raise_for(answer, path, config.base_url)
        try:
            return read_signed_in(answer)
        except ParseError as exc:
            raise BookerError(f"{path}: {exc}") from None
    raise BookerError("no sign-in path answered")  # pragma: no cover (the loop returns)


def refresh(config: ClientConfig, api_key: str, refresh_token: str) -> SignedIn:
    """``POST /3/auth/refresh``: a new auth token."""
    (answer,) = run(exchange(config, (AccountApi(api_key).refresh(refresh_token),)))
    if answer.status in (401, 419):
        raise ServiceRefusedError(REFRESH_REFUSED)
    raise_for(answer, "/3/auth/refresh", config.base_url)
    try:
        return read_signed_in(answer)
    except ParseError as exc:
        raise BookerError(f"/3/auth/refresh: {exc}") from None


def venue_id_by_slug(config: ClientConfig, api_key: str, slug: str, location: str) -> int:
    """The id of the venue at ``resy.com/cities/<location>/<slug>``."""
    (answer,) = run(exchange(config, (AccountApi(api_key).venue_by_slug(slug, location),)))
    if answer.status == 404:
        raise UsageError(f"Resy knows no venue {slug!r} in {location!r} (HTTP 404)")
    raise_for(answer, "/3/venue", config.base_url)
    try:
        return read_venue_id(answer)
    except ParseError as exc:
        raise BookerError(f"/3/venue: {exc}") from None


def cards(config: ClientConfig, credentials: resy.ResyCredentials) -> list[Card]:
    """The account's payment methods (``GET /2/user``)."""
    api = AccountApi(credentials.api_key, credentials.auth_token)
    (answer,) = run(exchange(config, (api.user(),)))
    raise_for(answer, "/2/user", config.base_url)
    try:
        return read_cards(answer)
    except ParseError as exc:
        raise BookerError(f"/2/user: {exc}") from None


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
    raise_for(answer, "/2/notify", config.base_url)


# --- keeping the token fresh ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenState:
    """The token a run will use, the refresh token when one is stored, and where they live."""

    token: str
    refresh_token: str
    stored: bool  # the token is the one in the settings file (so a renewed one replaces it)

    def expiry(self, at: float, now: float, name: str = "RESY_AUTH_TOKEN") -> ExpiryVerdict:
        """Will the token last past ``at`` plus the margin?"""
        return check_expiry(self.token, at, now, name=name, renewable=bool(self.refresh_token))


def token_state(
    found: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    config_file: Path | None = None,
) -> TokenState:
    """``found``'s auth token, the refresh token from the usual sources, and whether it is stored."""
    token = found.get("RESY_AUTH_TOKEN", "")
    refresh_token = resolve(("RESY_REFRESH_TOKEN",), environ, cwd, config_file).get(
        "RESY_REFRESH_TOKEN", ""
    )
    path = config_file if config_file is not None else settings_path(environ)
    stored = bool(token) and stored_credentials(path).get("RESY_AUTH_TOKEN") == token
    return TokenState(token, refresh_token, stored)


def renew_if_expiring(
    config: ClientConfig,
    api_key: str,
    state: TokenState,
    at: float,
    *,
    now: Callable[[], float] = time.time,
    warn: Callable[[str], None] | None = None,
) -> str:
    """The token to run with: renewed through the refresh token when it would expire before ``at``.

    Says what it does in one line each (``warn``, default stderr). A renewed token
    replaces the stored one when the old one came from the settings file;
    otherwise it serves this run only, and the user is told where to update it.
    Never raises for a failed renewal: the run goes on and the service decides.
    """
    say = warn or _stderr
    verdict = state.expiry(at, now())
    if verdict.level is Level.OK:
        return state.token
    if not (verdict.expires_too_soon and state.refresh_token):
        say(f"booker: warning: {verdict.message}")
        return state.token
    try:
        renewed = refresh(config, api_key, state.refresh_token)
    except BookerError as exc:
        say(f"booker: warning: {verdict.message}, and renewing it failed: {exc}")
        return state.token
    after = check_expiry(renewed.token, at, now(), name="the renewed token", margin_s=MARGIN_S)
    where = "for this run only: update RESY_AUTH_TOKEN where you keep it"
    if state.stored:
        updates = {"RESY_AUTH_TOKEN": renewed.token}
        if renewed.refresh_token:
            updates["RESY_REFRESH_TOKEN"] = renewed.refresh_token
        try:
            where = f"stored in {store(updates)}"
        except BookerError as exc:
            where = f"for this run only ({exc})"
    say(f"booker: renewed the auth token with the refresh token ({after.message}); {where}")
    return renewed.token


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")


def warn_expiry(
    token: str,
    at: float,
    name: str,
    *,
    now: Callable[[], float] = time.time,
    warn: Callable[[str], None] | None = None,
) -> None:
    """One warning line when ``token`` (a JWT) expires before ``at`` plus the margin, or is no JWT."""
    verdict = check_expiry(token, at, now(), name=name)
    if verdict.level is not Level.OK:
        (warn or _stderr)(f"booker: warning: {verdict.message}")


def ready_resy_job(config: ClientConfig, job: ResyJob, at: float) -> ResyJob:
    """``job`` with a token that outlasts ``at`` (renewed when it would not) and the refresh
    token, with which its warm-up renews a token the service still refuses."""
    state = token_state({"RESY_AUTH_TOKEN": job.credentials.auth_token})
    api_key = job.credentials.api_key
    token = renew_if_expiring(config, api_key, state, at)
    credentials = resy.ResyCredentials(api_key, token)
    return replace(job, credentials=credentials, refresh_token=state.refresh_token)


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


def warn_scheduled_expiry(
    command: Sequence[str],
    at: float,
    environ: Mapping[str, str],
    cwd: Path,
    *,
    now: Callable[[], float] = time.time,
    warn: Callable[[str], None] | None = None,
) -> None:
    """``booker schedule``: warn when the token the job will find expires before ``at``.

    ``environ`` and ``cwd`` are what the scheduled job will see (cron passes none
    of this shell's variables). Missing or unsafe credentials are left to the
    checks that refuse them.
    """
    provider = command[1] if len(command) > 1 else ""
    names = {
        "resy": ("RESY_AUTH_TOKEN", "RESY_AUTH_TOKEN"),
        "cart": ("RA_AUTHORIZATION", "the idToken (RA_AUTHORIZATION)"),
    }
    if provider not in names:
        return
    variable, label = names[provider]
    try:
        found = resolve((variable, "RESY_REFRESH_TOKEN"), environ, cwd)
    except BookerError:
        return
    if variable not in found:
        return
    renewable = provider == "resy" and bool(found.get("RESY_REFRESH_TOKEN"))
    verdict = check_expiry(found[variable], at, now(), name=label, renewable=renewable)
    if verdict.level is not Level.OK:
        (warn or _stderr)(f"booker: warning: {verdict.message}")
