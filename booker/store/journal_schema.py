"""The journal's format on disk: the SQL of each schema version, and bringing a file up to date.

The schema is versioned with ``PRAGMA user_version``: ``MIGRATIONS[n]`` takes version
``n`` to ``n + 1``. A migration, once released, is never edited: a new version appends one.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from booker.core.exceptions import JournalError

SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite file

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE entries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            provider TEXT NOT NULL,
            job_key TEXT NOT NULL,
            venue TEXT NOT NULL,
            day TEXT NOT NULL,
            slot TEXT NOT NULL,
            reservation_id TEXT NOT NULL,
            party INTEGER,
            status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
            source TEXT NOT NULL CHECK (source IN ('booked', 'recovered')),
            recorded_at TEXT NOT NULL
        )""",
        "CREATE INDEX entries_by_job ON entries (job_key, status, id)",
        "CREATE INDEX entries_by_provider ON entries (provider, id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


def version(connection: sqlite3.Connection) -> int:
    """The file's schema version (0: a new, empty file)."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def upgrade(connection: sqlite3.Connection, path: Path) -> None:
    """Bring the file at ``path`` to ``SCHEMA_VERSION``; call within a write transaction.

    ``JournalError`` for a file of a newer booker, or an SQLite database that is not a journal.
    """
    found = version(connection)
    if found > SCHEMA_VERSION:
        raise JournalError(
            f"the journal {path} has schema version {found}; this booker "
            f"understands up to {SCHEMA_VERSION} (upgrade booker)"
        )
    if found == 0 and connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise JournalError(f"{path} is an SQLite database but not a booker journal")
    for statements in MIGRATIONS[found:]:
        for statement in statements:
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
