"""``booker schedule``: a crontab line (or an ``at`` job) that starts booker a minute early."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import click
import orjson
from click.shell_completion import CompletionItem

from booker.cli.book import check_book_command
from booker.core.exceptions import CredentialsError, UsageError
from booker.store.logpaths import log_dir
from booker.timing import scheduling
from booker.timing.scheduling import check_printable
from booker.timing.when import parse_when, zone_for

Runner = Callable[[Sequence[str], str | None], "subprocess.CompletedProcess[str]"]


def run_crontab(args: Sequence[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
    """Run ``crontab ARGS`` (found on PATH) with ``stdin``; UsageError when it is not installed."""
    try:
        return subprocess.run(
            ["crontab", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError(
            "crontab is not installed; use --at-job or add the line yourself"
        ) from None
    except subprocess.TimeoutExpired:
        raise UsageError("crontab did not answer within 30 s") from None


def read_crontab(runner: Runner) -> str:
    """The user's crontab text; empty when there is none yet."""
    done = runner(["-l"], None)
    if done.returncode != 0:
        if "no crontab" in done.stderr.lower():
            return ""
        raise UsageError(f"crontab -l failed: {_first_line(done.stderr)}")
    return done.stdout


def write_crontab(runner: Runner, text: str) -> None:
    """Replace the user's crontab with ``text``."""
    done = runner(["-"], text)
    if done.returncode != 0:
        raise UsageError(f"crontab - failed: {_first_line(done.stderr)}")


