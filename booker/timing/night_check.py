"""The night-before check: items judged OK / WARNING / FAIL, and the scheduled job's setup.

The items that need the service are gathered by ``booker.cli.check``; this module
holds the values and the parts that only read local things (the crontab's text,
the directory cron will ``cd`` into, the credentials found there).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shlex
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from booker.core.exceptions import BookerError
from booker.core.tokens import ExpiringToken, Level, check_expiry
from booker.store.credentials import resolve
from booker.timing import scheduling

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Does an option's value, as a crontab line spells it, say what the check was given?
Matcher = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Item:
    """One line of the check: what, how it came out, and why."""

    name: str
    level: Level
    message: str

    def line(self) -> str:
        """``OK       credentials  accepted (GET /2/user)``."""
        return f"{self.level.value:<8} {self.name:<12} {self.message}"

    def to_json(self) -> dict[str, str]:
        """One entry of the ``--json`` document."""
        return {"item": self.name, "level": self.level.value, "message": self.message}


def report_json(items: Sequence[Item]) -> dict[str, Any]:
    """The ``--json`` document: every item, and whether anything failed."""
    return {
        "ok": not any(i.level is Level.FAIL for i in items),
        "items": [i.to_json() for i in items],
    }


@dataclass(frozen=True, slots=True)
class ScheduledJob:
    """A booker line of the crontab: its tag, the directory it enters and its --at."""

    tag: str
    line: str
    cwd: Path | None
    at: dt.datetime | None
    assigned: tuple[tuple[str, str], ...] = ()  # NAME=value words the line sets (PATH, BOOKER_*)


def find_jobs(
    crontab: str, provider: str, wants: Mapping[str, Matcher], tag: str | None
) -> list[ScheduledJob]:
    """The booker lines for ``tag``, or those running ``book PROVIDER`` whose every ``wants``
    option is there and has a value its matcher accepts."""
    found = []
    for entry_tag, line in scheduling.entries(crontab):
        words = _words(line)
        if tag is not None:
            if entry_tag != tag:
                continue
        elif not _runs(words, provider, wants):
            continue
        found.append(
            ScheduledJob(
                entry_tag, line, _cd_directory(words), _at_option(words), _assignments(words)
            )
        )
    return found


def _words(line: str) -> list[str]:
    """The shell words of a crontab line (cron's ``\\%`` back to ``%``); empty when unparsable."""
    command = line.split("# booker:", maxsplit=1)[0].replace("\\%", "%")
    try:
        return shlex.split(command)
    except ValueError:
        return []


def _runs(words: list[str], provider: str, wants: Mapping[str, Matcher]) -> bool:
    start = next(
        (i + 2 for i, pair in enumerate(itertools.pairwise(words)) if pair == ("book", provider)),
        None,
    )
    if start is None:
        return False
    given: dict[str, str] = {}  # as click reads them: --opt value or --opt=value, the last wins
    for index in range(start, len(words)):
        option, sep, value = words[index].partition("=")
        if not option.startswith("--"):
            continue
        if sep:
            given[option] = value
        elif index + 1 < len(words):
            given[option] = words[index + 1]
    return all(option in given and matches(given[option]) for option, matches in wants.items())


def _cd_directory(words: list[str]) -> Path | None:
    for first, second in itertools.pairwise(words):
        if first == "cd":
            return Path(second)
    return None


def _assignments(words: list[str]) -> tuple[tuple[str, str], ...]:
    """The ``NAME=value`` words in front of the command the line runs (after its last ``&&``)."""
    start = max((i + 1 for i, word in enumerate(words) if word == "&&"), default=0)
    assigned = []
    for word in words[start:]:
        name, sep, value = word.partition("=")
        if not (sep and _NAME.fullmatch(name)):
            break
        assigned.append((name, value))
    return tuple(assigned)


def _at_option(words: list[str]) -> dt.datetime | None:
    for first, second in itertools.pairwise(words):
        if first == "--at":
            try:
                moment = dt.datetime.fromisoformat(second)
            except ValueError:
                return None
            return moment if moment.tzinfo is not None else None
    return None


def check_cron_directory(
    job: ScheduledJob,
    names: Sequence[str],
    environ: Mapping[str, str],
    token: ExpiringToken,
    at: float,
    now: float,
    *,
    known: Collection[str],
) -> Item:
    """Will the job, started by cron in its directory, find usable, owner-only credentials?

    ``environ``: the environment cron gives the job (``scheduling.cron_environment`` with
    the line's assignments); ``token``: the provider's expiring token, among ``names``;
    ``known``: every credential name the settings file may hold.
    """
    if job.cwd is None:
        return Item("cron setup", Level.FAIL, f"the line tagged {job.tag} enters no directory")
    if not job.cwd.is_dir():
        return Item("cron setup", Level.FAIL, f"cron will cd into {job.cwd}, which does not exist")
    try:
        found = resolve(names, environ, job.cwd, known=known)
    except BookerError as exc:
        return Item("cron setup", Level.FAIL, str(exc))
    missing = [name for name in names if name not in found]
    if missing:
        return Item(
            "cron setup",
            Level.FAIL,
            f"cron will find no {', '.join(missing)} in {job.cwd / '.env'} or the settings file "
            "(cron passes none of this shell's variables)",
        )
    message = f"cron enters {job.cwd}; its credentials are found and owner-only"
    refresh_name = token.refresh_name
    try:
        refresh = resolve((refresh_name,), environ, job.cwd, known=known) if refresh_name else {}
    except BookerError as exc:  # the refresh token's file is unsafe or unreadable
        return Item("cron setup", Level.FAIL, str(exc))
    expiry = check_expiry(found[token.name], at, now, name=token.name, renewable=bool(refresh))
    if expiry.level is not Level.OK:
        return Item("cron setup", expiry.level, f"{message}, but there {expiry.message}")
    return Item("cron setup", Level.OK, message)


def check_job_time(job: ScheduledJob, drop: dt.datetime | None) -> Item:
    """The crontab line's ``--at`` against the release instant."""
    if job.at is None:
        return Item("cron line", Level.WARNING, f"{job.tag}: no --at in the line")
    when = f"{job.tag} fires at {job.at:%Y-%m-%d %H:%M:%S %Z}".rstrip()
    if drop is not None and job.at != drop:
        return Item(
            "cron line",
            Level.WARNING,
            f"{when}, not at the release instant {drop.astimezone(job.at.tzinfo):%Y-%m-%d %H:%M:%S}",
        )
    return Item("cron line", Level.OK, when)
