"""End to end: the everyday commands (slots, venue, ping, completion, --notify-cmd) as users run them."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from booker_run import (
    RELEASED_SCENARIO,
    book_resy_command,
    booker_command,
    lookup_command,
    run_booker,
    wait_until_gone,
)
from click.testing import CliRunner

from booker.cli import cli
from booker.cli.slots import format_offers
from booker.core.model import Slot
from booker.providers import resy_venue
from booker.sim.testing import SimHandle, running_sim

SKEW_S = 2.5

LOOKUP_SCENARIO = f"""
provider = "resy"
clock_skew_s = {SKEW_S}
rivals = []
[release]
at = "-1s"
day = "+20d"
[[slots]]
time = "19:00"
table_types = ["Dining Room", "Bar"]
[[slots]]
time = "19:30"
table_types = ["Dining Room"]
"""


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimHandle]:
    """One released venue (over HTTP/2 + TLS, clock 2.5 s ahead) for the read-only commands."""
    with running_sim(LOOKUP_SCENARIO, tmp_dir=tmp_path_factory.mktemp("sim")) as handle:
        yield handle


def one_error_line(stderr: str) -> str:
    """The single ``booker: error: ...`` line, with no traceback."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("booker: error: ")
    return lines[0]


# --- slots ---------------------------------------------------------------------------------


@pytest.mark.e2e
def test_slots_table_shows_venue_and_slots(sim: SimHandle, tmp_path: Path) -> None:
    """``booker slots resy`` prints the venue and zone on top, then time, table type, deposit."""
    command = lookup_command(
        sim, "slots", "resy", "--venue-id", str(sim.scenario["venue_id"]),
        "--date", sim.scenario["day"], "--party-size", "2",
    )  # fmt: skip
    run = run_booker(sim, command, tmp_path, RESY_AUTH_TOKEN="")
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "Carbone (simulated) (America/New_York)"
    assert lines[1] == f"{sim.scenario['day']}, party of 2: 3 slots"
    assert lines[2].split() == ["TIME", "TABLE", "TYPE", "DEPOSIT"]
    assert [line.split()[0] for line in lines[3:]] == ["19:00", "19:00", "19:30"]
    assert all(line.split()[-1] == "-" for line in lines[3:])


@pytest.mark.e2e
def test_slots_json(sim: SimHandle, tmp_path: Path) -> None:
    """``--json`` gives the venue and every slot with its deposit and token."""
    command = lookup_command(
        sim, "slots", "resy", "--venue-id", str(sim.scenario["venue_id"]),
        "--date", sim.scenario["day"], "--party-size", "2", "--json",
    )  # fmt: skip
    run = run_booker(sim, command, tmp_path)
    assert run.code == 0, run.stderr
    document = run.json()
    assert document["venue"] == {
        "id": sim.scenario["venue_id"],
        "name": "Carbone (simulated)",
        "time_zone": "America/New_York",
    }
    assert [(s["time"], s["table_type"]) for s in document["slots"]] == [
        ("19:00:00", "Bar"),
        ("19:00:00", "Dining Room"),
        ("19:30:00", "Dining Room"),
    ]
    assert all(s["deposit_fee"] is None and s["is_paid"] is False for s in document["slots"])
    assert all(s["token"].startswith("rgs://resy/") for s in document["slots"])


@pytest.mark.e2e
def test_slots_on_a_day_not_released(sim: SimHandle, tmp_path: Path) -> None:
    """A day with nothing open says so and still exits 0."""
    later = (dt.date.fromisoformat(sim.scenario["day"]) + dt.timedelta(days=1)).isoformat()
    command = lookup_command(
        sim, "slots", "resy", "--venue-id", str(sim.scenario["venue_id"]),
        "--date", later, "--party-size", "2",
    )  # fmt: skip
    run = run_booker(sim, command, tmp_path)
    assert run.code == 0, run.stderr
    assert f"{later}, party of 2: no slots available now" in run.stdout


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("api_key", "code", "words"),
    [
        ("X" * 32, 3, "refused the credentials"),
        ("", 2, "missing credentials: set RESY_API_KEY"),
    ],
    ids=["wrong-key", "no-key"],
)
def test_slots_credentials_errors(
    sim: SimHandle, tmp_path: Path, api_key: str, code: int, words: str
) -> None:
    """A refused API key exits 3, a missing one 2; one line on stderr, no key printed."""
    command = lookup_command(
        sim, "slots", "resy", "--venue-id", "60029", "--date", sim.scenario["day"],
        "--party-size", "2",
    )  # fmt: skip
    run = run_booker(sim, command, tmp_path, RESY_API_KEY=api_key)
    assert run.code == code
    assert words in one_error_line(run.stderr)
    assert "X" * 32 not in run.stdout + run.stderr


