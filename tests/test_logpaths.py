"""Default log paths (booker.store.logpaths): the right directory, one new file per run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from booker.store.logpaths import default_log_path, log_dir

NOW = dt.datetime(2026, 12, 1, 8, 59, 3)


def test_override_wins(tmp_path: Path) -> None:
    """BOOKER_LOG_DIR beats XDG_STATE_HOME."""
    env = {"BOOKER_LOG_DIR": str(tmp_path / "logs"), "XDG_STATE_HOME": str(tmp_path / "state")}
    assert log_dir(env) == tmp_path / "logs"


def test_xdg_state_home(tmp_path: Path) -> None:
    """Without an override: $XDG_STATE_HOME/booker/logs."""
    assert log_dir({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "booker" / "logs"


@pytest.mark.parametrize("state", ["", "relative/dir"])
def test_fallback_to_home(state: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Unset or relative XDG_STATE_HOME (ignored, as the spec says): ~/.local/state/booker/logs."""
    monkeypatch.setenv("HOME", str(tmp_path))
    env = {"XDG_STATE_HOME": state} if state else {}
    assert log_dir(env) == tmp_path / ".local" / "state" / "booker" / "logs"


def test_name_and_directory_created(tmp_path: Path) -> None:
    """venue_<id>_<YYYYmmdd-HHMMSS>.log in a directory that now exists."""
    env = {"BOOKER_LOG_DIR": str(tmp_path / "a" / "b")}
    path = default_log_path(60029, NOW, env)
    assert path == tmp_path / "a" / "b" / "venue_60029_20261201-085903.log"
    assert path.parent.is_dir()
    assert not path.exists()


def test_never_overwrites(tmp_path: Path) -> None:
    """An existing file gets -1, then -2, ... appended."""
    env = {"BOOKER_LOG_DIR": str(tmp_path)}
    names = []
    for _ in range(3):
        path = default_log_path(7, NOW, env)
        path.write_text("run\n")
        names.append(path.name)
    assert names == [
        "venue_7_20261201-085903.log",
        "venue_7_20261201-085903-1.log",
        "venue_7_20261201-085903-2.log",
    ]


def test_default_now_is_current_time(tmp_path: Path) -> None:
    """Without ``now`` the current local time is used."""
    before = dt.datetime.now().replace(microsecond=0)
    path = default_log_path(1, environ={"BOOKER_LOG_DIR": str(tmp_path)})
    stamp = dt.datetime.strptime(path.stem.split("_")[2][:15], "%Y%m%d-%H%M%S")
    assert before <= stamp <= dt.datetime.now()
