"""The files a booking run writes: a log or journal it cannot use is one line and exit 2;
a booking the journal could not record is said, and the exit code is still 0."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from test_cli_input import NoEngine, ReachedEngineError, assert_one_error_line, command, run

import booker.cli.runner as runner_module
from booker.core.model import Status
from booker.core.results import Outcome
from booker.sim.scenario import DEFAULT_AUTH_TOKEN
from booker.store import journal


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory, fake credentials, private dirs, the engine replaced."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RESY_API_KEY", "k" * 32)
    monkeypatch.setenv("RESY_AUTH_TOKEN", DEFAULT_AUTH_TOKEN)  # a JWT: no expiry warning
    monkeypatch.setenv("BOOKER_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("BOOKER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(runner_module, "Supervisor", NoEngine)
    yield tmp_path


LOCAL = ("--base-url", "http://127.0.0.1:8080")


def test_a_log_file_in_a_missing_directory_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "job.log"
    code, out, err = run(command(*LOCAL, "--log-file", str(missing)), capsys)
    assert_one_error_line(code, out, err, f"cannot write the log {missing}: No such file")
    assert "--log-file" in err


def test_a_log_directory_that_is_a_file_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "logs-file").write_text("not a directory")
    monkeypatch.setenv("BOOKER_LOG_DIR", str(tmp_path / "logs-file"))
    code, out, err = run(command(*LOCAL), capsys)
    assert_one_error_line(code, out, err, f"cannot write the log {tmp_path / 'logs-file'}")
    assert "BOOKER_LOG_DIR" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_log_directory_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    monkeypatch.setenv("BOOKER_LOG_DIR", str(locked))
    code, out, err = run(command(*LOCAL), capsys)
    assert_one_error_line(code, out, err, "Permission denied")


def test_a_venue_id_too_long_for_a_file_name_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = command(*LOCAL)
    argv[argv.index("--venue-id") + 1] = "9" * 400
    code, out, err = run(argv, capsys)
    assert_one_error_line(code, out, err, "File name too long")


def test_log_files_are_created_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """0600 whatever the umask, like the journal: the log names venues, days and timings."""
    old = os.umask(0o022)
    try:
        with pytest.raises(ReachedEngineError):
            runner_module_main(command(*LOCAL, "--log-file", str(tmp_path / "job.log")))
        with pytest.raises(ReachedEngineError):
            runner_module_main(command(*LOCAL))
    finally:
        os.umask(old)
    logs = [tmp_path / "job.log", *(tmp_path / "logs").iterdir()]
    assert len(logs) == 2
    assert {stat.S_IMODE(p.stat().st_mode) for p in logs} == {0o600}


def runner_module_main(argv: list[str]) -> None:
    """``main`` without the exit: the engine stand-in's exception comes through."""
    from booker.cli import cli

    cli.main(args=argv, prog_name="booker", standalone_mode=False)


def test_a_corrupt_journal_stops_a_booking_run_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before anything is sent: one line naming the file, exit 2 (a file booker cannot use)."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / journal.FILE_NAME).write_bytes(b"garbage, not a database\n" * 50)
    code, out, err = run(command(*LOCAL), capsys)
    assert_one_error_line(code, out, err, "is not a usable booker journal")


class _Booked:
    """Stands in for the Supervisor: the booking went through (reservation R-1)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def run(self) -> Outcome:
        return Outcome(
            Status.BOOKED,
            requests=3,
            elapsed_ms=5,
            reservation_id="R-1",
            slot={"day": "2026-12-24", "time": "19:00:00", "type": "Dining Room"},
        )


def test_a_booking_the_journal_cannot_record_is_said_and_still_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The journal locked by another process past the busy timeout: the reservation is real,
    so exit 0 and status booked, but stderr says it was not recorded and what happens next,
    and --json says ``journaled: false``."""
    monkeypatch.setattr(runner_module, "Supervisor", _Booked)
    monkeypatch.setattr(journal, "BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "data" / journal.FILE_NAME
    journal.Journal(path).close()  # created, migrated
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # another booker in the middle of a write
        code, out, err = run(command(*LOCAL, "--json"), capsys)
    finally:
        holder.close()
    assert code == 0
    document: dict[str, Any] = orjson.loads(out)
    assert (document["status"], document["reservation_id"]) == ("booked", "R-1")
    assert document["journaled"] is False
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("booker: warning: booked reservation R-1, but the journal ")
    assert "locked" in lines[0]
    assert "the next run of this job finds the reservation at the service" in lines[0]
    with journal.Journal(path) as book:
        assert book.history() == []


def test_a_recorded_booking_says_journaled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module, "Supervisor", _Booked)
    code, out, err = run(command(*LOCAL, "--json"), capsys)
    assert (code, err) == (0, "")
    assert orjson.loads(out)["journaled"] is True
    with journal.Journal(tmp_path / "data" / journal.FILE_NAME) as book:
        assert [e.reservation_id for e in book.history()] == ["R-1"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_log_that_fills_up_mid_run_is_said_once_and_the_run_goes_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Writes to /dev/full fail with ENOSPC, as on a full disk: one warning, no crash."""
    from booker.output.report import LogFile
    from booker.store.credentials import Redactor

    log = LogFile(Path("/dev/full"), Redactor())
    log.write("started", workers=2)
    log.write("polling", starts_in_s=0.1)
    log.close()
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "booker: warning: cannot write the log /dev/full (No space left on device); "
        "going on without it"
    ]