# --- venue ---------------------------------------------------------------------------------


@pytest.mark.e2e
def test_venue_human_and_json(sim: SimHandle, tmp_path: Path) -> None:
    """``booker venue resy`` shows name, zone, lead time and the release rule; ``--json`` too."""
    base = lookup_command(sim, "venue", "resy", "--venue-id", str(sim.scenario["venue_id"]))
    human = run_booker(sim, base, tmp_path)
    as_json = run_booker(sim, [*base, "--json"], tmp_path)
    assert human.code == 0, human.stderr
    assert "Carbone (simulated) (id 60029)" in human.stdout
    assert "America/New_York" in human.stdout
    assert "30 days ahead" in human.stdout
    assert "Reservations open 30 days in advance at 10:00 AM" in human.stdout
    assert as_json.code == 0, as_json.stderr
    assert as_json.json() == {
        "venue_id": 60029,
        "name": "Carbone (simulated)",
        "time_zone": "America/New_York",
        "lead_time_in_days": 30,
        "release_rule": "Reservations open 30 days in advance at 10:00 AM",
    }


@pytest.mark.e2e
def test_unknown_venue_is_a_usage_error(sim: SimHandle, tmp_path: Path) -> None:
    """A venue the service does not know exits 2 with one line."""
    run = run_booker(sim, lookup_command(sim, "venue", "resy", "--venue-id", "99"), tmp_path)
    assert run.code == 2
    assert "no venue 99" in one_error_line(run.stderr)


# --- ping ----------------------------------------------------------------------------------


@pytest.mark.e2e
def test_the_system_trust_store_is_used_without_ca_cert(sim: SimHandle, tmp_path: Path) -> None:
    """A CA the system trusts (here through SSL_CERT_FILE, as behind a corporate proxy) works
    without --ca-cert; without it the same certificate is refused."""
    assert sim.ca is not None
    command = booker_command("ping", "resy", "--samples", "1", "--base-url", sim.url)
    trusted = run_booker(sim, command, tmp_path, SSL_CERT_FILE=str(sim.ca))
    assert trusted.code == 0, trusted.stderr
    assert "credentials accepted" in trusted.stdout
    refused = run_booker(sim, command, tmp_path, SSL_CERT_FILE=str(tmp_path / "none.pem"))
    assert refused.code == 1  # the simulator's throw-away CA is nobody's: refused


@pytest.mark.e2e
def test_ping_reports_rtt_http_version_and_clock(sim: SimHandle, tmp_path: Path) -> None:
    """``booker ping resy`` accepts the credentials over HTTP/2 and finds the 2.5 s clock skew."""
    human = run_booker(sim, lookup_command(sim, "ping", "resy", "--samples", "2"), tmp_path)
    assert human.code == 0, human.stderr
    assert "credentials accepted" in human.stdout
    assert "median of 2 over a warm connection" in human.stdout
    assert "HTTP version  HTTP/2" in human.stdout
    shown = re.search(r"server clock ([+-]\d+\.\d+) s ± (\d+\.\d+) ms", human.stdout)
    assert shown is not None, human.stdout
    assert abs(float(shown[1]) - SKEW_S) <= float(shown[2]) / 1000 + 0.05
    run = run_booker(sim, lookup_command(sim, "ping", "resy", "--samples", "3", "--json"), tmp_path)
    assert run.code == 0, run.stderr
    document = run.json()
    assert document["http_version"] == "HTTP/2"
    assert len(document["rtt_ms"]["samples"]) == 3
    assert (
        0 < document["rtt_ms"]["min"] <= document["rtt_ms"]["median"] <= document["rtt_ms"]["max"]
    )
    error = abs(document["server_clock_ahead_s"] - SKEW_S)
    assert error <= document["server_clock_uncertainty_s"] + 0.05
    assert document["server_clock_uncertainty_s"] < 0.5
    token = sim.scenario["auth_token"]
    assert token not in human.stdout + run.stdout


