"""``--notify-cmd`` and ``--notify URL``: tell the user how a run ended.

``--notify URL`` goes through apprise (the optional ``booker[notify]`` extra): ntfy,
Pushover, Telegram, mail, Slack and a hundred more, no shell plumbing.
``--notify-cmd`` runs the user's command once, with the result JSON on its standard input.

The command runs through ``sh -c`` in a session of its own, so a timeout ends it and
everything it started. Its output is kept off booker's stdout (which may carry
``--json``); only its last line of stderr is kept, to explain a failure. Nothing here
raises for a failing command: the outcome is a value, and booker's exit code never
depends on it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import orjson

from booker.core.exceptions import UsageError
from booker.store.credentials import Redactor

DEFAULT_TIMEOUT_S = 30.0
KILL_GRACE_S = 2.0
SHELL = "/bin/sh"


@dataclass(frozen=True, slots=True)
class NotifyOutcome:
    """How the command ended: ``ok``, or why not in one line."""

    ok: bool
    exit_code: int | None  # None when it never ran to an exit (timeout, could not start)
    message: str
    timed_out: bool = False


def run_command(command: str, payload: bytes, timeout_s: float) -> NotifyOutcome:
    """Run ``sh -c command`` with ``payload`` on stdin; kill its whole session after ``timeout_s``."""
    try:
        process = subprocess.Popen(
            [SHELL, "-c", command],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        return NotifyOutcome(False, None, f"cannot start {SHELL}: {exc.strerror or exc}")
    try:
        _, err = process.communicate(payload, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_session(process)
        return NotifyOutcome(False, None, f"timed out after {timeout_s:g} s; killed", True)
    except BaseException:  # Ctrl-C while waiting: leave nothing behind, then go on stopping
        _kill_session(process)
        raise
    if process.returncode == 0:
        return NotifyOutcome(True, 0, "ok")
    if process.returncode < 0:
        return NotifyOutcome(False, process.returncode, f"killed by signal {-process.returncode}")
    detail = _last_line(err)
    return NotifyOutcome(
        False,
        process.returncode,
        f"exited with {process.returncode}" + (f": {detail}" if detail else ""),
    )


def notify(
    command: str,
    document: Mapping[str, Any],
    timeout_s: float = DEFAULT_TIMEOUT_S,
    redactor: Redactor | None = None,
    err: TextIO | None = None,
) -> NotifyOutcome:
    """Send ``document`` (redacted JSON) to ``command``; a failure becomes one line on ``err``."""
    redactor = redactor or Redactor()
    payload = redactor.clean(orjson.dumps(document).decode()) + "\n"
    outcome = run_command(command, payload.encode(), timeout_s)
    if not outcome.ok:
        stream = err if err is not None else sys.stderr
        stream.write(redactor.clean(f"booker: notify command failed: {outcome.message}") + "\n")
        stream.flush()
    return outcome


def _kill_session(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the command's session, SIGKILL it if it lingers, and reap the shell."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.communicate(timeout=KILL_GRACE_S)
            return
        except subprocess.TimeoutExpired:
            continue
    # Something left the session and still holds the pipe: stop reading, reap the shell.
    if process.stderr is not None:
        process.stderr.close()
    process.wait()


def _last_line(data: bytes | None) -> str:
    lines = (data or b"").decode("utf-8", errors="replace").strip().splitlines()
    return lines[-1].strip()[:300] if lines else ""


# --- --notify URL: apprise (the optional booker[notify] extra) ---------------------------------

NOTIFY_EXTRA = "pip install 'booker[notify]'"
TITLES = {
    "booked": "booker: booked",
    "dry_run": "booker: dry run found a slot",
    "not_booked": "booker: not booked",
    "failed": "booker: failed",
    "interrupted": "booker: interrupted",
}


@contextlib.contextmanager
def _quiet_apprise() -> Iterator[None]:
    """apprise loads its plugins lazily, some with deprecated imports (imghdr): keep them quiet."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def _apprise(urls: Sequence[str]) -> Any:
    """An ``apprise.Apprise`` holding ``urls``; UsageError (exit 2) for a URL it cannot use."""
    try:
        import apprise
    except ImportError:
        raise UsageError(f"--notify needs apprise: {NOTIFY_EXTRA}") from None
    logging.getLogger("apprise").setLevel(logging.CRITICAL)  # failures are reported here, once
    sender = apprise.Apprise()
    for url in urls:
        if not sender.add(url):
            scheme = url.partition("://")[0] if "://" in url else url[:20]
            raise UsageError(
                f"--notify: apprise cannot use a URL of scheme {scheme!r} "
                "(see https://github.com/caronc/apprise/wiki for ntfy://, pover://, tgram://, "
                "mailto://, slack://, json://...)"
            )
    return sender


def check_urls(urls: Sequence[str]) -> None:
    """Refuse unusable ``--notify`` URLs before the run, not after it."""
    if urls:
        with _quiet_apprise():
            _apprise(urls)


def notify_urls(
    urls: Sequence[str],
    document: Mapping[str, Any],
    redactor: Redactor | None = None,
    err: TextIO | None = None,
) -> bool:
    """Send the result's message to every URL; a failure becomes one line on ``err``."""
    redactor = redactor or Redactor()
    status = str(document.get("status", ""))
    title = TITLES.get(status, "booker")
    body = redactor.clean(str(document.get("message", "")))
    if document.get("log_file"):
        body += f"\nlog: {document['log_file']}"
    try:
        with _quiet_apprise():
            sent = bool(_apprise(urls).notify(title=title, body=body))
    except Exception:  # a notification must never change how the run ends
        sent = False
    if not sent:
        stream = err if err is not None else sys.stderr
        stream.write("booker: notify failed: apprise could not deliver to every --notify URL\n")
        stream.flush()
    return sent
