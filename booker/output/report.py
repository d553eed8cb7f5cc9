"""What the user sees: a live status line on a terminal, timestamped lines elsewhere, a log.

Progress (the live status line and the countdown) goes to stderr, the report (events,
the result, or ``--json``) to stdout, as pip and httpie do. The status line is redrawn
in place only on a terminal that understands control sequences (not ``TERM=dumb``) and is
cut to its width, so it never wraps: a wrapped line cannot be cleared from its last row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

import orjson

from booker.core.ports import Event, EventKind
from booker.core.results import JobResult, StatusSnapshot
from booker.core.settings import EngineSettings
from booker.output import wording
from booker.output.wording import format_duration
from booker.store.credentials import Redactor

CLEAR_LINE = "\r\x1b[K"  # back to column 0, erase to the end of the row
DUMB_TERMINALS = frozenset({"", "dumb"})


def _stamp() -> str:
    return dt.datetime.now().astimezone().strftime("%H:%M:%S.%f")[:-3]


def describe_event(event: Event) -> str | None:
    """One human line for an event, None for events that only go to the log."""
    data = event.data
    match event.kind:
        case EventKind.VENUE:
            return f"Venue: {data.get('name')} ({data.get('time_zone')})"
        case EventKind.READY:
            flag = data.get("tcp_nodelay")
            nodelay = "unknown" if flag is None else ("on" if flag else "OFF")
            return (
                f"worker {event.worker} warm: {data.get('http_version')} in "
                f"{data.get('warm_ms', 0):.1f} ms, TCP_NODELAY {nodelay}"
            )
        case EventKind.FOUND:
            if not data.get("count"):
                return f"worker {event.worker}: {data.get('reason')} (HTTP {data.get('status')})"
            shown = ", ".join(data.get("slots", []))
            return f"worker {event.worker} found {data.get('count')} matching slots: {shown}"
        case EventKind.BOOKED:
            slot = data.get("slot") or {}
            what = " ".join(p for p in (str(slot.get("time", ""))[:5], slot.get("type", "")) if p)
            return (
                f"worker {event.worker} booked {what} "
                f"on attempt {data.get('attempt')} ({data.get('reservation_id')})"
            )
        case EventKind.UNCLAIMED:
            slot = data.get("slot") or {}
            what = " ".join(p for p in (str(slot.get("time", ""))[:5], slot.get("type", "")) if p)
            return (
                f"worker {event.worker} booked {what} ({data.get('reservation_id')}) but could "
                "not take the claim (its lock is stuck): kept, nothing cancelled"
            )
        case EventKind.DRY_RUN:
            slot = data.get("slot") or {}
            return f"dry run: worker {event.worker} would book {str(slot.get('time', ''))[:5]} {slot.get('type', '')}"
        case EventKind.DUPLICATE:
            state = "cancelled" if data.get("cancelled") else "NOT cancelled: cancel it yourself"
            origin = "an earlier run's" if data.get("earlier") else "from a parallel attempt"
            return f"extra reservation {data.get('reservation_id')} ({origin}): {state}"
        case EventKind.PAUSED:
            status = data.get("status")
            shown = "HTTP 000" if status == 0 else f"HTTP {status}"
            return f"throttled ({shown}, {data.get('reason')}): pausing all workers {data.get('seconds', 0):.1f} s"
        case EventKind.REDUCED:
            return f"10 throttles in a row: concurrency reduced to {data.get('concurrency')}"
        case EventKind.WARNING:
            return str(data.get("message"))
        case EventKind.TERMINAL | EventKind.UNREACHABLE:
            return f"stopping: {data.get('message')}"
        case EventKind.WARM_FAILED:
            return f"worker {event.worker} cannot reach the service yet ({data.get('reason')}); retrying"
        case EventKind.CLOCK:
            return f"{data.get('text')}"
        case EventKind.EXHAUSTED:
            return f"worker {event.worker}: every candidate failed; polling again"
    return None


def open_private(path: str, flags: int) -> int:
    """An ``open`` opener: a file created now is the owner's alone (0600), like the journal."""
    return os.open(path, flags, 0o600)


