"""``booker login PROVIDER``: sign in and store the token where booker reads credentials.

The password comes from a hidden prompt, or from standard input when that is not
a terminal (``pass show resy | booker login resy --email me@example.com``). It is
never an option, never stored and never printed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from booker.cli.options import lookup_options
from booker.core.exceptions import UsageError
from booker.providers import resy


@click.group(
    epilog="""\b
Example:
  booker login resy --email me@example.com
"""
)
def login() -> None:
    """Sign in and store the account's token (owner-only)."""


@login.command(
    "resy",
    epilog="""\b
Examples:
  booker login resy --email me@example.com          # asks for the password
  pass show resy | booker login resy --email me@example.com
""",
)
@click.option("--email", required=True, help="The account's e-mail address.")
@lookup_options(resy.BASE_URL)
def login_resy(email: str, base_url: str, ca_cert: Path | None, as_json: bool) -> int:
    """Sign in to Resy; store RESY_AUTH_TOKEN (and RESY_REFRESH_TOKEN) in the settings file."""
    from booker.core.tokens import jwt_expiry
    from booker.core.wire import check_base_url
    from booker.oneshot.client import client_config
    from booker.oneshot.resy_account import sign_in
    from booker.providers import credentials, resy_credentials

    address = email.strip()
    if "@" not in address or any(ch.isspace() for ch in address):
        raise UsageError(f"--email must be an e-mail address, got {email!r}")
    config = client_config(check_base_url(base_url), ca_cert)
    api_key = resy_credentials.api_key()
    password = read_password()
    signed = sign_in(config, api_key, address, password)
    updates = {resy.AUTH_TOKEN: signed.token}
    if signed.refresh_token:
        updates[resy.REFRESH_TOKEN] = signed.refresh_token
    path = credentials.store(updates)
    exp = jwt_expiry(signed.token)
    until = (
        dt.datetime.fromtimestamp(exp, dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z")
        if exp is not None
        else None
    )
    shadow = _shadowing_source()
    if as_json:
        import orjson

        document = {
            "signed_in": address,
            "stored_in": str(path),
            "token_expires_at": exp,
            "refresh_token_stored": bool(signed.refresh_token),
            "default_payment_method_id": signed.payment_method_id,
        }
        click.echo(orjson.dumps(document).decode())
    else:
        click.echo(f"signed in as {address}")
        click.echo(f"token stored in {path} (readable by you alone)")
        click.echo(f"token good until {until}" if until else "token expiry unknown (not a JWT)")
        if signed.refresh_token:
            click.echo("refresh token stored too: a run renews an expiring token by itself")
    if shadow:
        click.echo(
            f"booker: warning: RESY_AUTH_TOKEN in {shadow} comes first and hides the stored one; "
            "remove it there",
            err=True,
        )
    return 0


def read_password() -> str:
    """From a hidden prompt on a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        password = str(click.prompt("Resy password", hide_input=True, err=True))
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise UsageError("no password given (type it at the prompt or pipe it on stdin)")
    return password


def _shadowing_source() -> str | None:
    """Where a RESY_AUTH_TOKEN that beats the settings file lives: the environment or ./.env."""
    if os.environ.get(resy.AUTH_TOKEN):
        return "the environment"
    env_file = Path.cwd() / ".env"
    if env_file.is_file():
        from booker.core.exceptions import BookerError
        from booker.store.credentials import read_env_file

        try:
            if read_env_file(env_file).get(resy.AUTH_TOKEN):
                return str(env_file)
        except BookerError:
            return None
    return None
