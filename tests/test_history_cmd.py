"""``booker history`` (booker.cli.history), run as a real subprocess on a journal in tmp_path."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from booker.cli import main
from booker.store.joblock import job_key
from booker.store.journal import FILE_NAME, Journal
from booker.store.journal_entry import Entry

AT = dt.datetime(2026, 12, 1, 9, 0, 3, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def history(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``booker history ARGS`` with BOOKER_DATA_DIR=data and no other BOOKER_ variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKER_")}
    env["BOOKER_DATA_DIR"] = str(data)
    return subprocess.run(
        [sys.executable, "-m", "booker", "history", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture
def filled(tmp_path: Path) -> list[Entry]:
    """Three bookings (resy, cart, resy then cancelled) in tmp_path's journal, oldest first."""
    with Journal(tmp_path / FILE_NAME, clock=lambda: AT) as book:
        first = book.record(
            Entry("resy", job_key("resy", 60029, "2026-12-24", 2), "60029", "2026-12-24",
                  "19:00", "resy-111", party=2)
        )  # fmt: skip
        second = book.record(
            Entry("cart", job_key("cart", "CO", "1234", "A-7"), "CO/1234", "2026-07-04",
                  "A-7", "cart-222", source="recovered")
        )  # fmt: skip
        third = book.record(
            Entry("resy", job_key("resy", 1505, "2026-12-31", 4), "1505", "2026-12-31",
                  "20:30", "resy-333", party=4)
        )  # fmt: skip
        assert third.entry_id is not None
        book.mark_cancelled(third.entry_id)
    return [first, second, dataclasses.replace(third, status="cancelled")]


def test_empty(tmp_path: Path) -> None:
    """No journal: the message and exit 0, and the look creates no file; an empty one: ``[]``."""
    done = history(tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "no bookings recorded yet\n", "")
    assert not (tmp_path / FILE_NAME).exists()
    Journal(tmp_path / FILE_NAME).close()
    done = history(tmp_path, "--json")
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")


def test_table_newest_first(tmp_path: Path, filled: list[Entry]) -> None:
    """A header and one aligned row per booking, newest first, with status and source."""
    done = history(tmp_path)
    assert done.returncode == 0, done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split() == [
        "when", "provider", "venue", "day", "party", "slot", "reservation", "id", "status", "source"
    ]  # fmt: skip
    assert [row.split() for row in rows] == [
        ["2026-12-01T09:00:03-05:00", "resy", "1505", "2026-12-31", "4", "20:30", "resy-333",
         "cancelled", "booked"],
        ["2026-12-01T09:00:03-05:00", "cart", "CO/1234", "2026-07-04", "-", "A-7", "cart-222",
         "in", "cart", "recovered"],  # held only until checkout: "in cart"
        ["2026-12-01T09:00:03-05:00", "resy", "60029", "2026-12-24", "2", "19:00", "resy-111",
         "active", "booked"],
    ]  # fmt: skip
    column = header.index("reservation id")  # every row has its id right under the heading
    assert [row[column:].split()[0] for row in rows] == ["resy-333", "cart-222", "resy-111"]


def test_json(tmp_path: Path, filled: list[Entry]) -> None:
    """--json: a list of every field of every entry, newest first, nothing else on stdout."""
    done = history(tmp_path, "--json")
    assert done.returncode == 0, done.stderr
    assert orjson.loads(done.stdout) == [
        {**entry.to_json(), "in_cart": entry.provider == "cart" and entry.status == "active"}
        for entry in reversed(filled)
    ]
    assert orjson.loads(done.stdout)[0]["status"] == "cancelled"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--limit", "2", "--json"), ["resy-333", "cart-222"]),
        (("--provider", "resy", "--json"), ["resy-333", "resy-111"]),
        (("--provider", "cart", "--limit", "5"), ["cart-222"]),
    ],
)
def test_limit_and_provider(
    tmp_path: Path, filled: list[Entry], args: tuple[str, ...], expected: list[str]
) -> None:
    """--limit caps and --provider filters, in the table and in JSON."""
    done = history(tmp_path, *args)
    assert done.returncode == 0, done.stderr
    if "--json" in args:
        found = [e["reservation_id"] for e in orjson.loads(done.stdout)]
    else:
        found = [row.split()[6] for row in done.stdout.splitlines()[1:]]
    assert found == expected


def test_provider_with_no_bookings(tmp_path: Path) -> None:
    """A filter that matches nothing says so for that provider."""
    with Journal(tmp_path / FILE_NAME) as book:
        book.record(Entry("resy", "resy:1:2026-12-24:2", "1", "2026-12-24", "19:00", "r"))
    done = history(tmp_path, "--provider", "cart")
    assert (done.returncode, done.stdout) == (0, "no bookings recorded yet for cart\n")


@pytest.mark.parametrize(
    "args",
    [
        ("--limit", "0"),
        ("--limit", "100001"),
        ("--limit", "100000000000000000000"),  # once past SQLite's integers: a traceback
        ("--provider", "opentable"),
    ],
)
def test_bad_options(
    args: tuple[str, ...], capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Bad options (in-process, through main()): exit 2 with one `booker: error:` line."""
    monkeypatch.setenv("BOOKER_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit) as exited:
        main(["history", *args])
    out, err = capsys.readouterr()
    assert exited.value.code == 2
    assert (out, err.count("\n")) == ("", 1)
    assert err.startswith("booker: error: ")


def test_corrupt_journal(tmp_path: Path) -> None:
    """A journal that is not SQLite: exit 2 (like every file booker cannot use), one
    `booker: error:` line naming the file."""
    (tmp_path / FILE_NAME).write_bytes(b"garbage, not a database\n" * 50)
    done = history(tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("booker: error: ")
    assert done.stderr.count("\n") == 1
    assert str(tmp_path / FILE_NAME) in done.stderr


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    """--help (in-process) ends with a runnable example."""
    with pytest.raises(SystemExit) as exited:
        main(["history", "--help"])
    assert exited.value.code == 0
    assert "booker history --limit 10" in capsys.readouterr().out


def test_forget_a_reservation_cancelled_elsewhere(tmp_path: Path, filled: list[Entry]) -> None:
    """`history forget ID` marks it cancelled: the job is no longer held, the entry stays."""
    key = job_key("resy", 60029, "2026-12-24", 2)
    with Journal(tmp_path / FILE_NAME) as book:
        assert book.active_for(key) is not None
    done = history(tmp_path, "forget", "resy-111")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("reservation resy-111 (resy 60029, 2026-12-24, 19:00) marked")
    with Journal(tmp_path / FILE_NAME) as book:
        assert book.active_for(key) is None
        assert len(book.history()) == 3
    again = history(tmp_path, "forget", "resy-111")
    assert (again.returncode, again.stdout) == (
        0,
        "reservation resy-111 was already marked cancelled\n",
    )
    unknown = history(tmp_path, "forget", "nope-9")
    assert unknown.returncode == 2
    assert unknown.stderr == (
        "booker: error: no booking with reservation id 'nope-9' in the journal (see booker history)\n"
    )
