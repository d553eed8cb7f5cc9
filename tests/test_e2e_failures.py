"""Runs that end in an error: the right exit code, fast, and one line on stderr saying why."""

from __future__ import annotations

import contextlib
import socket
import time
from pathlib import Path

import orjson
import psutil
import pytest
from booker_run import (
    book_resy_command,
    read_until,
    run_booker,
    scenario,
    start_booker,
    wait_until_gone,
    worker_processes,
)
from test_e2e_exactly_one import Silent

from booker.core.model import EXIT_CODES, Status
from booker.core.settings import EngineSettings
from booker.core.wire import ClientConfig
from booker.engine import supervisor
from booker.engine.supervisor import Supervisor
from booker.output import wording
from booker.providers.resy import ResyCredentials
from booker.providers.resy_flow import ResyJob
from booker.providers.resy_target import ResyTarget
from booker.sim.testing import running_sim

pytestmark = pytest.mark.e2e


def without_ca(command: list[str]) -> list[str]:
    """The command with its ``--ca-cert CA`` pair taken out."""
    at = command.index("--ca-cert")
    return command[:at] + command[at + 2 :]


def test_an_untrusted_certificate_ends_the_run_at_once_with_exit_1(tmp_path: Path) -> None:
    """No --ca-cert for the simulator's private CA: no 20 s of retries, exit 1 (unreachable),
    the cause named with the way out, on stderr as one line."""
    with running_sim(scenario("+30s", rivals=0), tmp_dir=tmp_path) as sim:
        command = without_ca(book_resy_command(sim, "--max-duration", "30", "--json"))
        started = time.monotonic()
        run = run_booker(sim, command, tmp_path)
        took = time.monotonic() - started
        ledger = sim.ledger()
    assert run.code == 1, run.stdout + run.stderr
    assert took < 10  # warm-up retried for 20 s before, then exit 3
    result = run.json()
    assert result["status"] == "unreachable"
    assert result["message"].startswith(f"cannot reach {sim.url}: TLS certificate of 127.0.0.1:")
    assert "pass it with --ca-cert" in result["message"]
    assert run.stderr.splitlines() == [f"booker: error: {result['message']}"]
    assert not ledger["requests"]  # nothing got through the TLS handshake
    assert not wait_until_gone(run.tag, 2.0)


def test_a_refusal_for_good_exits_3_with_one_error_line_on_stderr(tmp_path: Path) -> None:
    """The human report stays on stdout; the final error is also one line on stderr."""
    with running_sim(scenario("+1s", rivals=0), tmp_dir=tmp_path) as sim:
        command = book_resy_command(sim, "--max-duration", "30")
        run = run_booker(sim, command, tmp_path, RESY_AUTH_TOKEN="wrong-token")
    assert run.code == 3
    last_report = run.stdout.splitlines()[-3]  # then "N requests in M ms" and "log: PATH"
    message = last_report.split(" ", 1)[1]
    assert "credentials" in message
    errors = [line for line in run.stderr.splitlines() if not line.startswith("booker: warning:")]
    assert errors == [f"booker: error: {message}"]


def test_a_service_that_never_gets_ready_is_unreachable_not_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing listens: the warm-up retries until the readiness timeout, then status
    unreachable (exit 1, not 3), naming the last failure."""
    monkeypatch.setattr(supervisor, "READY_TIMEOUT_S", 1.0)
    with socket.socket() as sock:  # a free port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    job = ResyJob(ResyCredentials("k" * 32, "token"), ResyTarget(1, "2026-12-24", 2, ("19:00:00",)))
    settings = EngineSettings(workers=1, concurrency=1, max_duration_s=30)
    run = Supervisor(settings, ClientConfig(url), job, Silent(), start_method="fork")
    result = wording.worded(run.run())
    assert result.status is Status.UNREACHABLE
    assert EXIT_CODES[result.status] == 1
    assert result.message.startswith(f"cannot reach {url}: the service did not get ready")
    assert "connection refused by 127.0.0.1:" in result.message


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its children, in bytes (0 once it is gone)."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += process.memory_info().rss
    return total


def test_300_mib_answers_leave_memory_bounded_and_the_booking_is_made(tmp_path: Path) -> None:
    """/4/find answers 300 MiB bodies until the release: each is cut at the cap, its
    connection replaced, and booker books once the answers are sane again; the whole
    process tree stays far below the 706 MB such answers took it to before the cap."""
    huge = (
        '[[faults]]\nkind = "oversized"\nsize_mb = 300\nstart = "-60s"\nend = "+0.5s"\n'
        'paths = ["/4/find"]\n'
    )
    with running_sim(scenario("+3s", extra=huge, rivals=0), tmp_dir=tmp_path) as sim:
        command = book_resy_command(sim, "--max-duration", "30", "--workers", "2", "--json")
        with start_booker(sim, command, tmp_path) as (process, tag):
            peak = 0
            deadline = time.monotonic() + 45
            while process.poll() is None and time.monotonic() < deadline:
                peak = max(peak, tree_rss(process.pid))
                time.sleep(0.05)
            out, err = process.communicate(timeout=5)
        ledger = sim.ledger()
    assert process.returncode == 0, out + err
    assert orjson.loads(out.splitlines()[-1])["status"] == "booked"
    flooded = [r for r in ledger["requests"] if r["fault"] == "oversized"]
    assert flooded and all(r["path"] == "/4/find" for r in flooded)
    assert peak < 300 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB"
    assert not wait_until_gone(tag, 2.0)


def test_every_worker_dying_is_an_error_exit_1_not_a_refusal(tmp_path: Path) -> None:
    """Not the service's doing: status error, exit 1 (3 is kept for refusals), said on stderr."""
    with running_sim(scenario("+120s", rivals=0), tmp_dir=tmp_path) as sim:
        command = book_resy_command(sim, "--max-duration", "30", "--workers", "2")
        with start_booker(sim, command, tmp_path) as (process, tag):
            read_until(process, "all workers warm", timeout=20)
            for worker in worker_processes(process.pid):
                worker.kill()
            out, err = process.communicate(timeout=15)
    assert process.returncode == 1, out + err
    assert err.splitlines() == ["booker: error: no worker could run the job"]
    assert not wait_until_gone(tag, 2.0)
