"""The variables a crontab line sets (``BOOKER_CONFIG_DIR=...``) reach every look at the job's setup.

``booker schedule`` writes booker's directory variables into the line, so the scheduled run
reads the same settings file as this shell. ``booker check`` and schedule's expiry warning
must look with them too, or credentials kept in that settings file are "not found".
"""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pytest
from test_account_units import jwt, schedule_resy, text_is

from booker.core.tokens import Level
from booker.providers.credentials import CREDENTIAL_NAMES, EXPIRING_TOKENS
from booker.timing.night_check import Item, ScheduledJob, check_cron_directory, find_jobs
from booker.timing.scheduling import cron_environment

check_command = importlib.import_module("booker.cli.check")  # the package shadows it with the group

NOW = 1_800_000_000.0
NAMES = ("RESY_API_KEY", "RESY_AUTH_TOKEN")


def settings_with_credentials(config_dir: Path, token: str, extra: str = "") -> None:
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "settings.toml"
    path.write_text(
        f'[credentials]\nRESY_API_KEY = "{"K" * 32}"\nRESY_AUTH_TOKEN = "{token}"\n{extra}',
        encoding="utf-8",
    )
    path.chmod(0o600)


def crontab(cwd: Path, config_dir: Path) -> str:
    return (
        f"59 14 24 11 * cd {cwd} && PATH=/usr/bin:/bin BOOKER_CONFIG_DIR={config_dir} "
        "/v/booker book resy --venue-id 60029 --party-size 2 --date 2026-12-24 --times 19:00 "
        "--at 2026-11-24T10:00:00-05:00 >> /l/x.log 2>&1 # booker:60029-202611241000\n"
    )


def test_a_line_reads_its_assignments(tmp_path: Path) -> None:
    (job,) = find_jobs(
        crontab(tmp_path, tmp_path / "conf"), "resy", {"--venue-id": text_is("60029")}, None
    )
    assert job.assigned == (
        ("PATH", "/usr/bin:/bin"),
        ("BOOKER_CONFIG_DIR", str(tmp_path / "conf")),
    )


def check_as_cron(job: ScheduledJob, tmp_path: Path) -> Item:
    """The night check's cron item for ``job``, a drop an hour away, with what cron passes:
    none of this shell's variables (no BOOKER_CONFIG_DIR of its own)."""
    cron_passes = {"HOME": str(tmp_path / "elsewhere")}
    return check_cron_directory(
        job,
        NAMES,
        cron_environment(cron_passes, job.assigned),
        EXPIRING_TOKENS["resy"],
        NOW + 3600,
        NOW,
        known=CREDENTIAL_NAMES,
    )


def test_check_finds_credentials_in_the_settings_file_the_line_names(tmp_path: Path) -> None:
    """cron passes none of this shell's variables; the line's own BOOKER_CONFIG_DIR counts."""
    config_dir = tmp_path / "conf"
    settings_with_credentials(config_dir, jwt({"exp": NOW + 90 * 86400}))
    (job,) = find_jobs(
        crontab(tmp_path, config_dir), "resy", {"--venue-id": text_is("60029")}, None
    )
    item = check_as_cron(job, tmp_path)
    assert item.level is Level.OK, item.message


def test_check_finds_the_refresh_token_in_the_settings_file_the_line_names(
    tmp_path: Path,
) -> None:
    """A token expiring before the drop, renewable by a refresh token stored beside it in the
    line's settings file: a WARNING that the run renews it, not a FAIL."""
    config_dir = tmp_path / "conf"
    refresh = 'RESY_REFRESH_TOKEN = "refresh"\n'
    settings_with_credentials(config_dir, jwt({"exp": NOW + 1800}), refresh)
    (job,) = find_jobs(
        crontab(tmp_path, config_dir), "resy", {"--venue-id": text_is("60029")}, None
    )
    item = check_as_cron(job, tmp_path)
    assert item.level is Level.WARNING, item.message
    assert item.message.endswith("; the run will renew it"), item.message


def test_the_night_check_gives_each_job_its_lines_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``booker check`` looks at each job's directory with that job's own environment: the
    line's BOOKER_CONFIG_DIR, not this shell's."""
    config_dir = tmp_path / "conf"
    settings_with_credentials(config_dir, jwt({"exp": NOW + 90 * 86400}))
    monkeypatch.setattr(check_command, "CRONTAB_READER", lambda: crontab(tmp_path, config_dir))
    monkeypatch.setenv("BOOKER_CONFIG_DIR", str(tmp_path / "shell-conf"))
    items = check_command._schedule_items(
        "resy",
        {"--venue-id": text_is("60029")},
        None,
        NAMES,
        drop=None,
        drop_epoch=NOW + 3600,
        now=NOW,
    )
    assert [(i.name, i.level) for i in items][1] == ("cron setup", Level.OK), items


def test_schedule_warns_of_a_token_in_the_settings_file_the_line_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:

    at = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
    config_dir = tmp_path / "conf"
    settings_with_credentials(config_dir, jwt({"exp": at.timestamp() - 86400}))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BOOKER_CONFIG_DIR", str(config_dir))
    monkeypatch.delenv("RESY_API_KEY", raising=False)
    monkeypatch.delenv("RESY_AUTH_TOKEN", raising=False)
    out, err = schedule_resy(at, capsys)
    assert f"BOOKER_CONFIG_DIR={config_dir}" in out
    assert "booker: warning: RESY_AUTH_TOKEN expires at" in err


def test_an_unsafe_file_holding_only_the_refresh_token_is_a_fail_line(tmp_path: Path) -> None:
    """The line's own variables carry the key and the token; a .env readable by others holds
    the refresh token: the check says so as one FAIL item, it does not end in an error."""
    env_file = tmp_path / ".env"
    env_file.write_text("RESY_REFRESH_TOKEN=refresh\n", encoding="utf-8")
    env_file.chmod(0o644)
    token = jwt({"exp": NOW + 90 * 86400})
    line = (
        f"59 14 24 11 * cd {tmp_path} && PATH=/usr/bin:/bin RESY_API_KEY={'K' * 32} "
        f"RESY_AUTH_TOKEN={token} /v/booker book resy --venue-id 60029 --party-size 2 "
        "--date 2026-12-24 --times 19:00 --at 2026-11-24T10:00:00-05:00 # booker:t1\n"
    )
    (job,) = find_jobs(line, "resy", {"--venue-id": text_is("60029")}, None)
    item = check_as_cron(job, tmp_path)
    assert item.level is Level.FAIL, item.message
    assert "chmod 600" in item.message
