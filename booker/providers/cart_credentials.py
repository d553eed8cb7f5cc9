"""The cart's credentials, loaded: its two browser cookies, from the environment, then
``.env``, then the settings file."""

from __future__ import annotations

from booker.providers.cart import CartCredentials, decode_a1data
from booker.store.credentials import require


def load() -> CartCredentials:
    """Both cookies (``RA_AUTHORIZATION``, ``RA_A1DATA``); ``CredentialsError`` when one is
    missing or a1Data is not JSON even URL-decoded."""
    found = require(("RA_AUTHORIZATION", "RA_A1DATA"))
    return CartCredentials(found["RA_AUTHORIZATION"], decode_a1data(found["RA_A1DATA"]))
