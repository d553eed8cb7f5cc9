"""The console reporter: progress on stderr cut to the terminal's width, the report on stdout."""

from __future__ import annotations

import io
from pathlib import Path

import orjson

from booker.core.model import Status
from booker.core.ports import Event, EventKind
from booker.core.results import JobResult, StatusSnapshot
from booker.output.report import ConsoleReporter, format_elapsed, status_text
from booker.store.credentials import Redactor


class Terminal(io.StringIO):
    """A text stream that says it is a terminal (no file descriptor: $COLUMNS gives the width)."""

    def isatty(self) -> bool:
        return True


def snapshot(elapsed_s: float = 12.0, requests: int = 123456) -> StatusSnapshot:
    return StatusSnapshot(
        elapsed_s=elapsed_s,
        max_duration_s=300,
        requests=requests,
        last_status=200,
        concurrency=3,
        paused=True,
        polling=True,
    )


def reporter(
    out: io.StringIO, err: io.StringIO, term: str = "xterm", columns: int = 40
) -> ConsoleReporter:
    return ConsoleReporter(
        out,
        human=True,
        redactor=Redactor(["s3cr3t-token"]),
        err=err,
        environ={"TERM": term, "COLUMNS": str(columns)},
    )


def test_status_line_goes_to_stderr_cut_to_the_terminal_width() -> None:
    out, err = Terminal(), Terminal()
    shown = reporter(out, err, columns=40)
    shown.status(snapshot())
    assert out.getvalue() == ""
    drawn = err.getvalue()
    assert drawn.startswith("\r\x1b[K")
    assert len(drawn.removeprefix("\r\x1b[K")) == 39  # one column spare: no pending wrap
    assert drawn.removeprefix("\r\x1b[K") == status_text(snapshot())[:39]


def test_status_line_has_no_stale_event_text() -> None:
    out, err = Terminal(), Terminal()
    shown = reporter(out, err, columns=200)
    event = Event(EventKind.FOUND, 1, 0.0, {"count": 0, "reason": "not released", "status": 200})
    shown.event(event, 0.5)
    shown.notice("worker 0 died (exit code 9); going on with the others")
    shown.status(snapshot())
    assert "not released" in out.getvalue()
    last = err.getvalue().rpartition("\r\x1b[K")[2]
    assert last == status_text(snapshot())
    assert "worker" not in last and "not released" not in last


def test_a_report_line_clears_the_status_line_first() -> None:
    terminal = Terminal()  # stdout and stderr on one terminal, as usual
    shown = reporter(terminal, terminal, columns=80)
    shown.status(snapshot())
    shown.notice("throttled")
    assert terminal.getvalue().endswith("\r\x1b[Kthrottled\n")


def test_dumb_terminal_gets_no_control_sequences() -> None:
    out, err = Terminal(), Terminal()
    shown = reporter(out, err, term="dumb")
    shown.countdown(30, "10:00:00.000 EST")
    shown.countdown(29, "10:00:00.000 EST")
    shown.status(snapshot())
    shown.notice("polling")
    text = out.getvalue() + err.getvalue()
    assert "\x1b" not in text and "\r" not in text
    assert text.count("waiting: polling starts at 10:00:00.000 EST") == 1


def test_secrets_are_redacted_before_the_cut() -> None:
    out, err = Terminal(), Terminal()
    shown = reporter(out, err, columns=30)
    shown.countdown(5, "s3cr3t-token s3cr3t-token")
    assert "s3cr3" not in err.getvalue()


def test_elapsed_before_the_first_tick_is_a_countdown() -> None:
    assert format_elapsed(-0.43) == "T-0.4 s"
    assert format_elapsed(-119.0) == "T-119.0 s"
    assert format_elapsed(65.2) == "1m 5s"
    assert status_text(snapshot(elapsed_s=-0.4)).startswith("Elapsed: T-0.4 s / 5m 0s")
    assert "-1m" not in status_text(snapshot(elapsed_s=-1.5))


def test_the_end_of_a_run_names_its_log_file(tmp_path: Path) -> None:
    """Human: a last `log: PATH` line; --json: `log_file`."""
    result = JobResult(Status.NOT_BOOKED, message="Max duration reached", requests=3, elapsed_ms=30)
    log = tmp_path / "venue_1.log"
    out = io.StringIO()
    ConsoleReporter(out, human=True, redactor=Redactor(), err=io.StringIO()).finished(result, log)
    assert out.getvalue().splitlines()[-1].endswith(f" log: {log}")
    out = io.StringIO()
    ConsoleReporter(out, human=False, redactor=Redactor(), err=io.StringIO()).finished(result, log)
    assert orjson.loads(out.getvalue())["log_file"] == str(log)
