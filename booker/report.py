"""What the user sees: a live status line on a terminal, timestamped lines elsewhere, a log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, TextIO

import orjson

from booker.credentials import Redactor
from booker.engine import events as ev
from booker.engine.supervisor import JobResult, StatusSnapshot, format_duration
from booker.settings import EngineSettings


def _stamp() -> str:
    return dt.datetime.now().astimezone().strftime("%H:%M:%S.%f")[:-3]


def describe_event(event: ev.Event) -> str | None:
    """One human line for an event, None for events that only go to the log."""
    data = event.data
    match event.kind:
        case ev.VENUE:
            return f"Venue: {data.get('name')} ({data.get('time_zone')})"
        case ev.READY:
            flag = data.get("tcp_nodelay")
            nodelay = "unknown" if flag is None else ("on" if flag else "OFF")
            return (
                f"worker {event.worker} warm: {data.get('http_version')} in "
                f"{data.get('warm_ms', 0):.1f} ms, TCP_NODELAY {nodelay}"
            )
        case ev.FOUND:
            if not data.get("count"):
                return f"worker {event.worker}: {data.get('reason')} (HTTP {data.get('status')})"
            shown = ", ".join(data.get("slots", []))
            return f"worker {event.worker} found {data.get('count')} matching slots: {shown}"
        case ev.BOOKED:
            slot = data.get("slot") or {}
            what = " ".join(p for p in (str(slot.get("time", ""))[:5], slot.get("type", "")) if p)
            return (
                f"worker {event.worker} booked {what} "
                f"on attempt {data.get('attempt')} ({data.get('reservation_id')})"
            )
        case ev.UNCLAIMED:
            slot = data.get("slot") or {}
            what = " ".join(p for p in (str(slot.get("time", ""))[:5], slot.get("type", "")) if p)
            return (
                f"worker {event.worker} booked {what} ({data.get('reservation_id')}) but could "
                "not take the claim (its lock is stuck): kept, nothing cancelled"
            )
        case ev.DRY_RUN:
            slot = data.get("slot") or {}
            return f"dry run: worker {event.worker} would book {str(slot.get('time', ''))[:5]} {slot.get('type', '')}"
        case ev.DUPLICATE:
            state = "cancelled" if data.get("cancelled") else "NOT cancelled: cancel it yourself"
            origin = "an earlier run's" if data.get("earlier") else "from a parallel attempt"
            return f"extra reservation {data.get('reservation_id')} ({origin}): {state}"
        case ev.PAUSED:
            status = data.get("status")
            shown = "HTTP 000" if status == 0 else f"HTTP {status}"
            return f"throttled ({shown}, {data.get('reason')}): pausing all workers {data.get('seconds', 0):.1f} s"
        case ev.REDUCED:
            return f"10 throttles in a row: concurrency reduced to {data.get('concurrency')}"
        case ev.WARNING:
            return str(data.get("message"))
        case ev.TERMINAL:
            return f"stopping: {data.get('message')}"
        case ev.WARM_FAILED:
            return f"worker {event.worker} cannot reach the service yet ({data.get('reason')}); retrying"
        case ev.CLOCK:
            return f"{data.get('text')}"
        case ev.EXHAUSTED:
            return f"worker {event.worker}: every candidate failed; polling again"
    return None


class LogFile:
    """Event lines with millisecond timestamps, secrets redacted; appends, never overwrites."""

    def __init__(self, path: Path, redactor: Redactor) -> None:
        self._file = path.open("a", encoding="utf-8")
        self._redactor = redactor

    def write(self, event: str, **fields: Any) -> None:
        """One ``time event key=value ...`` line."""
        stamp = dt.datetime.now().astimezone().isoformat(timespec="milliseconds")
        parts = [
            f"{key}={orjson.dumps(value, default=str).decode()}" for key, value in fields.items()
        ]
        self._file.write(self._redactor.clean(f"{stamp} {event} {' '.join(parts)}".rstrip()) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


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
    ) -> None:
        self.out = out
        self.human = human
        self.live = human and out.isatty()
        self.redactor = redactor
        self.log = log
        self.header = header
        self.latest = ""
        self._status_shown = False
        self._countdown_said = False

    def _line(self, text: str) -> None:
        if not self.human:
            return
        text = self.redactor.clean(text)
        if self.live:
            self.out.write("\r\x1b[2K" + text + "\n")
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
            self.out.write(f"\r\x1b[2KStarting at {label}: {format_duration(seconds)} to go")
            self.out.flush()
        elif not self._countdown_said:
            self._line(f"waiting: polling starts at {label} ({format_duration(seconds)} from now)")
        self._countdown_said = True

    def event(self, event: ev.Event, elapsed_s: float) -> None:
        """Show and log one worker event."""
        text = describe_event(event)
        if text is not None:
            self.latest = text
            self._line(f"[+{elapsed_s:.3f}s] {text}")
        if self.log:
            self.log.write(
                event.kind, worker=event.worker, elapsed_s=round(elapsed_s, 4), **event.data
            )

    def notice(self, message: str) -> None:
        """A message from the supervisor."""
        self.latest = message
        self._line(message)
        if self.log:
            self.log.write("notice", message=message)

    def status(self, snapshot: StatusSnapshot) -> None:
        """Redraw the live status line (terminals only)."""
        if not self.live or not snapshot.polling:
            return
        last = (
            "-"
            if snapshot.last_status < 0
            else ("000" if snapshot.last_status == 0 else str(snapshot.last_status))
        )
        text = (
            f"Elapsed: {format_duration(snapshot.elapsed_s)} / {format_duration(snapshot.max_duration_s)}"
            f" | requests {snapshot.requests} | last HTTP {last} | concurrency {snapshot.concurrency}"
            + (" | paused" if snapshot.paused else "")
            + (f" | {self.latest}" if self.latest else "")
        )
        self.out.write("\r\x1b[2K" + self.redactor.clean(text))
        self.out.flush()
        self._status_shown = True

    def finished(self, result: JobResult) -> None:
        """The final summary (or the JSON document)."""
        if self.log:
            self.log.write("finished", **result.to_json())
        if not self.human:
            self.out.write(self.redactor.clean(orjson.dumps(result.to_json()).decode()) + "\n")
            self.out.flush()
            return
        self._line(result.message)
        found = (
            f", slots found after {result.found_after_ms} ms"
            if result.found_after_ms is not None
            else ""
        )
        self._line(f"{result.requests} requests in {result.elapsed_ms} ms{found}")


def _settings_fields(settings: EngineSettings) -> dict[str, Any]:
    return {
        "cadence_ms": settings.cadence_ms,
        "concurrency": settings.concurrency,
        "max_duration_s": settings.max_duration_s,
        "retries": settings.retries,
        "dry_run": settings.dry_run,
    }
