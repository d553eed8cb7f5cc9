"""Runs one booking job for any provider: settings, start time, reporter, supervisor, notify."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from booker.core.exceptions import BookerError, UsageError
from booker.core.model import ERROR_STATUSES, EXIT_CODES, StartTiming, Status
from booker.core.ports import Job, JobIdentity
from booker.core.results import JobResult
from booker.core.settings import SETTINGS, EngineSettings
from booker.core.wire import ClientConfig
from booker.engine.supervisor import Supervisor
from booker.net.http import tls_context
from booker.output import wording
from booker.output.report import ConsoleReporter, LogFile, result_document
from booker.providers.credentials import CREDENTIAL_NAMES
from booker.store.credentials import Redactor
from booker.store.joblock import job_key, job_lock
from booker.store.journal import Journal
from booker.store.journal_entry import Entry
from booker.store.logpaths import default_log_path
from booker.store.user_settings import load_saved_defaults
from booker.timing.when import describe, parse_when, zone_for

SCHEDULED_VARIABLE = "BOOKER_SCHEDULED"  # set by the lines `booker schedule` writes
NOBODY_TOLD = (
    "scheduled run without --notify or --notify-cmd: nobody will be told how it ends; "
    "this log is the only record"
)


@dataclass(frozen=True, slots=True)
class EngineArgs:
    """The shared ``book`` options, as click parsed them (an engine setting under its
    option's name, ``SETTINGS[...].param``: ``max_duration``, ``prewarm_secs``)."""

    workers: int | None
    concurrency: int | None
    retries: int | None
    cadence_ms: int | None
    max_duration: int | None
    at: str | None
    tz: str | None
    prewarm_secs: int | None
    lead_ms: int | None
    clock: str
    dry_run: bool
    force: bool
    allow_multiple: bool
    ca_cert: Path | None
    as_json: bool
    log_file: Path | None
    notify_cmd: str | None
    notify_timeout: float
    notify: tuple[str, ...] = ()

    @classmethod
    def from_click(cls, options: dict[str, Any]) -> EngineArgs:
        """Build from the keyword arguments click passed to the command."""
        return cls(**options)


def engine_settings(args: EngineArgs, saved: dict[str, int] | None = None) -> EngineSettings:
    """Command line first, then saved settings, then the built-in defaults; all validated."""
    saved = load_saved_defaults(known=CREDENTIAL_NAMES) if saved is None else saved
    values: dict[str, Any] = {}
    for name, setting in SETTINGS.items():
        given = getattr(args, setting.param)
        values[name] = given if given is not None else saved.get(name, setting.default)
    return EngineSettings(dry_run=args.dry_run, **values)


def client_config(base_url: str, ca_cert: Path | None, settings: EngineSettings) -> ClientConfig:
    """Connection settings from the command line and the engine settings."""
    tls_context(ca_cert)  # a bad --ca-cert is a usage error now, not a worker failure later
    return ClientConfig(
        base_url=base_url,
        ca_cert=ca_cert,
        connect_timeout_s=settings.connect_timeout_s,
        request_timeout_s=settings.request_timeout_s,
    )


def start_timing(
    args: EngineArgs, venue_zone: Callable[[], str | None], now: dt.datetime | None = None
) -> StartTiming | None:
    """``--at`` as an instant on the service's clock; the zone is looked up only when needed."""
    if args.at is None:
        given = [
            option
            for option, value in (
                ("--tz", args.tz),
                ("--clock local", args.clock == "local" or None),
                (SETTINGS["prewarm_s"].option, args.prewarm_secs),
                (SETTINGS["lead_ms"].option, args.lead_ms),
            )
            if value is not None
        ]
        if given:
            raise UsageError(f"{given[0]} only applies with --at WHEN")
        return None
    now = now or dt.datetime.now(dt.UTC)
    at = parse_when(args.at, zone_for(args.at, args.tz, venue_zone), now)
    return StartTiming(at.timestamp(), use_server_clock=args.clock == "server", label=describe(at))


def _already_booked(entry: Entry, settings: EngineSettings) -> JobResult:
    """The journal holds an active booking for this job: say so, book nothing."""
    return JobResult(
        Status.BOOKED,
        message=wording.already_journaled(
            entry.slot, entry.day, entry.reservation_id, entry.recorded_at
        ),
        requests=0,
        elapsed_ms=0,
        reservation_id=entry.reservation_id,
        slot={"day": entry.day, "description": entry.slot},
        concurrency=settings.concurrency,
        already_booked=True,
        journaled=True,
    )


def _record(journal: Journal, result: JobResult, identity: JobIdentity, key: str) -> JobResult:
    """Commit the booking before exit 0; a failure is said on stderr, not hidden.

    The exit code stays 0 either way: the reservation is real. The next run of the
    same job finds it at the service and records it then.
    """
    slot = result.slot or {}
    described = " ".join(
        str(slot[k])[:5] if k == "time" else str(slot[k]) for k in ("time", "type") if slot.get(k)
    )
    if "," in identity.venue + identity.day:  # a job of several: say which one was booked
        where = " ".join(
            part
            for part in (
                f"on {slot['day']}" if "," in identity.day and slot.get("day") else "",
                f"at {slot['venue']}" if "," in identity.venue and slot.get("venue") else "",
            )
            if part
        )
        described = f"{described} {where}".strip()
    entry = Entry(
        provider=identity.provider,
        job_key=key,
        venue=identity.venue,
        day=identity.day,
        slot=described or "-",
        reservation_id=result.reservation_id or "",
        party=identity.party,
        source="recovered" if result.recovered else "booked",
    )
    try:
        journal.record(entry)
    except BookerError as exc:
        sys.stderr.write(
            f"booker: warning: booked reservation {entry.reservation_id}, but the journal could "
            f"not record it ({exc}); the next run of this job finds the reservation at the "
            "service and records it\n"
        )
        return result
    return dataclasses.replace(result, journaled=True)


def _open_log(given: Path | None, log_name: str, redactor: Redactor) -> tuple[Path, LogFile]:
    """The run's log, open; a path that cannot be written is a ``UsageError`` (exit 2)."""
    path = given
    try:
        path = given or default_log_path(log_name)
        return path, LogFile(path, redactor)
    except OSError as exc:
        where = exc.filename or path
        option = "--log-file" if given else "--log-file or BOOKER_LOG_DIR"
        raise UsageError(
            f"cannot write the log {where}: {exc.strerror or exc} (choose another with {option})"
        ) from None


def _one_run_per_job(
    journal: Journal, key: str, dry_run: bool
) -> contextlib.AbstractContextManager[None]:
    """Hold the job's lock (a dry run books nothing and needs none); say so when waiting."""
    if dry_run:
        return contextlib.nullcontext()

    def waiting(holder: str) -> None:
        who = f" (pid {holder})" if holder else ""
        sys.stderr.write(
            f"booker: another run of this job is in progress{who}: waiting for it to end\n"
        )
        sys.stderr.flush()

    return job_lock(journal.path.parent, key, waiting)


def run_job(
    job: Job,
    args: EngineArgs,
    settings: EngineSettings,
    client: ClientConfig,
    *,
    secrets: Iterable[str],
    header: str,
    log_name: str,
    start: StartTiming | None = None,
) -> tuple[JobResult, int]:
    """Run ``job`` to its end, journal it, report it, notify; the result and the exit code.

    ``header`` names the job in the first line; a ``start`` adds when polling begins.
    """
    if start is not None:
        header += f", polling from {start.label}"
    redactor = Redactor(secrets)
    identity: JobIdentity = job.identity()
    key = job_key(identity.provider, *identity.parts)
    log_path, log = _open_log(args.log_file, log_name, redactor)
    reporter = ConsoleReporter(
        sys.stdout, human=not args.as_json, redactor=redactor, log=log, header=header
    )
    if os.environ.get(SCHEDULED_VARIABLE) and not (args.notify or args.notify_cmd):
        reporter.notice(NOBODY_TOLD)
    try:
        with Journal() as journal, _one_run_per_job(journal, key, args.dry_run):
            done = None if args.force or args.dry_run else journal.active_for(key)
            if done is not None:
                result = _already_booked(done, settings)
            else:
                supervisor = Supervisor(
                    settings, client, job, reporter, start=start, log_path=log_path
                )
                result = wording.worded(supervisor.run())
                if result.status is Status.BOOKED:
                    result = _record(journal, result, identity, key)
        reporter.finished(result, log_path)
    finally:
        log.close()
    if result.status in ERROR_STATUSES:  # cron mail and `2>>file` catch it, --json or not
        sys.stderr.write(redactor.clean(f"booker: error: {result.message}") + "\n")
    if args.notify:
        from booker.output.notify import notify_urls

        notify_urls(args.notify, result_document(result, log_path), redactor)
    if args.notify_cmd:
        from booker.output.notify import notify

        notify(args.notify_cmd, result_document(result, log_path), args.notify_timeout, redactor)
    return result, EXIT_CODES[result.status]
