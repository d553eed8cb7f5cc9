"""A job file says what the options say (issue 16): same job, same journal key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from booker.cli import main
from booker.cli.book import check_book_command
from booker.cli.jobfile import job_argv, split_at
from booker.core.exceptions import UsageError
from booker.store.joblock import job_key

ENV = {"RESY_API_KEY": "k" * 32, "RESY_AUTH_TOKEN": "t" * 40}
EXAMPLE = Path(__file__).parent.parent / "examples" / "job-dinner.toml"
YEAR = dt.date.today().year + 1


def key_of(prepared: object) -> str:
    identity = prepared.job.identity()  # type: ignore[attr-defined]
    return job_key(identity.provider, *identity.parts)


def test_the_example_and_its_options_give_the_same_job_and_key(tmp_path: Path) -> None:
    example = tmp_path / "job-dinner.toml"  # its days, moved to next year: never in the past
    example.write_text(EXAMPLE.read_text().replace("2026-12-", f"{YEAR}-12-"))
    argv, at, tz = split_at(job_argv(example))
    assert (at, tz) == ("10:00", "America/New_York")
    from_file = check_book_command(argv, ENV, tmp_path)
    options = check_book_command(
        (
            "book", "resy", "--venue-id", "60029,1505", "--date", f"{YEAR}-12-24,{YEAR}-12-26",
            "--party-size", "2", "--times", "19:00-20:30,21:00",
            "--table-types", "Dining Room,Patio", "--exclude-types", "Bar,Counter",
            "--concurrency", "3", "--cadence-ms", "100", "--max-duration", "300",
        ),
        ENV,
        tmp_path,
    )  # fmt: skip
    assert from_file.job == options.job
    assert from_file.settings == options.settings
    assert key_of(from_file) == key_of(options) == f"resy:1505,60029:{YEAR}-12-24,{YEAR}-12-26:2"
    target = from_file.job.target
    assert target.times == ("19:00:00-20:30:00", "21:00:00")
    assert target.table_types == ("Dining Room", "Patio")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('venues = [1]\n', 'provider = "resy" or "cart"'),
        ('provider = "resy"\nvenue_id = 1\nparty_size = 2\ndate = "2099-01-01"\n'
         'times = "19:00"\nbogus = 3\n', "No such option '--bogus'"),
        ('provider = "resy"\nvenue_id = [', "is not TOML"),
        ('provider = "resy"\nvenue_id = {a = 1}\n', "must be text"),
    ],
)  # fmt: skip
def test_a_bad_job_file_is_one_line_and_exit_2(
    tmp_path: Path, text: str, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "job.toml"
    path.write_text(text, encoding="utf-8")
    assert exit_code(["book", "--job", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and fragment in err, err


def exit_code(argv: list[str]) -> object:
    with pytest.raises(SystemExit) as caught:
        main(argv)
    return caught.value.code


def test_job_and_a_provider_together_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        job_argv(tmp_path / "missing.toml")
    assert exit_code(["book", "--job", str(EXAMPLE), "resy"]) == 2
    assert exit_code(["book"]) == 2


def test_a_job_file_asking_for_help_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``book --job FILE`` whose file says ``help = true``: the message names the file as
    typed, not "the command after --" the user never gave."""
    monkeypatch.chdir(tmp_path)
    Path("job.toml").write_text('provider = "resy"\nhelp = true\n', encoding="utf-8")
    assert exit_code(["book", "--job", "job.toml"]) == 2
    assert capsys.readouterr().err == (
        "booker: error: --job job.toml must run a booking, not print help\n"
    )


def test_an_at_or_tz_without_a_value_does_not_take_the_next_option() -> None:
    """``at = true`` in a file is ``--at`` with no time: it stays in the command (to be
    refused there) instead of making the next option the time."""
    flag_then_tz = ("book", "resy", "--at", "--tz", "UTC")
    assert split_at(flag_then_tz) == (("book", "resy", "--at"), None, "UTC")
    assert split_at(("book", "resy", "--tz")) == (("book", "resy", "--tz"), None, None)
