"""``--notify-cmd`` (JSON on stdin, a bounded run) and ``--notify URL`` (apprise); failures are one line."""

from __future__ import annotations

import http.server
import io
import socket
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

import orjson
import psutil
import pytest

from booker.core.exceptions import UsageError
from booker.output import notify as notify_module
from booker.output.notify import check_urls, notify, notify_urls, run_command
from booker.store.credentials import Redactor

DOCUMENT = {"status": "booked", "reservation_id": "42", "slot": {"time": "19:00:00"}}


def test_stdin_gets_the_json(tmp_path: Path) -> None:
    """The command reads the result document, whole, as one JSON line on its stdin."""
    out = tmp_path / "got.json"
    err = io.StringIO()
    outcome = notify(f"cat > '{out}'", DOCUMENT, 5.0, err=err)
    assert outcome.ok and outcome.exit_code == 0
    assert orjson.loads(out.read_bytes()) == DOCUMENT
    assert out.read_text().endswith("}\n")
    assert err.getvalue() == ""


def test_runs_through_the_shell(tmp_path: Path) -> None:
    """Pipes and variables work: the command is given to ``sh -c``."""
    out = tmp_path / "status.txt"
    outcome = run_command(f"tr a-z A-Z | head -c 20 > '{out}'; test -s '{out}'", b"abc", 5.0)
    assert outcome.ok
    assert out.read_text() == "ABC"


def test_timeout_kills_the_command_and_is_reported(tmp_path: Path) -> None:
    """A command past its timeout is killed with everything it started, and says so in one line."""
    pid_file = tmp_path / "child.pid"
    err = io.StringIO()
    started = time.monotonic()
    outcome = notify(f"sleep 30 & echo $! > '{pid_file}'; wait", DOCUMENT, 0.3, err=err)
    took = time.monotonic() - started
    assert not outcome.ok and outcome.timed_out and outcome.exit_code is None
    assert took < 3.0
    assert err.getvalue() == "booker: notify command failed: timed out after 0.3 s; killed\n"
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 1.0
    while not _gone_or_zombie(child) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _gone_or_zombie(child)


def _gone_or_zombie(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def test_timeout_also_ends_a_command_ignoring_sigterm(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command that ignores SIGTERM is SIGKILLed after the grace period."""
    monkeypatch.setattr(notify_module, "KILL_GRACE_S", 0.2)
    started = time.monotonic()
    outcome = run_command("trap '' TERM; sleep 30", b"", 0.2)
    assert outcome.timed_out
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("command", "code", "detail"),
    [
        ("echo 'ntfy: 403 forbidden' >&2; exit 7", 7, "ntfy: 403 forbidden"),
        ("no-such-notifier-xyz --flag", 127, "not found"),
        ("cat > /dev/null; false", 1, ""),
    ],
    ids=["non-zero", "not-found", "silent"],
)
def test_failure_is_one_line_and_never_raises(command: str, code: int, detail: str) -> None:
    """Non-zero exits (and a missing program) come back as a value and one stderr line."""
    err = io.StringIO()
    outcome = notify(command, DOCUMENT, 5.0, err=err)
    assert not outcome.ok and outcome.exit_code == code
    line = err.getvalue()
    assert line.count("\n") == 1
    assert line.startswith(f"booker: notify command failed: exited with {code}")
    assert detail in line


def test_command_not_reading_stdin_is_fine() -> None:
    """A command that ignores its stdin still succeeds (no broken pipe)."""
    assert run_command("true", b"x" * 1_000_000, 5.0).ok


def test_secrets_never_reach_the_command_or_the_message(tmp_path: Path) -> None:
    """The payload and the failure line pass through the redactor."""
    out = tmp_path / "got.json"
    secret = "SECRET-TOKEN-123"
    err = io.StringIO()
    document = {"status": "failed", "message": f"refused {secret}"}
    notify(
        f"cat > '{out}'; echo 'bad {secret}' >&2; exit 2",
        document,
        5.0,
        Redactor([secret]),
        err=err,
    )
    assert secret not in out.read_text()
    assert "***" in out.read_text()
    assert secret not in err.getvalue() and "bad ***" in err.getvalue()


# --- --notify URL (apprise) ----------------------------------------------------------------------


class _Hook(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        _Hook.received.append(orjson.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return


def test_notify_url_delivers_the_result_through_apprise() -> None:
    """A json:// URL (a webhook on 127.0.0.1): title from the status, the message, the log."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"json://127.0.0.1:{server.server_port}/hook"
        document = {
            "status": "booked",
            "message": "Booked 19:00 Dining Room with key s3cr3t-key-123",
            "log_file": "/tmp/x.log",
        }
        err = io.StringIO()
        assert notify_urls([url], document, Redactor(["s3cr3t-key-123"]), err)
    finally:
        server.shutdown()
        server.server_close()
    assert err.getvalue() == ""
    (sent,) = _Hook.received
    assert sent["title"] == "booker: booked"
    assert sent["message"] == "Booked 19:00 Dining Room with key ***\nlog: /tmp/x.log"


def test_notify_url_failure_is_one_line_and_returns_false() -> None:
    """Nobody listening: one stderr line, never an exception."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    err = io.StringIO()
    assert not notify_urls([f"json://127.0.0.1:{port}/"], {"status": "failed"}, err=err)
    assert (
        err.getvalue() == "booker: notify failed: apprise could not deliver to every --notify URL\n"
    )


def test_unusable_urls_are_refused_before_the_run() -> None:
    """check_urls: exit 2 for a scheme apprise does not know."""
    with pytest.raises(UsageError, match="apprise cannot use"):
        check_urls(["ntfy://ok", "carrier-pigeon://home"])
    check_urls([])
