"""Resy's credentials, loaded: the API key and the user's token, from the environment,
then ``.env``, then the settings file."""

from __future__ import annotations

from booker.providers.resy import ResyCredentials
from booker.store.credentials import require, resolve


def load(with_token: bool = True) -> ResyCredentials:
    """The API key and the user's token; ``CredentialsError`` when one required is missing.

    The token is required only when the calls are user-scoped (``with_token``);
    otherwise it is used when set (/4/find shows some inventory only to signed-in users).
    """
    names = ("RESY_API_KEY", "RESY_AUTH_TOKEN") if with_token else ("RESY_API_KEY",)
    found = require(names)
    token = found.get("RESY_AUTH_TOKEN") or resolve(("RESY_AUTH_TOKEN",)).get("RESY_AUTH_TOKEN")
    return ResyCredentials(found["RESY_API_KEY"], token or "")
