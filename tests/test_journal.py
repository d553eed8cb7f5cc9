"""The journal (booker.store.journal): durable, private, safe with several writers at once."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booker.core.exceptions import BookerError, JournalError
from booker.store import journal, journal_entry, journal_schema
from booker.store.joblock import job_key
from booker.store.journal import Journal, data_dir, journal_path
from booker.store.journal_entry import Entry

PROPERTY = settings(max_examples=100, deadline=None, database=None, derandomize=True)
WRITERS = 4
RECORDS_EACH = 50
FIXED = dt.datetime(2026, 12, 1, 9, 0, 3, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def entry(**changes: Any) -> Entry:
    """A Resy entry for venue 60029 on 2026-12-24, with ``changes`` applied."""
    values: dict[str, Any] = {
        "provider": "resy",
        "job_key": job_key("resy", 60029, "2026-12-24", 2),
        "venue": "60029",
        "day": "2026-12-24",
        "slot": "19:00",
        "reservation_id": "rr-1",
        "party": 2,
    }
    return Entry(**(values | changes))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A journal file (not created yet) in a directory that does not exist yet."""
    return tmp_path / "data" / "journal.sqlite3"


# -- where it lives ---------------------------------------------------------------


def test_override_wins(tmp_path: Path) -> None:
    """BOOKER_DATA_DIR beats XDG_DATA_HOME; the file is journal.sqlite3 inside it."""
    env = {"BOOKER_DATA_DIR": str(tmp_path / "d"), "XDG_DATA_HOME": str(tmp_path / "x")}
    assert data_dir(env) == tmp_path / "d"
    assert journal_path(env) == tmp_path / "d" / "journal.sqlite3"


def test_xdg_data_home(tmp_path: Path) -> None:
    """Without an override: $XDG_DATA_HOME/booker."""
    assert data_dir({"XDG_DATA_HOME": str(tmp_path)}) == tmp_path / "booker"


