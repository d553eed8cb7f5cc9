"""The cart's credentials, loaded: its two browser cookies, from the environment, then
``.env``, then the settings file (``booker.providers.credentials``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from booker.providers import credentials
from booker.providers.cart import A1DATA, AUTHORIZATION, CartCredentials, decode_a1data


def load(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> CartCredentials:
    """Both cookies as the service wants them (a1Data as JSON, URL-decoded if pasted encoded);
    ``CredentialsError`` when one is missing or a1Data is not JSON even URL-decoded."""
    found = credentials.require((AUTHORIZATION, A1DATA), environ, cwd)
    return CartCredentials(found[AUTHORIZATION], decode_a1data(found[A1DATA]))
