"""Whole jobs never leak a credential: every stream and every file they write is searched."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from booker_run import Run, book_cart_command, book_resy_command, run_booker, scenario

from booker.sim.testing import SimHandle, running_sim

pytestmark = pytest.mark.e2e

CART = 'provider = "cart"\nrivals = []\n[release]\nat = "+1s"\n[campground]\nsites = ["245719"]\n'


def leaks(run: Run, workdir: Path, secrets: list[str]) -> list[str]:
    """Where any form of any secret shows up: stdout, stderr, or any file under ``workdir``."""
    forms = {form for secret in secrets for form in (secret, quote(secret, safe=""))}
    places = {"stdout": run.stdout, "stderr": run.stderr}
    for path in workdir.rglob("*"):
        if path.is_file():
            places[str(path)] = path.read_bytes().decode("utf-8", errors="replace")
    return [
        f"{where}: {form[:6]}..."
        for where, text in places.items()
        for form in forms
        if form in text
    ]


def resy_secrets(sim: SimHandle) -> list[str]:
    """The Resy credentials the sim accepts."""
    return [sim.scenario["api_key"], sim.scenario["auth_token"]]


@pytest.mark.parametrize("as_json", [False, True], ids=["human", "json"])
def test_a_resy_booking_leaks_nothing(tmp_path: Path, as_json: bool) -> None:
    """Booking with a log file, the journal and a notify command: no secret anywhere."""
    workdir = tmp_path / "run"
    workdir.mkdir()
    with running_sim(scenario("+1s", rivals=0), tmp_dir=tmp_path / "sim") as sim:
        extra = ["--json"] if as_json else []
        command = book_resy_command(
            sim, "--cadence-ms", "50", "--max-duration", "30", *extra,
            "--log-file", str(workdir / "job.log"),
            "--notify-cmd", f"cat > {workdir / 'notified.json'}",
        )  # fmt: skip
        run = run_booker(sim, command, workdir)
        secrets = resy_secrets(sim)
    assert run.code == 0, run.stdout + run.stderr
    assert (workdir / "notified.json").read_text().strip()
    assert (workdir / "data" / "journal.sqlite3").exists()
    assert "request POST /4/find" in (workdir / "job.log").read_text()  # JSON, as the web app
    assert leaks(run, workdir, secrets) == []


def test_refused_credentials_leak_nothing(tmp_path: Path) -> None:
    """A refused token is neither printed nor logged."""
    workdir = tmp_path / "run"
    workdir.mkdir()
    with running_sim(scenario("+1s", rivals=0), tmp_dir=tmp_path / "sim") as sim:
        command = book_resy_command(
            sim, "--max-duration", "30", "--log-file", str(workdir / "job.log")
        )
        run = run_booker(sim, command, workdir, RESY_AUTH_TOKEN="refused-secret-token-123")
        secrets = [*resy_secrets(sim), "refused-secret-token-123"]
    assert run.code == 3
    assert leaks(run, workdir, secrets) == []


def test_a_cart_booking_leaks_nothing(tmp_path: Path) -> None:
    """The idToken and the a1Data JSON (escaped or not) never show up."""
    workdir = tmp_path / "run"
    workdir.mkdir()
    with running_sim(CART, tmp_dir=tmp_path / "sim") as sim:
        command = book_cart_command(
            sim, "--cadence-ms", "50", "--max-duration", "30", "--json",
            "--log-file", str(workdir / "job.log"),
        )  # fmt: skip
        run = run_booker(sim, command, workdir)
        secrets = [sim.scenario["authorization"], sim.scenario["a1data"]]
    assert run.code == 0, run.stdout + run.stderr
    assert leaks(run, workdir, secrets) == []
