"""Runs one booking job for any provider: settings, reporter, supervisor, exit code."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from booker.credentials import Redactor
from booker.engine.supervisor import JobResult, Supervisor
from booker.http import ClientConfig
from booker.model import EXIT_CODES
from booker.report import ConsoleReporter, LogFile
from booker.settings import EngineSettings


def engine_settings(
    *,
    workers: int,
    concurrency: int,
    retries: int,
    cadence_ms: int,
    max_duration: int,
    dry_run: bool,
) -> EngineSettings:
    """The engine options every ``book`` command shares, validated."""
    return EngineSettings(
        cadence_ms=cadence_ms,
        concurrency=concurrency,
        max_duration_s=max_duration,
        retries=retries,
        workers=workers,
        dry_run=dry_run,
    )


def client_config(base_url: str, ca_cert: Path | None, settings: EngineSettings) -> ClientConfig:
    """Connection settings from the command line and the engine settings."""
    return ClientConfig(
        base_url=base_url,
        ca_cert=ca_cert,
        connect_timeout_s=settings.connect_timeout_s,
        request_timeout_s=settings.request_timeout_s,
    )


def run_job(
    job: Any,
    settings: EngineSettings,
    client: ClientConfig,
    *,
    secrets: Iterable[str],
    header: str,
    as_json: bool,
    log_file: Path | None,
) -> tuple[JobResult, int]:
    """Run ``job`` to its end and report it; the result and the exit code."""
    redactor = Redactor(secrets)
    log = LogFile(log_file, redactor) if log_file else None
    reporter = ConsoleReporter(
        sys.stdout, human=not as_json, redactor=redactor, log=log, header=header
    )
    try:
        result = Supervisor(settings, client, job, reporter).run()
        reporter.finished(result)
    finally:
        if log:
            log.close()
    return result, EXIT_CODES[result.status]
