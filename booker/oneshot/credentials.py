"""The credentials each provider's one-shot commands load (environment, ``.env``, settings file)."""

from __future__ import annotations

from booker.providers import cart, resy
from booker.store.credentials import require, resolve


def resy_credentials(with_token: bool) -> resy.ResyCredentials:
    """The API key and the user's token, from env, ``.env`` or the settings file.

    The token is required only when the call is user-scoped (``with_token``);
    otherwise it is used when set (/4/find shows some inventory only to signed-in users).
    """
    names = ("RESY_API_KEY", "RESY_AUTH_TOKEN") if with_token else ("RESY_API_KEY",)
    found = require(names)
    token = found.get("RESY_AUTH_TOKEN") or resolve(("RESY_AUTH_TOKEN",)).get("RESY_AUTH_TOKEN")
    return resy.ResyCredentials(found["RESY_API_KEY"], token or "")


def cart_credentials() -> cart.CartCredentials:
    """``RA_AUTHORIZATION`` and ``RA_A1DATA`` from the environment or ``.env``."""
    found = require(("RA_AUTHORIZATION", "RA_A1DATA"))
    return cart.CartCredentials(found["RA_AUTHORIZATION"], cart.decode_a1data(found["RA_A1DATA"]))