class LogFile:
    """Event lines with millisecond timestamps, secrets redacted; appends, never overwrites.

    Opening raises ``OSError``; a write that fails later (disk full) is said once on
    stderr and logging stops, the job goes on.
    """

    def __init__(self, path: Path, redactor: Redactor) -> None:
        self.path = path
        self._file: TextIO | None = open(  # noqa: SIM115 (closed by close())
            path, "a", encoding="utf-8", opener=open_private
        )
        self._redactor = redactor

    def write(self, event: str, **fields: Any) -> None:
        """One ``time event key=value ...`` line."""
        if self._file is None:
            return
        stamp = dt.datetime.now().astimezone().isoformat(timespec="milliseconds")
        parts = [
            f"{key}={orjson.dumps(value, default=str).decode()}" for key, value in fields.items()
        ]
        line = self._redactor.clean(f"{stamp} {event} {' '.join(parts)}".rstrip())
        try:
            self._file.write(line + "\n")
            self._file.flush()
        except OSError as exc:
            sys.stderr.write(
                f"booker: warning: cannot write the log {self.path} ({exc.strerror or exc}); "
                "going on without it\n"
            )
            self.close()

    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._file is not None:
            file, self._file = self._file, None
            with contextlib.suppress(OSError):
                file.close()


def smart_terminal(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """True when ``stream`` is a terminal that understands control sequences."""
    environ = os.environ if environ is None else environ
    try:
        tty = stream.isatty()
    except ValueError:  # closed
        return False
    return tty and environ.get("TERM", "") not in DUMB_TERMINALS


def terminal_columns(stream: TextIO, environ: Mapping[str, str] | None = None) -> int:
    """The width of the terminal behind ``stream``: ``$COLUMNS``, else asked, else 80."""
    environ = os.environ if environ is None else environ
    given = environ.get("COLUMNS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, OSError, ValueError):
        return shutil.get_terminal_size().columns


def format_elapsed(seconds: float) -> str:
    """Polling time: ``1m 5s``, or a countdown ``T-0.4 s`` before the first tick."""
    if seconds < 0:
        return f"T-{-seconds:.1f} s"
    return format_duration(seconds)


def status_text(snapshot: StatusSnapshot) -> str:
    """The live status line's text (numbers only: events have lines of their own)."""
    last = (
        "-"
        if snapshot.last_status < 0
        else ("000" if snapshot.last_status == 0 else str(snapshot.last_status))
    )
    return (
        f"Elapsed: {format_elapsed(snapshot.elapsed_s)} / {format_duration(snapshot.max_duration_s)}"
        f" | requests {snapshot.requests} | last HTTP {last} | concurrency {snapshot.concurrency}"
        + (" | paused" if snapshot.paused else "")
    )


class ConsoleReporter:
    """Human output (or none, for ``--json``), plus the log file when there is one."""

    def __init__(
        self,
        out: TextIO,
        *,
        human: bool,
        redactor: Redactor,
        log: LogFile | None = None,
        header: str = "",
        err: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.out = out
        self.err = sys.stderr if err is None else err
        self.environ = os.environ if environ is None else environ
        self.human = human
        self.live = human and smart_terminal(self.err, self.environ)
        self.redactor = redactor
        self.log = log
        self.header = header
        self._status_shown = False
        self._countdown_said = False

    def _progress(self, text: str) -> None:
        """Redraw the one progress row on stderr, cut to the terminal's width."""
        width = max(1, terminal_columns(self.err, self.environ) - 1)  # never the last column
        self.err.write(CLEAR_LINE + self.redactor.clean(text)[:width])
        self.err.flush()
        self._status_shown = True

    def _clear_progress(self) -> None:
        if self._status_shown:
            self.err.write(CLEAR_LINE)
            self.err.flush()
            self._status_shown = False

    def _line(self, text: str) -> None:
        if not self.human:
            return
        text = self.redactor.clean(text)
        if self.live:
            self._clear_progress()
            self.out.write(text + "\n")
        else:
            self.out.write(f"{_stamp()} {text}\n")
        self.out.flush()

    def started(self, settings: EngineSettings, workers: int) -> None:
        """Print what is about to happen."""
        if self.header:
            self._line(self.header)
        self._line(
            f"workers {workers}, concurrency {settings.concurrency}, cadence {settings.cadence_ms} ms, "
            f"retries {settings.retries}, max {format_duration(settings.max_duration_s)}"
            + (", dry run" if settings.dry_run else "")
        )
        if self.log:
            self.log.write("started", workers=workers, **_settings_fields(settings))

    def polling(self, starts_in_s: float) -> None:
        """Tick 0 is set."""
        if starts_in_s > 0.05:
            self._line(f"all workers warm: polling starts in {starts_in_s:.3f} s")
        else:
            self._line("all workers warm: polling")
        if self.log:
            self.log.write("polling", starts_in_s=round(starts_in_s, 4))

    def countdown(self, seconds: float, label: str) -> None:
        """Before the prewarm: a live countdown on terminals, one line elsewhere."""
        if self.live:
            self._progress(f"Starting at {label}: {format_duration(seconds)} to go")
        elif not self._countdown_said:
            self._line(f"waiting: polling starts at {label} ({format_duration(seconds)} from now)")
        self._countdown_said = True

    def event(self, event: Event, elapsed_s: float) -> None:
        """Show and log one worker event."""
        text = describe_event(event)
        if text is not None:
            self._line(f"[+{elapsed_s:.3f}s] {text}")
        if self.log:
            self.log.write(
                event.kind, worker=event.worker, elapsed_s=round(elapsed_s, 4), **event.data
            )

    def notice(self, message: str) -> None:
        """A message of the run's own (the command line's, or the supervisor's worded)."""
        self._line(message)
        if self.log:
            self.log.write("notice", message=message)

    def not_ready(self) -> None:
        """The workers did not get ready in time."""
        self.notice(wording.WORKERS_NOT_READY)

    def worker_died(self, index: int, exit_code: int | None) -> None:
        """A worker died; the job goes on with the others."""
        self.notice(wording.worker_died(index, exit_code))

    def status(self, snapshot: StatusSnapshot) -> None:
        """Redraw the live status line (terminals only)."""
        if not self.live or not snapshot.polling:
            return
        self._progress(status_text(snapshot))

    def finished(self, result: JobResult, log_path: Path | None = None) -> None:
        """The final summary (or the JSON document), ending with the log file's path."""
        if self.log:
            self.log.write("finished", **result.to_json())
        if not self.human:
            document = result_document(result, log_path)
            self.out.write(self.redactor.clean(orjson.dumps(document).decode()) + "\n")
            self.out.flush()
            return
        self._line(result.message)
        found = (
            f", slots found after {result.found_after_ms} ms"
            if result.found_after_ms is not None
            else ""
        )
        self._line(f"{result.requests} requests in {result.elapsed_ms} ms{found}")
        if log_path is not None:
            self._line(f"log: {log_path}")


def result_document(result: JobResult, log_path: Path | None) -> dict[str, Any]:
    """The ``--json`` document (and the notification's): the result and its log file."""
    return {**result.to_json(), "log_file": str(log_path) if log_path is not None else None}


def _settings_fields(settings: EngineSettings) -> dict[str, Any]:
    return {
        "cadence_ms": settings.cadence_ms,
        "concurrency": settings.concurrency,
        "max_duration_s": settings.max_duration_s,
        "retries": settings.retries,
        "dry_run": settings.dry_run,
    }
