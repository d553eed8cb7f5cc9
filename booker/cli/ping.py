"""``booker ping PROVIDER``: credentials, round trip, HTTP version and the service's clock.

Exit codes: 0 all is well, 1 the service cannot be reached (or answers wrongly),
3 the service refuses the credentials.

Each provider is one small command here: it builds its ``Probe`` (see
``booker.lookups``) and hands it to ``_report``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
import orjson

from booker.cli.options import lookup_options
from booker.core.wire import check_base_url
from booker.providers import cart, resy

if TYPE_CHECKING:
    from booker.engine.server_clock import Estimate
    from booker.lookups import Probe

SAMPLES = click.option(
    "--samples",
    type=click.IntRange(1, 50),
    default=5,
    show_default=True,
    help="Timed requests after the one that warms the connection.",
)


@click.group(
    epilog="""\b
Example:
  booker ping resy
"""
)
def ping() -> None:
    """Check credentials, round-trip time and clock offset against a service."""


@ping.command(
    "resy",
    epilog="""\b
Examples:
  booker ping resy
  booker ping resy --samples 10 --json
""",
)
@lookup_options(resy.BASE_URL)
@SAMPLES
def ping_resy(base_url: str, ca_cert: Path | None, as_json: bool, samples: int) -> int:
    """Check the Resy credentials (GET /2/user) and time a warm connection."""
    from booker import lookups
    from booker.providers import resy_credentials

    probe = lookups.resy_probe(resy_credentials.load(with_token=True))
    return _report(probe, base_url, ca_cert, as_json, samples)


@ping.command(
    "cart",
    epilog="""\b
Example:
  booker ping cart --json
""",
)
@lookup_options(cart.BASE_URL)
@SAMPLES
def ping_cart(base_url: str, ca_cert: Path | None, as_json: bool, samples: int) -> int:
    """Check the cart session cookies (GET the cart) and time a warm connection."""
    from booker import lookups
    from booker.providers import cart_credentials

    probe = lookups.cart_probe(cart_credentials.load())
    return _report(probe, base_url, ca_cert, as_json, samples)


def _report(probe: Probe, base_url: str, ca_cert: Path | None, as_json: bool, samples: int) -> int:
    """Run ``probe`` and print the result; errors leave as exceptions (exit 1 or 3)."""
    from booker import lookups

    config = lookups.client_config(check_base_url(base_url), ca_cert)
    result = lookups.ping(config, probe, samples)
    if as_json:
        click.echo(orjson.dumps(result.to_json()).decode())
        return 0
    rtt = result.rtt_ms
    click.echo(f"{probe.provider} at {result.base_url}: credentials accepted")
    click.echo(
        f"round trip    {result.median_ms:.1f} ms median of {len(rtt)} over a warm connection "
        f"(min {min(rtt):.1f}, max {max(rtt):.1f}; first request {result.first_ms:.1f} ms)"
    )
    click.echo(f"HTTP version  {result.http_version}")
    click.echo(f"clock         {describe_offset(result.offset)}")
    return 0


def describe_offset(offset: Estimate | None) -> str:
    """``server clock +0.420 s ± 2.0 ms``, or why there is no estimate."""
    if offset is None:
        return "unknown (no Date header in the answers)"
    from booker.engine.server_clock import doubt, format_estimate

    reason = doubt(offset)
    if reason is not None:
        return (
            f"{format_estimate(offset)}: not believed ({reason}); booker would use this machine's"
        )
    return format_estimate(offset)
