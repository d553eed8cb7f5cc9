"""Every provider by name, every provider's credential names, and the user's credentials
read and written with them.

Each provider declares its name (``resy.NAME``) and its credential names
(``resy.CREDENTIAL_NAMES``, ``cart.CREDENTIAL_NAMES``) and loads its own credentials
(``resy_credentials``, ``cart_credentials``). The settings file holds one ``[credentials]``
table for all of them, so whatever reads or writes that table must know every name: the
store below names no provider, these functions hand it ``CREDENTIAL_NAMES``. A new
provider adds here its name, its credential names and the token of its that expires
(``EXPIRING_TOKENS``: what ``check`` and ``schedule`` warn about, and its refresh token).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from booker.core.tokens import ExpiringToken
from booker.providers import cart, resy
from booker.store import credential_store
from booker.store import credentials as store_credentials
from booker.store.user_settings import load_credentials

# every provider booker has, in the order commands list them (history's --provider, job files)
PROVIDERS: tuple[str, ...] = (resy.NAME, cart.NAME)
# the names the settings file's [credentials] table may hold, in the order messages list them
CREDENTIAL_NAMES: tuple[str, ...] = (*resy.CREDENTIAL_NAMES, *cart.CREDENTIAL_NAMES)

# each provider's token that expires (the one expiry warnings are about) and what renews it
EXPIRING_TOKENS: Mapping[str, ExpiringToken] = {
    resy.NAME: resy.EXPIRING_TOKEN,
    cart.NAME: cart.EXPIRING_TOKEN,
}


def resolve(
    names: Iterable[str],
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    config_file: Path | None = None,
) -> dict[str, str]:
    """Each of ``names`` found in the environment, ``.env`` or the settings file (see
    ``booker.store.credentials.resolve``)."""
    return store_credentials.resolve(names, environ, cwd, config_file, known=CREDENTIAL_NAMES)


def require(
    names: Iterable[str], environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> dict[str, str]:
    """Like ``resolve``, but a missing name is a ``CredentialsError`` naming it."""
    return store_credentials.require(names, environ, cwd, known=CREDENTIAL_NAMES)


def stored(path: Path) -> dict[str, str]:
    """The settings file's ``[credentials]`` table; empty when there is none."""
    return load_credentials(path, known=CREDENTIAL_NAMES)


def store(updates: Mapping[str, str], path: Path | None = None) -> Path:
    """Write ``updates`` into the settings file's ``[credentials]`` table; its path."""
    return credential_store.store(updates, path, known=CREDENTIAL_NAMES)
