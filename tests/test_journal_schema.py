"""The journal's schema (booker.store.journal_schema): files of every older version still open.

The oldest files are written here with raw ``sqlite3`` and the SQL spelled out, not taken
from ``MIGRATIONS``: a journal an older booker wrote must keep opening, and keep its
entries, whatever later versions change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from booker.store import journal_schema
from booker.store.journal import Journal
from booker.store.journal_entry import Entry
from booker.store.journal_schema import MIGRATIONS, SCHEMA_VERSION

# Version 1, the first booker journal, exactly as the first booker with a journal made it.
VERSION_1 = (
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
)
KEPT = Entry(
    provider="resy",
    job_key="resy:60029:2026-12-24:2",
    venue="60029",
    day="2026-12-24",
    slot="19:00",
    reservation_id="rr-old",
    party=2,
    recorded_at="2026-11-24T10:00:01-05:00",
    entry_id=1,
)


def shape(path: Path) -> dict[str, Any]:
    """The tables, columns and indexes of an SQLite file, and its schema version."""
    with sqlite3.connect(path) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        found: dict[str, Any] = {
            "version": connection.execute("PRAGMA user_version").fetchone()[0],
            "integrity": connection.execute("PRAGMA integrity_check").fetchone()[0],
        }
        for table in tables:
            found[table] = connection.execute(f"PRAGMA table_info({table})").fetchall()
            for index in connection.execute(f"PRAGMA index_list({table})").fetchall():
                name = index[1]
                found[name] = connection.execute(f"PRAGMA index_info({name})").fetchall()
    connection.close()
    return found


def write_version_1(path: Path) -> None:
    """A version-1 journal holding ``KEPT``, as the first booker wrote it."""
    with sqlite3.connect(path) as old:
        for statement in VERSION_1:
            old.execute(statement)
        old.execute(
            "INSERT INTO entries (provider, job_key, venue, day, slot, reservation_id, party,"
            " status, source, recorded_at) VALUES ('resy', 'resy:60029:2026-12-24:2', '60029',"
            " '2026-12-24', '19:00', 'rr-old', 2, 'active', 'booked', '2026-11-24T10:00:01-05:00')"
        )
        old.execute("PRAGMA user_version = 1")
    old.close()


def write_version_0(path: Path) -> None:
    """An SQLite file with nothing in it yet (version 0): what a new journal starts from."""
    with sqlite3.connect(path) as empty:
        empty.execute("CREATE TABLE scratch (x)")
        empty.execute("DROP TABLE scratch")  # the header is written, no table is left
    empty.close()


@pytest.mark.parametrize(
    ("version", "write", "kept"), [(0, write_version_0, []), (1, write_version_1, [KEPT])]
)
def test_the_oldest_files_are_upgraded_and_keep_their_entries(
    tmp_path: Path, version: int, write: Callable[[Path], None], kept: list[Entry]
) -> None:
    """Opening a file of an older schema brings it to the newest, shaped like a new file's."""
    assert 1 <= SCHEMA_VERSION == len(MIGRATIONS)
    old = tmp_path / "old" / "journal.sqlite3"
    old.parent.mkdir(mode=0o700)
    write(old)
    assert shape(old)["version"] == version
    new = tmp_path / "new" / "journal.sqlite3"
    Journal(new).close()
    with Journal(old) as book:
        assert book.history() == kept
        assert book.active_for(KEPT.job_key) == (kept[0] if kept else None)
        added = book.record(Entry("cart", "cart:CO:1", "CO", "2026-12-24", "A-7", "c-1"))
        assert book.history() == [added, *kept]
    assert shape(old) == shape(new)
    assert shape(new)["version"] == SCHEMA_VERSION


def test_a_later_version_is_applied_on_top_of_version_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A made-up version 2 appended to ``MIGRATIONS``: a version-1 file runs only that step."""
    step = ("ALTER TABLE entries ADD COLUMN note TEXT",)
    monkeypatch.setattr(journal_schema, "MIGRATIONS", (*MIGRATIONS, step))
    monkeypatch.setattr(journal_schema, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    old = tmp_path / "journal.sqlite3"
    write_version_1(old)
    with Journal(old) as book:
        assert book.history() == [KEPT]
    found = shape(old)
    assert found["version"] == SCHEMA_VERSION + 1
    assert [column[1] for column in found["entries"]][-1] == "note"
