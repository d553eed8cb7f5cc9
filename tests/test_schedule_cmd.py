"""``booker schedule`` (booker.scheduling + booker.cli.schedule); a fake crontab, never the real one."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from booker import scheduling as sc
from booker.cli import main
from booker.exceptions import UsageError

NY = ZoneInfo("America/New_York")
UTC = dt.UTC
FUTURE_YEAR = dt.date.today().year + 1
AT = f"{FUTURE_YEAR}-12-01 09:00"
BOOK = ("book", "resy", "--venue-id", "60029", "--party-size", "2")

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
    monkeypatch.chdir(tmp_path)
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
def test_parse_at(text: str, zone: ZoneInfo, iso: str) -> None:
    """A wall time in the zone (DST included), or an explicit offset that wins."""
    assert sc.parse_at(text, zone).isoformat() == iso


@pytest.mark.parametrize("text", ["2026-12-01", "tomorrow", "09:00", "2026-13-01 09:00", ""])
def test_parse_at_refuses_malformed(text: str) -> None:
    """No time of day, or not a date: one-line UsageError."""
    with pytest.raises(UsageError, match="--at must be a date and time"):
        sc.parse_at(text, NY)


def test_parse_at_refuses_a_skipped_wall_time() -> None:
    """02:30 on the spring-forward day does not exist in New York."""
    with pytest.raises(UsageError, match="does not exist"):
        sc.parse_at("2026-03-08 02:30", NY)


def test_parse_zone() -> None:
    """IANA names, None for local; unknown names refused."""
    assert sc.parse_zone(None) is None
    assert sc.parse_zone("Europe/Paris") == ZoneInfo("Europe/Paris")
    with pytest.raises(UsageError, match="unknown time zone"):
        sc.parse_zone("Mars/Olympus")


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
    code, out, err = run(capsys, "schedule", "--at", AT, "--tz", "America/New_York", "--", *BOOK)
    assert (code, err) == (0, "")
    line = out.strip()
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
    code, out, _ = run(capsys, *args, "--install", "--", *BOOK)
    assert code == 0
    assert out.startswith("installed in your crontab")
    run(capsys, *args, "--install", "--", *BOOK, "--times", "19:00")
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
    """'no crontab for user' is an empty table, not an error."""
    assert run(capsys, "schedule", "--list") == (0, "", "")


def test_cli_at_job(fake_crontab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--at-job prints the at variant one minute early and leaves crontab alone."""
    code, out, _ = run(capsys, "schedule", "--at", AT, "--tz", "UTC", "--at-job", "--", *BOOK)
    start = dt.datetime(FUTURE_YEAR, 12, 1, 8, 59, tzinfo=UTC).astimezone()
    assert code == 0
    assert out.startswith("echo ")
    assert out.strip().endswith(f"| at -t {start:%Y%m%d%H%M}")
    assert not fake_crontab.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--at", "2020-01-01 09:00", "--", *BOOK), "is in the past"),
        (("--at", "next tuesday", "--", *BOOK), "--at must be a date and time"),
        (("--at", AT, "--tz", "Nowhere/City", "--", *BOOK), "unknown time zone"),
        (("--at", AT), "give the booker command to run after --"),
        (("--", *BOOK), "--at is required"),
        (("--at", AT, "--install", "--at-job", "--", *BOOK), "--install writes a crontab line"),
        (("--at", AT, "--tag", "no spaces", "--", *BOOK), "--tag must be"),
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
    done = subprocess.run(
        [sys.executable, "-m", "booker", "schedule", "--at", "2001-01-01 00:00", "--", *BOOK],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "is in the past" in done.stderr
