"""Start booker from cron or ``at`` a minute before a target instant: pure text building, no I/O.

cron has minute resolution and runs in the system's local time, so the job
starts one whole minute before the target minute and hands the exact instant to
booker as ``--at <ISO 8601 with offset>``; booker then waits, warms its
connections and fires on time. Every line carries ``# booker:<tag>`` so it can
be listed and removed later. Credentials never appear in a line: booker reads
them from the environment or from ``.env`` in the directory the job ``cd``s into.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from booker.core.exceptions import UsageError

TAG_MARK = "# booker:"
SCHEDULED_VARIABLE = "BOOKER_SCHEDULED"  # tells the run it was scheduled (see cli.runner)
_TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TAG_AT_END = re.compile(r"#\s*booker:(\S+)\s*$")
MINUTE = dt.timedelta(minutes=1)
AFTER_DASHES = "the command after --"  # where a command comes from, unless a job file says it


def check_printable(what: str, text: str) -> str:
    """Refuse control characters: a newline in an argument would end the crontab line
    there and make the rest a second line (a command of its own)."""
    bad = next((c for c in text if unicodedata.category(c) == "Cc"), None)
    if bad is not None:
        raise UsageError(
            f"{what} holds a control character ({bad!r}); a crontab line cannot carry it"
        )
    return text


def start_time(target: dt.datetime, local: dt.tzinfo | None = None) -> dt.datetime:
    """The whole minute before the target's minute, in the cron daemon's zone (``local``)."""
    utc = target.astimezone(dt.UTC).replace(second=0, microsecond=0) - MINUTE
    return utc.astimezone(local) if local is not None else utc.astimezone()


DIRECTORY_VARIABLES = (
    "BOOKER_CONFIG_DIR",
    "BOOKER_DATA_DIR",
    "BOOKER_LOG_DIR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
)
CRON_PASSES = ("HOME", "LOGNAME", "USER", "SHELL")  # what cron puts in a job's environment


def carried_variables(environ: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """booker's directory variables set now, which the line sets again: the scheduled run
    uses the same settings, journal and logs as this shell's runs."""
    return tuple(
        (name, check_printable(name, environ[name]))
        for name in DIRECTORY_VARIABLES
        if environ.get(name)
    )


def cron_environment(
    environ: Mapping[str, str], assigned: Iterable[tuple[str, str]] = ()
) -> dict[str, str]:
    """The environment a cron job has: of this shell's variables only those cron passes
    (``CRON_PASSES``), then the variables its line ``assigned`` (PATH, booker's own)."""
    kept = {name: environ[name] for name in CRON_PASSES if environ.get(name)}
    return {**kept, **dict(assigned)}


def check_future(target: dt.datetime, start: dt.datetime, now: dt.datetime) -> None:
    """Refuse a target in the past, or so close that the start minute has already begun."""
    if target <= now:
        raise UsageError(f"--at {target.isoformat()} is in the past")
    if start <= now:
        raise UsageError(
            f"--at {target.isoformat()} is too soon to schedule (it would start at "
            f"{start:%H:%M}); run booker directly with --at instead"
        )


def check_tag(tag: str) -> str:
    """Letters, digits, ``.``, ``_`` and ``-`` (up to 64), so it survives cron and shells."""
    if not _TAG.fullmatch(tag):
        raise UsageError(f"--tag must be letters, digits, '.', '_' or '-', got {tag!r}")
    return tag


def default_tag(target: dt.datetime, command: Sequence[str]) -> str:
    """``<venue id>-<YYYYmmddHHMM>`` (or ``run-...`` without ``--venue-id``)."""
    venue = "run"
    for index, arg in enumerate(command):
        if arg == "--venue-id" and index + 1 < len(command):
            venue = command[index + 1]
        elif arg.startswith("--venue-id="):
            venue = arg.partition("=")[2]
    venue = venue.partition(",")[0]  # several venues: the first names the entry
    if not _TAG.fullmatch(venue):
        venue = "run"
    return f"{venue}-{target:%Y%m%d%H%M}"


