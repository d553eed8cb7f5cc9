"""Command line: click only. Parses, builds frozen values, runs, maps results to exit codes.

Exit codes: 0 booked (or a dry run found a slot), 1 not booked in time or the
service unreachable, 2 bad usage or input (a journal or log booker cannot use
included), 3 the service refused for good, 130 interrupted.

Each command lives in its own module of this package and is registered here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from booker.cli.book import book
from booker.cli.cards import cards
from booker.cli.check import check
from booker.cli.completion import completion
from booker.cli.drop import drop
from booker.cli.history import history
from booker.cli.login import login
from booker.cli.ping import ping
from booker.cli.schedule import schedule
from booker.cli.settings_cmd import settings
from booker.cli.sim import sim
from booker.cli.slots import slots
from booker.cli.venue import venue
from booker.core.exceptions import BookerError
from booker.engine.hardening import forbid_core_dumps

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""\b
Example:
  booker ping resy && booker slots resy --venue-id 60029 --date 2026-12-24 --party-size 2
""",
)
@click.version_option(package_name="booker")
def cli() -> None:
    """Win hard-to-get reservations the instant they are released."""


cli.add_command(book)
cli.add_command(sim)
cli.add_command(settings)
cli.add_command(schedule)
cli.add_command(drop)
cli.add_command(slots)
cli.add_command(venue)
cli.add_command(history)
cli.add_command(ping)
cli.add_command(completion)
cli.add_command(login)
cli.add_command(cards)
cli.add_command(check)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: one line on stderr for any error, documented exit codes."""
    forbid_core_dumps()  # credentials may be in the environment already
    try:
        code = cli.main(args=argv, prog_name="booker", standalone_mode=False)
    except click.exceptions.Abort:
        code = EXIT_INTERRUPTED
    except click.exceptions.NoArgsIsHelpError as exc:
        path = exc.ctx.command_path if exc.ctx else "booker"
        click.echo(f"booker: error: missing command; see '{path} --help'", err=True)
        code = exc.exit_code
    except click.ClickException as exc:
        click.echo(f"booker: error: {exc.format_message()}", err=True)
        code = exc.exit_code
    except BookerError as exc:
        click.echo(f"booker: error: {exc}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    sys.exit(code if isinstance(code, int) else 0)
