"""``booker ping PROVIDER``: credentials, round trip, HTTP version and the service's clock.

Exit codes: 0 all is well, 1 the service cannot be reached (or answers wrongly),
3 the service refuses the credentials.

Each provider is one small command here: it builds its ``Probe`` (its provider's
``credentials_probe``) and hands it to ``_report``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import orjson

from booker.cli.options import lookup_options
from booker.core.wire import check_base_url
from booker.providers import cart, resy

if TYPE_CHECKING:
    from booker.core.ports import Probe
    from booker.engine.server_clock import Estimate
    from booker.oneshot.ping import PingResult

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
    from booker.providers import resy_credentials

    probe = resy.credentials_probe(resy_credentials.load(with_token=True))
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
    from booker.providers import cart_credentials

    probe = cart.credentials_probe(cart_credentials.load())
    return _report(probe, base_url, ca_cert, as_json, samples)


def _report(probe: Probe, base_url: str, ca_cert: Path | None, as_json: bool, samples: int) -> int:
    """Run ``probe`` and print the result; errors leave as exceptions (exit 1 or 3)."""
    from booker.oneshot.client import client_config
    from booker.oneshot.ping import ping

    config = client_config(check_base_url(base_url), ca_cert)
    result = ping(config, probe, samples)
    if as_json:
        click.echo(orjson.dumps(ping_json(result)).decode())
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


def ping_json(result: PingResult) -> dict[str, Any]:
    """The ``--json`` document."""
    offset = result.offset
    return {
        "provider": result.provider,
        "base_url": result.base_url,
        "credentials": "accepted",
        "http_version": result.http_version,
        "first_ms": round(result.first_ms, 3),
        "rtt_ms": {
            "median": round(result.median_ms, 3),
            "min": round(min(result.rtt_ms), 3),
            "max": round(max(result.rtt_ms), 3),
            "samples": [round(x, 3) for x in result.rtt_ms],
        },
        "server_clock_ahead_s": round(-offset.offset_s, 4) if offset else None,
        "server_clock_uncertainty_s": round(offset.uncertainty_s, 4) if offset else None,
    }


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
