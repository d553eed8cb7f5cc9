"""Keeping the token fresh: renewed through the refresh token before a run, and one warning
line when a token will not last until the drop (``book``, ``schedule``, ``check``)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from booker.core.exceptions import BookerError
from booker.core.tokens import MARGIN_S, ExpiryVerdict, Level, check_expiry
from booker.core.wire import ClientConfig
from booker.oneshot.resy_account import refresh
from booker.providers import resy
from booker.providers.credentials import EXPIRING_TOKENS, resolve, store
from booker.providers.credentials import stored as stored_credentials
from booker.providers.resy_flow import ResyJob
from booker.store.user_settings import settings_path


@dataclass(frozen=True, slots=True)
class TokenState:
    """The token a run will use, the refresh token when one is stored, and where they live."""

    token: str
    refresh_token: str
    stored: bool  # the token is the one in the settings file (so a renewed one replaces it)

    def expiry(self, at: float, now: float, name: str = resy.AUTH_TOKEN) -> ExpiryVerdict:
        """Will the token last past ``at`` plus the margin?"""
        return check_expiry(self.token, at, now, name=name, renewable=bool(self.refresh_token))


def token_state(
    found: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    config_file: Path | None = None,
) -> TokenState:
    """``found``'s auth token, the refresh token from the usual sources, and whether it is stored."""
    token = found.get(resy.AUTH_TOKEN, "")
    refresh_token = resolve((resy.REFRESH_TOKEN,), environ, cwd, config_file).get(
        resy.REFRESH_TOKEN, ""
    )
    path = config_file if config_file is not None else settings_path(environ)
    stored = bool(token) and stored_credentials(path).get(resy.AUTH_TOKEN) == token
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
        updates = {resy.AUTH_TOKEN: renewed.token}
        if renewed.refresh_token:
            updates[resy.REFRESH_TOKEN] = renewed.refresh_token
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
    renewable: bool = False,
) -> None:
    """One warning line when ``token`` (a JWT) expires before ``at`` plus the margin, or is no
    JWT (``renewable``: a refresh token renews it, so a run will)."""
    verdict = check_expiry(token, at, now(), name=name, renewable=renewable)
    if verdict.level is not Level.OK:
        (warn or _stderr)(f"booker: warning: {verdict.message}")


def ready_resy_job(config: ClientConfig, job: ResyJob, at: float) -> ResyJob:
    """``job`` with a token that outlasts ``at`` (renewed when it would not) and the refresh
    token, with which its warm-up renews a token the service still refuses."""
    state = token_state({resy.AUTH_TOKEN: job.credentials.auth_token})
    api_key = job.credentials.api_key
    token = renew_if_expiring(config, api_key, state, at)
    credentials = resy.ResyCredentials(api_key, token)
    return replace(job, credentials=credentials, refresh_token=state.refresh_token)


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
    token = EXPIRING_TOKENS.get(provider)
    if token is None:
        return
    try:
        found = resolve(token.names, environ, cwd)
    except BookerError:
        return
    if token.name not in found:
        return
    renewable = token.refresh_name is not None and bool(found.get(token.refresh_name))
    warn_expiry(found[token.name], at, token.label, now=now, warn=warn, renewable=renewable)