@pytest.mark.e2e
def test_ping_refused_credentials_exit_3(sim: SimHandle, tmp_path: Path) -> None:
    """A token the service refuses (419) exits 3 with one line that never shows the token."""
    run = run_booker(
        sim, lookup_command(sim, "ping", "resy"), tmp_path, RESY_AUTH_TOKEN="wrong-token-77"
    )
    assert run.code == 3
    assert "refused the credentials" in one_error_line(run.stderr)
    assert "wrong-token-77" not in run.stdout + run.stderr


@pytest.mark.e2e
def test_ping_unreachable_exit_1(sim: SimHandle, tmp_path: Path) -> None:
    """Nobody listening exits 1 with one line."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = booker_command("ping", "resy", "--base-url", f"http://127.0.0.1:{port}")
    run = run_booker(sim, command, tmp_path)
    assert run.code == 1
    line = one_error_line(run.stderr)
    assert f"cannot reach http://127.0.0.1:{port} (connection refused by 127.0.0.1:{port})" in line


@pytest.mark.e2e
def test_ping_names_an_untrusted_certificate_and_suggests_ca_cert(
    sim: SimHandle, tmp_path: Path
) -> None:
    """The simulator's private CA not given: exit 1, the cause named, the way out shown."""
    if sim.ca is None:
        pytest.skip("a plain-HTTP simulator")
    run = run_booker(sim, booker_command("ping", "resy", "--base-url", sim.url), tmp_path)
    assert run.code == 1
    line = one_error_line(run.stderr)
    assert f"cannot reach {sim.url} (TLS certificate of 127.0.0.1:" in line
    assert "not trusted" in line and "pass it with --ca-cert" in line


# --- book --notify-cmd ---------------------------------------------------------------------


@pytest.mark.e2e
def test_book_notify_gets_result_and_its_failure_keeps_exit_code(tmp_path: Path) -> None:
    """--notify-cmd reads the result JSON; its exit 7 is one stderr line and booker still exits 0."""
    got = tmp_path / "notified.json"
    notify = f"cat > '{got}'; echo 'webhook said no' >&2; exit 7"
    with running_sim(RELEASED_SCENARIO, tmp_dir=tmp_path / "sim") as sim:
        command = book_resy_command(
            sim, "--cadence-ms", "50", "--max-duration", "30", "--workers", "1", "--json",
            "--notify-cmd", notify, "--notify-timeout", "5", times="19:00",
        )  # fmt: skip
        run = run_booker(sim, command, tmp_path)
    assert run.code == 0, run.stderr
    document = orjson.loads(got.read_bytes())
    assert document == run.json()
    assert document["status"] == "booked"
    secrets = (sim.scenario["api_key"], sim.scenario["auth_token"])
    assert not any(s in got.read_text() for s in secrets)
    notify_lines = [line for line in run.stderr.splitlines() if "notify" in line]
    assert notify_lines == ["booker: notify command failed: exited with 7: webhook said no"]
    assert not wait_until_gone(run.tag, 2.0)


# --- completion and help -------------------------------------------------------------------


def _completion_script(shell: str, tmp_path: Path) -> Path:
    result = CliRunner().invoke(cli, ["completion", shell], prog_name="booker")
    assert result.exit_code == 0, result.output
    assert "_BOOKER_COMPLETE" in result.output
    path = tmp_path / f"booker.{shell}"
    path.write_text(result.output, encoding="utf-8")
    return path