def complete_tags(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion of --remove: the tags of booker's crontab lines (none on any error)."""
    try:
        current = read_crontab(run_crontab)
    except UsageError:
        return []
    return [
        CompletionItem(tag, help=line)
        for tag, line in scheduling.entries(current)
        if tag.startswith(incomplete)
    ]


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else "no message"


@click.command(
    "schedule",
    epilog="""\b
Examples:
  booker schedule --at "2026-12-01 09:00" --tz America/New_York -- \\
      book resy --venue-id 60029 --party-size 2 --date 2026-12-31 --times 19:00
  booker schedule --at "2026-12-01 09:00" --install -- book resy ...
  booker schedule --list [--json]
  booker schedule --remove 60029-202612010900
""",
)
@click.option(
    "--at",
    "at_text",
    help="Target instant, e.g. '2026-12-01 09:00' or 09:00 (next one), or ISO 8601 with an offset.",
)
@click.option("--tz", "zone_name", help="Zone of --at (IANA name) [default: the venue's].")
@click.option("--tag", help="Name of the entry (default: <venue id>-<YYYYmmddHHMM>).")
@click.option("--install", is_flag=True, help="Add the line to your crontab (crontab -l / -).")
@click.option("--list", "list_", is_flag=True, help="List the booker lines of your crontab.")
@click.option(
    "--remove",
    metavar="TAG",
    shell_complete=complete_tags,
    help="Remove the crontab lines tagged TAG.",
)
@click.option("--at-job", is_flag=True, help="Print an `at` command instead of a crontab line.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print a JSON list on stdout.")
@click.option(
    "--job",
    "job_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Schedule the job a TOML file describes (its at and tz are --at and --tz).",
)
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def schedule(
    at_text: str | None,
    zone_name: str | None,
    tag: str | None,
    install: bool,
    list_: bool,
    remove: str | None,
    at_job: bool,
    as_json: bool,
    job_file: Path | None,
    command: tuple[str, ...],
) -> None:
    """Start COMMAND (after --) from cron one minute before --at, passing the exact --at.

    COMMAND is parsed and checked now, as it will run: its options, dates and times,
    and the credentials cron will find in this directory (.env or the settings file).
    """
    if as_json and not list_:
        raise UsageError("--json applies to --list only")
    if job_file is not None:
        from booker.cli.jobfile import job_argv, split_at

        if command:
            raise UsageError("--job FILE says the command: give none after --")
        command, file_at, file_tz = split_at(job_argv(job_file))
        at_text, zone_name = at_text or file_at, zone_name or file_tz
        source = f"--job {job_file}"
    else:
        source = scheduling.AFTER_DASHES
    schedule_main(
        at_text,
        zone_name,
        tag,
        install,
        list_,
        remove,
        at_job,
        command,
        runner=run_crontab,
        as_json=as_json,
        source=source,
    )


def schedule_main(
    at_text: str | None,
    zone_name: str | None,
    tag: str | None,
    install: bool,
    list_: bool,
    remove: str | None,
    at_job: bool,
    command: tuple[str, ...],
    *,
    runner: Runner,
    now: dt.datetime | None = None,
    as_json: bool = False,
    source: str = scheduling.AFTER_DASHES,
) -> None:
    """The command's logic with the crontab runner and the current time injectable;
    ``source`` names where ``command`` came from in its messages."""
    if list_ or remove is not None:
        if list_ and remove is not None:
            raise UsageError("use either --list or --remove, not both")
        current = read_crontab(runner)
        if list_:
            found = scheduling.entries(current)
            if as_json:
                click.echo(orjson.dumps([{"tag": t, "line": line} for t, line in found]).decode())
            elif not found:
                click.echo("nothing scheduled: no booker line in your crontab")
            else:
                for entry_tag, line in found:
                    click.echo(f"{entry_tag}\t{line}")
            return
        assert remove is not None
        kept, removed = scheduling.remove_entry(current, remove)
        if not removed:
            raise UsageError(f"no crontab line tagged booker:{remove}")
        write_crontab(runner, kept)
        click.echo(f"removed {removed} line{'s' if removed > 1 else ''} tagged booker:{remove}")
        return
    if at_text is None:
        raise UsageError("--at is required (or use --list / --remove TAG)")
    if install and at_job:
        raise UsageError("--install writes a crontab line; pipe the --at-job line into sh instead")
    check_printable("--at", at_text)
    argv = scheduling.check_command(command, source)
    cwd = Path.cwd()
    check_printable("the working directory", str(cwd))
    path_env = check_printable("PATH", os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"))
    # `at` copies this shell's environment into the job; cron passes none of it (the line
    # sets PATH and booker's directory variables).
    carried = scheduling.carried_variables(os.environ)
    environ: Mapping[str, str] = os.environ
    if not at_job:
        environ = scheduling.cron_environment(os.environ, (("PATH", path_env), *carried))
    try:
        prepared = check_book_command(argv, environ, cwd, source=source)
    except CredentialsError as exc:
        hint = (
            " (cron passes none of this shell's exported variables: put them in .env there, "
            "chmod 600)"
            if not at_job and str(exc).startswith("missing")
            else ""
        )
        raise UsageError(f"the scheduled run would fail in {cwd}: {exc}{hint}") from None
    now = now or dt.datetime.now(dt.UTC)
    zone = zone_for(at_text, zone_name or prepared.args.tz, prepared.venue_zone)
    target = parse_when(at_text, zone, now, max_ahead=None)
    start = scheduling.start_time(target)
    scheduling.check_future(target, start, now)
    name = scheduling.check_tag(tag) if tag else scheduling.default_tag(target, argv)
    job = scheduling.Job(
        target=target,
        start=start,
        executable=scheduling.booker_executable(sys.argv[0], shutil.which, sys.executable),
        command=argv,
        cwd=cwd,
        path_env=path_env,
        log_file=log_dir() / f"scheduled_{name}.log",
        tag=name,
        env=carried,
    )
    if not (prepared.args.notify or prepared.args.notify_cmd):
        click.echo(
            "booker: note: without --notify or --notify-cmd nobody will be told how the "
            "scheduled run ends; its log will be the only record",
            err=True,
        )
    _warn_expiry(argv, target, environ)
    if at_job:
        click.echo(scheduling.at_line(job))
        return
    line = scheduling.cron_line(job)
    if not install:
        click.echo(line)
        return
    write_crontab(runner, scheduling.add_entry(read_crontab(runner), line, name))
    click.echo(f"installed in your crontab (starts {start:%Y-%m-%d %H:%M %Z}):")
    click.echo(line)


def _warn_expiry(command: tuple[str, ...], target: dt.datetime, environ: Mapping[str, str]) -> None:
    """Warn when the token the job will find in ``environ`` (the job's: for cron, what cron
    passes and the line sets), .env or the settings file expires before it runs."""
    from booker.oneshot.token_renewal import warn_scheduled_expiry

    warn_scheduled_expiry(command, target.timestamp(), environ, Path.cwd())
