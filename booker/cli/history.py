"""``booker history``: the bookings in the journal, newest first."""

from __future__ import annotations

import click
import orjson

from booker.core.exceptions import UsageError
from booker.providers import cart
from booker.providers.credentials import PROVIDERS
from booker.store import journal
from booker.store.journal_entry import Entry
from booker.store.journal_history import DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT

EMPTY = "no bookings recorded yet"
_HEADERS = (
    "when", "provider", "venue", "day", "party", "slot", "reservation id", "status", "source"
)  # fmt: skip
ALL = MAX_HISTORY_LIMIT  # forget looks through the whole journal (as history can)


def _cell(value: object) -> str:
    """Text safe for one table cell: no control characters to break the line."""
    return "".join(c if c.isprintable() else "?" for c in str(value))


def shown_status(entry: Entry) -> str:
    """``in cart`` for a cart item still held (it needs checkout), else the journal's status."""
    if entry.provider == cart.NAME and entry.status == "active":
        return "in cart"
    return entry.status


def render_table(entries: list[Entry]) -> list[str]:
    """The table's lines: a header, then one line per entry, columns padded to fit."""
    rows = [_HEADERS] + [
        tuple(
            _cell(value)
            for value in (
                e.recorded_at,
                e.provider,
                e.venue,
                e.day,
                "-" if e.party is None else e.party,
                e.slot,
                e.reservation_id,
                shown_status(e),
                e.source,
            )
        )
        for e in entries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADERS))]
    return [
        "  ".join(f"{c:<{w}}" for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]


@click.group(
    "history",
    invoke_without_command=True,
    epilog="""\b
Examples:
  booker history --limit 10
  booker history --provider resy --json | jq '.[0].reservation_id'
  booker history forget 900000001     # cancelled elsewhere: book that job again
""",
)
@click.option(
    "--limit",
    type=click.IntRange(1, MAX_HISTORY_LIMIT),
    default=DEFAULT_HISTORY_LIMIT,
    show_default=True,
    help="Show at most this many bookings.",
)
@click.option("--provider", type=click.Choice(PROVIDERS), help="Only this service's bookings.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list on stdout.")
@click.pass_context
def history(ctx: click.Context, limit: int, provider: str | None, as_json: bool) -> None:
    """Past bookings from the journal, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    path = journal.journal_path()
    entries: list[Entry] = []
    if path.exists():  # a look must not create the file
        with journal.Journal(path) as book:
            entries = book.history(limit=limit, provider=provider)
    if as_json:
        shown = [
            {**entry.to_json(), "in_cart": shown_status(entry) == "in cart"} for entry in entries
        ]
        click.echo(orjson.dumps(shown).decode())
    elif not entries:
        click.echo(EMPTY if provider is None else f"{EMPTY} for {provider}")
    else:
        for line in render_table(entries):
            click.echo(line)


@history.command(
    "forget",
    epilog="""\b
Example:
  booker history forget 900000001
""",
)
@click.argument("reservation_id", metavar="ID")
def forget(reservation_id: str) -> None:
    """Mark the booking with reservation ID cancelled (you cancelled it elsewhere), so the
    same job can book again without --force. It stays in the history."""
    path = journal.journal_path()
    if not path.exists():
        raise UsageError(f"no booking with reservation id {reservation_id!r}: the journal is empty")
    with journal.Journal(path) as book:
        matching = [e for e in book.history(limit=ALL) if e.reservation_id == reservation_id]
        active = [e for e in matching if e.status == "active" and e.entry_id is not None]
        for entry in active:
            assert entry.entry_id is not None
            book.mark_cancelled(entry.entry_id)
    if not matching:
        raise UsageError(
            f"no booking with reservation id {reservation_id!r} in the journal (see booker history)"
        )
    if not active:
        click.echo(f"reservation {reservation_id} was already marked cancelled")
        return
    entry = active[0]
    click.echo(
        f"reservation {reservation_id} ({entry.provider} {entry.venue}, {entry.day}, {entry.slot}) "
        "marked cancelled: booking that job again needs no --force"
    )