def test_completion_bash_is_sourceable_and_completes(tmp_path: Path) -> None:
    """bash sources the script, registers ``booker``, and the program answers completions."""
    script = _completion_script("bash", tmp_path)
    done = subprocess.run(
        ["bash", "--norc", "-c", f"source '{script}' && complete -p booker"],
        capture_output=True, text=True, timeout=20, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "_booker_completion" in done.stdout
    env = {
        "_BOOKER_COMPLETE": "bash_complete",
        "COMP_WORDS": "booker ping resy --",
        "COMP_CWORD": "3",
    }
    answer = subprocess.run(
        booker_command(), capture_output=True, text=True, timeout=20, check=False,
        env={**_plain_env(), **env},
    )  # fmt: skip
    assert "plain,--samples" in answer.stdout.splitlines()


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("zsh", "#compdef booker"), ("fish", "complete --no-files --command booker")],
)
def test_completion_zsh_and_fish(tmp_path: Path, shell: str, marker: str) -> None:
    """zsh and fish get their own scripts; checked by the shell itself when it is installed."""
    script = _completion_script(shell, tmp_path)
    assert marker in script.read_text()
    binary = shutil.which(shell)
    if binary is not None:
        done = subprocess.run(
            [binary, "-n", str(script)], capture_output=True, text=True, timeout=20, check=False
        )
        assert done.returncode == 0, done.stderr


def test_completion_rejects_other_shells() -> None:
    """An unknown shell is a usage error (exit 2)."""
    result = CliRunner().invoke(cli, ["completion", "tcsh"], prog_name="booker")
    assert result.exit_code == 2
    assert "'tcsh' is not one of" in result.output


def _plain_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("RESY_", "RA_"))}


# The commands of issue 8 and those before it; commands other work adds carry their own checks.
HELP_PATHS = [
    (),
    ("book",),
    ("book", "resy"),
    ("sim",),
    ("slots",),
    ("slots", "resy"),
    ("venue",),
    ("venue", "resy"),
    ("ping",),
    ("ping", "resy"),
    ("completion",),
]


@pytest.mark.parametrize("path", HELP_PATHS, ids=lambda p: " ".join(p) or "booker")
def test_every_help_shows_an_example(path: tuple[str, ...]) -> None:
    """``--help`` of each command and group ends with a real ``booker ...`` example."""
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="booker")
    assert result.exit_code == 0, result.output
    example = result.output.split("Example", 1)
    assert len(example) == 2, result.output
    assert "booker " + " ".join(path) in example[1]


# --- pure pieces ---------------------------------------------------------------------------


def test_offers_carry_the_deposit() -> None:
    """``parse_offers`` reads ``payment.deposit_fee`` / ``is_paid`` and shows them in the table."""

    def raw(time: str, payment: object) -> dict[str, object]:
        return {
            "config": {"token": f"rgs://x/{time}", "type": "Dining Room"},
            "date": {"start": f"2026-12-24 {time}:00"},
            "size": {"min": 1, "max": 4},
            "payment": payment,
        }

    document = {
        "results": {
            "venues": [
                {
                    "slots": [
                        raw("18:00", {"is_paid": True, "deposit_fee": 25}),
                        raw("18:30", {"is_paid": True, "deposit_fee": None}),
                        raw("19:00", {"is_paid": False, "deposit_fee": None}),
                        raw("19:30", None),
                        raw("20:00", {"deposit_fee": "12.5"}),
                    ]
                }
            ]
        }
    }
    offers = resy_venue.parse_offers(document, "2026-12-24", 2)
    assert [(o.is_paid, o.deposit_fee) for o in offers] == [
        (True, 25.0),
        (True, None),
        (False, None),
        (False, None),
        (True, 12.5),
    ]
    table = format_offers(tuple(offers)).splitlines()
    assert [line.split()[-1] for line in table[1:]] == ["25.00", "paid", "-", "-", "12.50"]
    assert resy_venue.parse_offers({"results": {"venues": []}}, "2026-12-24", 2) == []
    slot = Slot("18:00:00", "Dining Room", "rgs://x/18:00", "2026-12-24")
    assert offers[0].slot == slot


def test_every_command_help_shows_an_example() -> None:
    """Walking the whole command tree: every --help ends with a real example."""
    import click

    from booker.cli import cli

    def walk(command: click.Command, path: list[str]) -> list[tuple[str, click.Command]]:
        found = [(" ".join(path), command)]
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                found += walk(sub, [*path, name])
        return found

    missing = [
        path
        for path, command in walk(cli, ["booker"])
        if "Example" not in command.get_help(click.Context(command, info_name=path))
    ]
    assert missing == []