def check_command(command: Sequence[str], source: str = AFTER_DASHES) -> tuple[str, ...]:
    """The booker command to schedule: a ``book`` command without its own ``--at``.

    ``source`` says where it came from: after ``--``, or ``--job FILE`` (whose ``at`` the
    caller took out already, so an ``--at`` left is an ``at`` that gives no time).
    """
    if not command or command[0] != "book":
        raise UsageError(
            "give the booker command to run after --, e.g. -- book resy --venue-id 60029 ..."
        )
    if any(arg == "--at" or arg.startswith("--at=") for arg in command):
        if source == AFTER_DASHES:
            raise UsageError("leave --at out of the command after --: schedule adds it")
        raise UsageError(f'{source}: at must be a time, e.g. at = "10:00"')
    for arg in command:
        check_printable(source, arg)
    return tuple(command)


def booker_executable(
    argv0: str, which: Callable[[str], str | None], python: str
) -> tuple[str, ...]:
    """How to start this booker: the running ``booker`` script, else the one on PATH, else ``python -m``."""
    if argv0 and Path(argv0).name == "booker" and Path(argv0).is_file():
        return (str(Path(argv0).resolve()),)
    found = which("booker")
    if found:
        return (str(Path(found).resolve()),)
    return (str(Path(python).absolute()), "-m", "booker")


@dataclass(frozen=True, slots=True)
class Job:
    """Everything one scheduled run needs; ``command`` is booker's argv after the executable."""

    target: dt.datetime
    start: dt.datetime  # in the zone cron and at use (the system's)
    executable: tuple[str, ...]
    command: tuple[str, ...]
    cwd: Path
    path_env: str
    log_file: Path
    tag: str
    env: tuple[tuple[str, str], ...] = ()  # booker's directory variables, as set when scheduled

    def shell_command(self) -> str:
        """``mkdir -p LOGDIR && cd CWD && PATH=... [BOOKER_...=...] booker ... --at ISO >> LOG 2>&1``."""
        argv = [*self.executable, *self.command, "--at", self.target.isoformat()]
        variables = [*self.env, (SCHEDULED_VARIABLE, self.tag)]
        assignments = "".join(f" {name}={shlex.quote(value)}" for name, value in variables)
        return (
            f"mkdir -p {shlex.quote(str(self.log_file.parent))}"
            f" && cd {shlex.quote(str(self.cwd))}"
            f" && PATH={shlex.quote(self.path_env)}{assignments} {shlex.join(argv)}"
            f" >> {shlex.quote(str(self.log_file))} 2>&1"
        )


def cron_line(job: Job) -> str:
    """One crontab line; it also checks the year, since cron repeats it every year."""
    start = job.start
    guard = f'test "$(date +%Y)" = {start.year} && '
    command = (guard + job.shell_command()).replace("%", "\\%")  # cron turns % into newlines
    return f"{start.minute} {start.hour} {start.day} {start.month} * {command} {TAG_MARK}{job.tag}"


def at_line(job: Job) -> str:
    """``echo '<command>' | at -t YYYYmmddHHMM``: the same job for ``at`` (one minute early)."""
    return f"echo {shlex.quote(job.shell_command())} | at -t {job.start:%Y%m%d%H%M}"


def entries(crontab: str) -> list[tuple[str, str]]:
    """``(tag, line)`` of every booker line in a crontab's text."""
    found = []
    for line in crontab.splitlines():
        match = _TAG_AT_END.search(line)
        if match and not line.lstrip().startswith("#"):
            found.append((match.group(1), line))
    return found


def remove_entry(crontab: str, tag: str) -> tuple[str, int]:
    """The crontab without the lines tagged ``tag``, and how many were removed."""
    kept, removed = [], 0
    for line in crontab.splitlines():
        match = _TAG_AT_END.search(line)
        if match and match.group(1) == tag and not line.lstrip().startswith("#"):
            removed += 1
            continue
        kept.append(line)
    return ("\n".join(kept) + "\n" if kept else ""), removed


def add_entry(crontab: str, line: str, tag: str) -> str:
    """The crontab with ``line`` appended, replacing any line with the same tag."""
    kept, _ = remove_entry(crontab, tag)
    return kept + line + "\n"
