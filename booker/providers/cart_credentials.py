"""The cart's credentials, loaded: its two browser cookies, from the environment, then
``.env``, then the settings file (``booker.providers.credentials``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from booker.providers import credentials
from booker.providers.cart import A1DATA, AUTHORIZATION, CartCredentials, decode_a1data


def load(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None, *, decoded: bool = True
) -> CartCredentials:
    """Both cookies; ``CredentialsError`` when one is missing or (``decoded``) when a1Data
    is not JSON even URL-decoded. ``decoded=False`` keeps a1Data as the user stored it."""
    found = credentials.require((AUTHORIZATION, A1DATA), environ, cwd)
    a1data = decode_a1data(found[A1DATA]) if decoded else found[A1DATA]
    return CartCredentials(found[AUTHORIZATION], a1data)