@pytest.mark.parametrize("xdg", ["", "relative/dir"])
def test_fallback_to_home(xdg: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Unset or relative XDG_DATA_HOME (ignored, as the spec says): ~/.local/share/booker."""
    monkeypatch.setenv("HOME", str(tmp_path))
    env = {"XDG_DATA_HOME": xdg} if xdg else {}
    assert data_dir(env) == tmp_path / ".local" / "share" / "booker"


def test_default_path_follows_the_environment(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Journal() with no path opens journal_path() of the process environment."""
    monkeypatch.setenv("BOOKER_DATA_DIR", str(path.parent))
    with Journal() as book:
        assert book.path == path
    assert path.is_file()


# -- job keys ---------------------------------------------------------------------


def test_job_key_readable() -> None:
    """Parts joined by colons, dates as ISO days."""
    assert job_key("resy", 60029, dt.date(2026, 12, 24), 2) == "resy:60029:2026-12-24:2"
    assert job_key("cart", "CO", "1234", "A-7") == "cart:CO:1234:A-7"


@pytest.mark.parametrize(
    ("a", "b"),
    [(("a:b", "c"), ("a", "b:c")), (("a%3Ab",), ("a:b",)), (("1",), (1,))],
)
def test_job_key_unambiguous(a: tuple[object, ...], b: tuple[object, ...]) -> None:
    """Colons and percent signs inside a part are escaped; equal text gives an equal key."""
    same = [str(x) for x in a] == [str(x) for x in b]
    assert (job_key("p", *a) == job_key("p", *b)) is same


# -- reading and writing ----------------------------------------------------------


def test_record_and_read_back(path: Path) -> None:
    """record() returns the entry with an id and time; a new Journal reads the same back."""
    with Journal(path, clock=lambda: FIXED) as book:
        saved = book.record(entry())
    assert saved.entry_id is not None
    assert saved.recorded_at == "2026-12-01T09:00:03-05:00"
    assert saved == entry(entry_id=saved.entry_id, recorded_at=saved.recorded_at)
    with Journal(path) as book:
        assert book.history() == [saved]
        assert book.active_for(saved.job_key) == saved


def test_recorded_at_has_an_offset(path: Path) -> None:
    """The default clock writes ISO 8601 with a UTC offset."""
    with Journal(path) as book:
        saved = book.record(entry())
    assert dt.datetime.fromisoformat(saved.recorded_at).utcoffset() is not None


def test_active_for_newest_active(path: Path) -> None:
    """The newest active entry of the job wins; cancelled ones and other jobs are ignored."""
    with Journal(path) as book:
        key = entry().job_key
        older = book.record(entry(reservation_id="old"))
        newer = book.record(entry(reservation_id="new"))
        book.record(entry(job_key="resy:1:2026-12-24:2", reservation_id="other"))
        book.record(entry(reservation_id="was-cancelled", status="cancelled"))
        assert book.active_for(key) == newer
        assert newer.entry_id is not None and older.entry_id is not None
        book.mark_cancelled(newer.entry_id)
        assert book.active_for(key) == older
        book.mark_cancelled(older.entry_id)
        assert book.active_for(key) is None
        assert book.active_for("resy:unknown") is None


def test_mark_cancelled_keeps_history(path: Path) -> None:
    """A cancelled entry stays in the history with status cancelled; an unknown id is an error."""
    with Journal(path) as book:
        saved = book.record(entry())
        assert saved.entry_id is not None
        book.mark_cancelled(saved.entry_id)
        assert [e.status for e in book.history()] == ["cancelled"]
        with pytest.raises(JournalError, match="no entry 999"):
            book.mark_cancelled(999)


def test_history_order_limit_and_provider(path: Path) -> None:
    """Newest first; limit caps the count; provider filters."""
    with Journal(path) as book:
        for i in range(6):
            provider = "resy" if i % 2 == 0 else "cart"
            book.record(entry(provider=provider, reservation_id=f"r{i}"))
        assert [e.reservation_id for e in book.history()] == [f"r{i}" for i in range(5, -1, -1)]
        assert [e.reservation_id for e in book.history(limit=2)] == ["r5", "r4"]
        assert [e.reservation_id for e in book.history(provider="resy")] == ["r4", "r2", "r0"]
        assert [e.reservation_id for e in book.history(1, provider="cart")] == ["r5"]
        assert book.history(provider="other") == []
        with pytest.raises(ValueError, match="limit"):
            book.history(limit=0)


@pytest.mark.parametrize(
    "changes",
    [{"status": "booked"}, {"source": "guessed"}, {"party": 0}, {"party": 2**63}],
)
def test_entry_rejects_bad_values(changes: dict[str, Any]) -> None:
    """Status, source and party are checked when the Entry is built."""
    with pytest.raises(ValueError, match="must be"):
        entry(**changes)


def test_entry_has_no_credential_fields() -> None:
    """Nothing in an Entry can hold a key, token or card."""
    names = set(Entry.__dataclass_fields__)
    assert not {n for n in names if any(w in n for w in ("key", "token", "auth", "payment"))} - {
        "job_key"
    }


def test_to_json_has_every_field() -> None:
    """to_json() names every field."""
    assert set(entry().to_json()) == set(Entry.__dataclass_fields__)


text = st.text()  # any Unicode but lone surrogates (which UTF-8 cannot hold), NUL included


def test_unicode_round_trip(tmp_path: Path) -> None:
    """Arbitrary Unicode in every text field comes back exactly as written."""
    with Journal(tmp_path / "journal.sqlite3") as book:

        @PROPERTY
        @given(
            provider=text,
            key=text,
            venue=text,
            day=text,
            slot=text,
            reservation_id=text,
            party=st.none() | st.integers(1, 2**63 - 1),
            status=st.sampled_from(journal_entry.STATUSES),
            source=st.sampled_from(journal_entry.SOURCES),
        )
        def check(
            provider: str,
            key: str,
            venue: str,
            day: str,
            slot: str,
            reservation_id: str,
            party: int | None,
            status: str,
            source: str,
        ) -> None:
            written = Entry(provider, key, venue, day, slot, reservation_id, party, status, source)
            saved = book.record(written)
            assert book.history(limit=1) == [saved]
            assert book.history(limit=1, provider=provider) == [saved]
            if status == "active":
                assert book.active_for(key) == saved

        check()


# -- the file ---------------------------------------------------------------------


def test_wal_mode_and_schema_version(path: Path) -> None:
    """The file is in WAL mode and carries the schema version."""
    Journal(path).close()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert check.execute("PRAGMA user_version").fetchone() == (journal_schema.SCHEMA_VERSION,)
    check.close()


def test_private_permissions(path: Path) -> None:
    """The directory is 0700, the file and its WAL 0600."""
    with Journal(path) as book:
        book.record(entry())
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        wal = path.with_name(path.name + "-wal")
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_reopen_keeps_schema_and_data(path: Path) -> None:
    """Opening an existing journal migrates nothing and loses nothing."""
    with Journal(path) as book:
        first = book.record(entry())
    with Journal(path) as book:
        second = book.record(entry(reservation_id="rr-2"))
        assert book.history() == [second, first]


DURABILITY_CHILD = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from booker.store.journal import Journal
    from booker.store.journal_entry import Entry
    book = Journal(Path(sys.argv[1]))
    saved = book.record(Entry("resy", "resy:1:2026-12-24:2", "1", "2026-12-24", "19:00", "kept"))
    print(saved.entry_id, flush=True)
    os._exit(0)  # no close, no checkpoint, no atexit: as if killed
    """
)


def test_durable_when_the_process_dies(path: Path) -> None:
    """A record() that returned survives the process dying before close()."""
    done = subprocess.run(
        [sys.executable, "-c", DURABILITY_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert path.with_name(path.name + "-wal").exists()  # the commit is in the WAL, unmerged
    with Journal(path) as book:
        found = book.active_for("resy:1:2026-12-24:2")
    assert found is not None
    assert found.reservation_id == "kept"
    assert found.entry_id == int(done.stdout)


def _writer(path: str, writer: int, barrier: Any) -> None:
    """One process of the concurrency test: open at the same moment, then record in a loop."""
    barrier.wait()
    with Journal(Path(path)) as book:
        for i in range(RECORDS_EACH):
            book.record(
                entry(
                    job_key=job_key("resy", writer, "2026-12-24", 2),
                    venue=str(writer),
                    reservation_id=f"{writer}-{i}",
                )
            )


def test_concurrent_writers(path: Path) -> None:
    """4 processes x 50 records into one new file at once: 200 rows, none lost, file intact."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WRITERS)
    processes = [
        context.Process(target=_writer, args=(str(path), n, barrier)) for n in range(WRITERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [p.exitcode for p in processes] == [0] * WRITERS
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("SELECT count(*) FROM entries").fetchone() == (200,)
        ids = {row[0] for row in check.execute("SELECT reservation_id FROM entries")}
    check.close()
    assert ids == {f"{w}-{i}" for w in range(WRITERS) for i in range(RECORDS_EACH)}
    with Journal(path) as book:
        for writer in range(WRITERS):
            newest = book.active_for(job_key("resy", writer, "2026-12-24", 2))
            assert newest is not None
            assert newest.reservation_id == f"{writer}-{RECORDS_EACH - 1}"


# -- errors -----------------------------------------------------------------------


def one_line_error(path: Path) -> JournalError:
    """The JournalError raised by opening ``path``, checked to be one line naming it."""
    with pytest.raises(JournalError) as raised:
        Journal(path)
    message = str(raised.value)
    assert "\n" not in message
    assert str(path) in message
    assert isinstance(raised.value, BookerError)
    assert raised.value.exit_code == 2
    return raised.value


@pytest.mark.parametrize(
    "garbage",
    [
        b"x",
        b"this is not a database\n" * 200,
        bytes(4096),
        b"SQLite format 3\x00" + b"\xff" * 4000,  # the right magic, then nonsense
    ],
)
def test_garbage_file(path: Path, garbage: bytes) -> None:
    """A file that is not SQLite: JournalError, and the file is left as it was."""
    path.parent.mkdir()
    path.write_bytes(garbage)
    assert "not a usable booker journal" in str(one_line_error(path))
    assert path.read_bytes() == garbage


def test_other_sqlite_database(path: Path) -> None:
    """Somebody else's SQLite file is refused rather than written into."""
    path.parent.mkdir()
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE t (x)")
    other.close()
    assert "not a booker journal" in str(one_line_error(path))


def test_newer_schema(path: Path) -> None:
    """A journal from a newer booker is refused, not downgraded."""
    Journal(path).close()
    with sqlite3.connect(path) as newer:
        newer.execute(f"PRAGMA user_version = {journal_schema.SCHEMA_VERSION + 1}")
    newer.close()
    assert "upgrade booker" in str(one_line_error(path))


def test_directory_in_the_way(path: Path) -> None:
    """The journal path is a directory: JournalError."""
    path.mkdir(parents=True)
    one_line_error(path)


def test_directory_cannot_be_made(tmp_path: Path) -> None:
    """A plain file where the data directory should be: JournalError."""
    (tmp_path / "data").write_text("")
    assert "cannot open the journal" in str(one_line_error(tmp_path / "data" / "journal.sqlite3"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(path: Path) -> None:
    """A file we may not read: JournalError."""
    Journal(path).close()
    path.chmod(0)
    one_line_error(path)


def test_locked_beyond_the_timeout(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another writer holding the lock past the busy timeout: JournalError saying so."""
    monkeypatch.setattr(journal, "BUSY_TIMEOUT_S", 0.2)
    Journal(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with Journal(path) as book, pytest.raises(JournalError) as raised:
            book.record(entry())
        assert "locked" in str(raised.value)
        assert "\n" not in str(raised.value)
    finally:
        holder.close()
    with Journal(path) as book:
        assert book.history() == []  # the refused write left nothing behind


def test_closed_journal(path: Path) -> None:
    """Using a closed journal is a JournalError; close() twice is harmless."""
    book = Journal(path)
    book.close()
    book.close()
    with pytest.raises(JournalError, match="closed"):
        book.history()
