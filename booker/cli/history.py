"""``booker history``: the bookings in the journal, newest first."""

from __future__ import annotations

import click
import orjson

from booker import journal

EMPTY = "no bookings recorded yet"
_HEADERS = ("when", "provider", "venue", "day", "slot", "reservation id", "status", "source")


def _cell(value: object) -> str:
    """Text safe for one table cell: no control characters to break the line."""
    return "".join(c if c.isprintable() else "?" for c in str(value))


def shown_status(entry: journal.Entry) -> str:
    """``in cart`` for a cart item still held (it needs checkout), else the journal's status."""
    if entry.provider == "cart" and entry.status == "active":
        return "in cart"
    return entry.status


def render_table(entries: list[journal.Entry]) -> list[str]:
    """The table's lines: a header, then one line per entry, columns padded to fit."""
    rows = [_HEADERS] + [
        tuple(
            _cell(value)
            for value in (
                e.recorded_at,
                e.provider,
                e.venue,
                e.day,
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


@click.command(
    "history",
    epilog="""\b
Examples:
  booker history --limit 10
  booker history --provider resy --json | jq '.[0].reservation_id'
""",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=journal.DEFAULT_HISTORY_LIMIT,
    show_default=True,
    help="Show at most this many bookings.",
)
@click.option(
    "--provider", type=click.Choice(journal.PROVIDERS), help="Only this service's bookings."
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list on stdout.")
def history(limit: int, provider: str | None, as_json: bool) -> None:
    """Past bookings from the journal, newest first."""
    path = journal.journal_path()
    entries: list[journal.Entry] = []
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
