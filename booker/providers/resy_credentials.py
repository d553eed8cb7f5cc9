"""Resy's credentials, loaded: the API key and the user's token, from the environment,
then ``.env``, then the settings file (``booker.providers.credentials``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from booker.providers import credentials
from booker.providers.resy import API_KEY, AUTH_TOKEN, ResyCredentials


def load(
    with_token: bool = True, environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> ResyCredentials:
    """The API key and the user's token; ``CredentialsError`` when one required is missing.

    The token is required only when the calls are user-scoped (``with_token``);
    otherwise it is used when set (/4/find shows some inventory only to signed-in users).
    """
    names = (API_KEY, AUTH_TOKEN) if with_token else (API_KEY,)
    found = credentials.require(names, environ, cwd)
    token = found.get(AUTH_TOKEN) or credentials.resolve((AUTH_TOKEN,), environ, cwd).get(
        AUTH_TOKEN
    )
    return ResyCredentials(found[API_KEY], token or "")


def api_key(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> str:
    """The API key alone (signing in needs no token); ``CredentialsError`` when missing."""
    return credentials.require((API_KEY,), environ, cwd)[API_KEY]


def found(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> dict[str, str]:
    """The key and the token, whichever are set (none required): for checks that say
    what is missing rather than stop at it."""
    return credentials.resolve((API_KEY, AUTH_TOKEN), environ, cwd)
