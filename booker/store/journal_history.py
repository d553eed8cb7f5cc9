"""The journal's history: its entries newest first, as ``booker history`` lists them."""

from __future__ import annotations

import sqlite3

from booker.store.journal_entry import COLUMNS, Entry, from_row

DEFAULT_HISTORY_LIMIT = 50
MAX_HISTORY_LIMIT = 100_000


def check_limit(limit: int) -> None:
    """ValueError unless ``limit`` is within ``1..MAX_HISTORY_LIMIT``."""
    if not 1 <= limit <= MAX_HISTORY_LIMIT:
        raise ValueError(f"limit must be within 1..{MAX_HISTORY_LIMIT}, not {limit}")


def newest(
    connection: sqlite3.Connection, limit: int = DEFAULT_HISTORY_LIMIT, provider: str | None = None
) -> list[Entry]:
    """At most ``limit`` entries, newest first, of one provider or all (the caller has
    checked ``limit`` with ``check_limit``, before opening the file)."""
    where, parameters = ("WHERE provider = ?", (provider,)) if provider is not None else ("", ())
    rows = connection.execute(
        f"SELECT {COLUMNS} FROM entries {where} ORDER BY id DESC LIMIT ?", (*parameters, limit)
    ).fetchall()
    return [from_row(row) for row in rows]
