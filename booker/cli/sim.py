"""``booker sim``: the local simulator."""

from __future__ import annotations

from pathlib import Path

import click

from booker.core.exceptions import UsageError


@click.command(
    "sim",
    epilog="""\b
Example:
  booker sim --port 8443 --scenario drop.toml --ready-file /tmp/sim.json
""",
)
@click.option(
    "--scenario",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Scenario file (TOML); a built-in one when omitted.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port on 127.0.0.1 (0 picks a free one).",
)
@click.option("--plain", is_flag=True, help="Plain HTTP/1.1 instead of HTTP/2 over TLS.")
@click.option(
    "--ready-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the listening URL and CA path here as JSON once ready.",
)
def sim(scenario: Path | None, port: int, plain: bool, ready_file: Path | None) -> int:
    """Run the local reservation-service simulator on 127.0.0.1."""
    try:
        from booker.sim import serve
    except ImportError as exc:
        raise UsageError("the simulator needs its extras: pip install 'booker[sim]'") from exc
    serve(scenario, port=port, plain=plain, ready_file=ready_file)
    return 0
