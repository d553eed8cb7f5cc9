"""The journal: every reservation booker made, in one SQLite file that survives crashes.

The file is ``$BOOKER_DATA_DIR/journal.sqlite3`` when that variable is set, else
``$XDG_DATA_HOME/booker/journal.sqlite3``, else ``~/.local/share/booker/journal.sqlite3``.
Several runs (cron jobs for different venues, each its own process) may write it at
once: the file is in WAL mode, every write is one ``BEGIN IMMEDIATE`` transaction,
committed with ``synchronous=FULL`` before ``record()`` returns, and a writer waits up
to ``BUSY_TIMEOUT_S`` for another to finish. The directory is private to the user
(0700) and the file is created 0600; it holds what was booked, never credentials.

Its format on disk and its migrations are ``journal_schema``; a row is a
``journal_entry.Entry``; ``booker history``'s query is ``journal_history``; the job's
key and its lock are ``joblock``. Every SQLite or file-system failure leaves this
module as one ``JournalError`` with a one-line message.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

from booker.core.exceptions import JournalError
from booker.store import journal_history, journal_schema
from booker.store.journal_entry import COLUMNS, Entry, from_row
from booker.store.userdirs import user_dir

DATA_DIR_VARIABLE = "BOOKER_DATA_DIR"
FILE_NAME = "journal.sqlite3"
BUSY_TIMEOUT_S = 10.0


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$BOOKER_DATA_DIR``, else ``$XDG_DATA_HOME/booker``, else ``~/.local/share/booker``."""
    return user_dir(DATA_DIR_VARIABLE, "XDG_DATA_HOME", (".local", "share"), environ)


def journal_path(environ: Mapping[str, str] | None = None) -> Path:
    """The journal file (it may not exist yet)."""
    return data_dir(environ) / FILE_NAME


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).astimezone()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _translate(exc: sqlite3.Error | OSError, path: Path) -> JournalError:
    """A lower-layer failure as one JournalError line naming the file."""
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        return JournalError(_one_line(f"cannot open the journal {path}: {reason}"))
    message = str(exc)
    lowered = message.lower()
    if "locked" in lowered or "busy" in lowered:
        return JournalError(
            f"the journal {path} stayed locked by another booker for over "
            f"{BUSY_TIMEOUT_S:g} s; try again"
        )
    if "not a database" in lowered or "malformed" in lowered:
        return JournalError(_one_line(f"{path} is not a usable booker journal ({message})"))
    if "unable to open" in lowered or "readonly" in lowered or "disk i/o" in lowered:
        return JournalError(_one_line(f"cannot use the journal {path}: {message}"))
    return JournalError(_one_line(f"journal {path}: {message}"))


class Journal:
    """The journal file, open. Use as a context manager, or call ``close()``."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        self.path = journal_path() if path is None else path
        self._clock = clock
        self._connection: sqlite3.Connection | None = None
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Create the file ourselves so it is private from the first byte;
            # SQLite gives its -wal and -shm files the same permissions.
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                header = os.read(descriptor, len(journal_schema.SQLITE_HEADER))
            finally:
                os.close(descriptor)
        except OSError as exc:
            raise _translate(exc, self.path) from None
        # SQLite itself would take some tiny non-SQLite files for empty and overwrite them.
        if header and header != journal_schema.SQLITE_HEADER:
            raise JournalError(f"{self.path} is not a usable booker journal (not an SQLite file)")
        try:
            self._connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None
            )
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from None
        try:
            self._prepare()
        except BaseException:
            self.close()
            raise

    def _prepare(self) -> None:
        connection = self._require()
        with self._guard():
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            self._set_wal()
            connection.execute("PRAGMA synchronous = FULL")
            if journal_schema.version(connection) == journal_schema.SCHEMA_VERSION:
                return  # the common case: no write lock needed
            with self._transaction():
                journal_schema.upgrade(connection, self.path)

    def _set_wal(self) -> None:
        # Switching a new file to WAL needs a lock that SQLite may refuse without
        # waiting (no busy handler), so retry until the usual timeout.
        connection = self._require()
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)
        if str(mode).lower() != "wal":
            raise JournalError(f"the journal {self.path} cannot use WAL mode (got {mode})")

    def _require(self) -> sqlite3.Connection:
        if self._connection is None:
            raise JournalError(f"the journal {self.path} is closed")
        return self._connection

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise _translate(exc, self.path) from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: the write lock taken up front, committed (durably) on exit."""
        connection = self._require()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def record(self, entry: Entry) -> Entry:
        """Append ``entry``; durable when this returns. Returns it with its id and time."""
        recorded_at = self._clock().isoformat(timespec="seconds")
        with self._guard(), self._transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO entries (provider, job_key, venue, day, slot, reservation_id,"
                " party, status, source, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.provider,
                    entry.job_key,
                    entry.venue,
                    entry.day,
                    entry.slot,
                    entry.reservation_id,
                    entry.party,
                    entry.status,
                    entry.source,
                    recorded_at,
                ),
            )
            entry_id = cursor.lastrowid
        return dataclasses.replace(entry, recorded_at=recorded_at, entry_id=entry_id)

    def active_for(self, job_key: str) -> Entry | None:
        """The newest active entry of that job, or None."""
        with self._guard():
            row = (
                self._require()
                .execute(
                    f"SELECT {COLUMNS} FROM entries WHERE job_key = ? AND status = 'active'"
                    " ORDER BY id DESC LIMIT 1",
                    (job_key,),
                )
                .fetchone()
            )
        return None if row is None else from_row(row)

    def mark_cancelled(self, entry_id: int) -> None:
        """Mark one entry cancelled (it stays in the history). JournalError if there is none."""
        with self._guard(), self._transaction() as connection:
            cursor = connection.execute(
                "UPDATE entries SET status = 'cancelled' WHERE id = ?", (entry_id,)
            )
            if cursor.rowcount == 0:
                raise JournalError(f"the journal {self.path} has no entry {entry_id}")

    def history(
        self, limit: int = journal_history.DEFAULT_HISTORY_LIMIT, provider: str | None = None
    ) -> list[Entry]:
        """At most ``limit`` entries, newest first, of one provider or all."""
        journal_history.check_limit(limit)
        with self._guard():
            return journal_history.newest(self._require(), limit, provider)

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
