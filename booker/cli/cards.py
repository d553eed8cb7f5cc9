"""``booker cards PROVIDER``: the account's payment methods, for ``--payment-method-id``."""

from __future__ import annotations

from pathlib import Path

import click
import orjson

from booker.cli.options import lookup_options
from booker.providers import resy


@click.group(
    epilog="""\b
Example:
  booker cards resy
"""
)
def cards() -> None:
    """List the account's payment methods."""


@cards.command(
    "resy",
    epilog="""\b
Examples:
  booker cards resy
  booker cards resy --json | jq '.[] | select(.default) | .id'
""",
)
@lookup_options(resy.BASE_URL)
def cards_resy(base_url: str, ca_cert: Path | None, as_json: bool) -> int:
    """Payment methods on the Resy account: id, type and which is the default (GET /2/user)."""
    from booker.core.wire import check_base_url
    from booker.oneshot.client import client_config
    from booker.oneshot.resy_account import cards
    from booker.providers import resy_credentials

    config = client_config(check_base_url(base_url), ca_cert)
    found = cards(config, resy_credentials.load(with_token=True))
    if as_json:
        document = [
            {"id": c.id, "type": c.type, "default": c.is_default, "display": c.display or None}
            for c in found
        ]
        click.echo(orjson.dumps(document).decode())
        return 0
    if not found:
        click.echo("no payment method on file: add a card to your Resy account")
        return 0
    click.echo(f"{'ID':<12} {'TYPE':<12} DEFAULT")
    for card in found:
        kind = f"{card.type} {card.display}".strip()
        click.echo(f"{card.id:<12} {kind:<12} {'yes' if card.is_default else '-'}")
    return 0
