"""Saved settings (booker.store.user_settings and ``booker settings``): same ranges as the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from booker.cli import main
from booker.core.exceptions import UsageError
from booker.core.settings import SETTINGS
from booker.providers.credentials import CREDENTIAL_NAMES
from booker.store import user_settings as us


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """BOOKER_CONFIG_DIR points into tmp_path; returns the settings file path."""
    monkeypatch.setenv("BOOKER_CONFIG_DIR", str(tmp_path / "cfg"))
    return tmp_path / "cfg" / "settings.toml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``booker ARGV`` in-process through main(): exit code, stdout, stderr."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), out, err


# --- paths ----------------------------------------------------------------------------------


def test_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BOOKER_CONFIG_DIR, then an absolute XDG_CONFIG_HOME, then ~/.config."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    both = {"BOOKER_CONFIG_DIR": str(tmp_path / "o"), "XDG_CONFIG_HOME": str(tmp_path / "x")}
    assert us.settings_path(both) == tmp_path / "o" / "settings.toml"
    xdg = {"XDG_CONFIG_HOME": str(tmp_path / "x")}
    assert us.settings_path(xdg) == tmp_path / "x" / "booker" / "settings.toml"
    home = tmp_path / "home" / ".config" / "booker" / "settings.toml"
    assert us.settings_path({}) == home
    assert us.settings_path({"XDG_CONFIG_HOME": "relative"}) == home


# --- ranges ---------------------------------------------------------------------------------


def test_new_bounds_are_registered() -> None:
    """prewarm_s (1-120, default 10) and lead_ms (0-5000, default 500) have ranges and option names."""
    assert (
        SETTINGS["prewarm_s"].low,
        SETTINGS["prewarm_s"].high,
        SETTINGS["prewarm_s"].default,
    ) == (
        1,
        120,
        10,
    )
    assert (SETTINGS["lead_ms"].low, SETTINGS["lead_ms"].high, SETTINGS["lead_ms"].default) == (
        0,
        5000,
        500,
    )
    assert tuple(SETTINGS) == us.KEYS


@pytest.mark.parametrize("key", us.KEYS)
def test_range_edges_match_the_command_line(key: str) -> None:
    """Both ends of each SETTINGS range are accepted, one step outside is refused."""
    bound = SETTINGS[key]
    low, high = int(bound.low), int(bound.high)
    assert us.parse_value(key, str(low)) == low
    assert us.parse_value(key, str(high)) == high
    for value in (low - 1, high + 1):
        if key == "workers" and value == 0:
            continue
        with pytest.raises(UsageError, match=f"{key} must be between {low} and {high}"):
            us.parse_value(key, str(value))


def test_workers_zero_means_automatic() -> None:
    """workers 0 (min(concurrency, CPUs)) is accepted, as on the command line."""
    assert us.parse_value("workers", "0") == 0


@pytest.mark.parametrize("text", ["1.5", "abc", "", "10ms", "0x10", "true"])
def test_non_integers_refused(text: str) -> None:
    """Only integers."""
    with pytest.raises(UsageError, match="must be an integer"):
        us.parse_value("cadence_ms", text)


def test_key_spellings() -> None:
    """Dashes or underscores, any case; unknown keys list the known ones."""
    assert us.normalise_key("Cadence-MS") == "cadence_ms"
    with pytest.raises(UsageError, match="unknown setting 'speed'; known: cadence_ms"):
        us.normalise_key("speed")


# --- file -----------------------------------------------------------------------------------


def test_round_trip_and_atomic_write(tmp_path: Path) -> None:
    """save then load gives the same values; no temporary file is left behind."""
    path = tmp_path / "deep" / "settings.toml"
    values = {"lead_ms": 800, "cadence_ms": 200, "workers": 0}
    us.save(values, path, known=CREDENTIAL_NAMES)
    assert us.load(path, known=CREDENTIAL_NAMES) == values
    assert path.read_text().splitlines()[1:] == ["cadence_ms = 200", "workers = 0", "lead_ms = 800"]
    assert [p.name for p in path.parent.iterdir()] == ["settings.toml"]


def test_missing_file_is_empty(tmp_path: Path) -> None:
    """No file: nothing saved."""
    assert us.load(tmp_path / "none.toml", known=CREDENTIAL_NAMES) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cadence_ms = ", "is not valid TOML"),
        ("cadence_ms = 10", "cadence_ms must be between 50 and 5000 ms"),
        ("speed = 3", "unknown setting 'speed'"),
        ('retries = "3"', "retries must be an integer"),
        ("retries = true", "retries must be an integer"),
        ("[engine]\nretries = 3", "unknown setting 'engine'"),
    ],
)
def test_bad_file_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    """Broken TOML, an out-of-range value or an unknown key: one message naming the file."""
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(UsageError) as caught:
        us.load(path, known=CREDENTIAL_NAMES)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_load_saved_defaults_reads_the_configured_file(tmp_path: Path) -> None:
    """load_saved_defaults returns only what was saved."""
    env = {"BOOKER_CONFIG_DIR": str(tmp_path)}
    assert us.load_saved_defaults(env, known=CREDENTIAL_NAMES) == {}
    us.save({"prewarm_s": 30}, tmp_path / "settings.toml", known=CREDENTIAL_NAMES)
    assert us.load_saved_defaults(env, known=CREDENTIAL_NAMES) == {"prewarm_s": 30}


def test_set_and_reset(tmp_path: Path) -> None:
    """set adds or replaces one key; reset KEY forgets it; reset forgets all."""
    path = tmp_path / "settings.toml"
    assert us.set_value("lead-ms", "700", path, known=CREDENTIAL_NAMES) == ("lead_ms", 700)
    us.set_value("retries", "5", path, known=CREDENTIAL_NAMES)
    us.set_value("retries", "6", path, known=CREDENTIAL_NAMES)
    assert us.load(path, known=CREDENTIAL_NAMES) == {"lead_ms": 700, "retries": 6}
    assert us.reset(("retries", "cadence_ms"), path, known=CREDENTIAL_NAMES) == ["retries"]
    assert us.load(path, known=CREDENTIAL_NAMES) == {"lead_ms": 700}
    assert us.reset((), path, known=CREDENTIAL_NAMES) == ["lead_ms"]
    assert not path.exists()


def test_full_reset_clears_a_broken_file(tmp_path: Path) -> None:
    """A file that no longer parses can still be reset."""
    path = tmp_path / "settings.toml"
    path.write_text("not toml = = =")
    us.reset((), path, known=CREDENTIAL_NAMES)
    assert not path.exists()


# --- command line ---------------------------------------------------------------------------


def test_cli_show_set_reset(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """show marks defaults and saved values; set persists; reset restores."""
    code, out, _ = run(capsys, "settings", "show")
    assert code == 0
    assert "cadence_ms        100  default" in out
    assert "(not created yet)" in out
    code, out, _ = run(capsys, "settings", "set", "cadence_ms", "250")
    assert (code, out.strip()) == (0, f"cadence_ms = 250 saved in {config}")
    code, out, _ = run(capsys, "settings", "show")
    assert "cadence_ms        250  saved" in out
    assert "lead_ms           500  default" in out
    assert f"file: {config}\n" in out
    code, out, _ = run(capsys, "settings", "reset")
    assert code == 0
    assert not config.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("set", "speed", "3"), "unknown setting 'speed'"),
        (("set", "concurrency", "many"), "concurrency must be an integer (got 'many')"),
        (("set", "concurrency", "11"), "concurrency must be between 1 and 10 (got 11)"),
        (("set", "prewarm_s", "0"), "prewarm_s must be between 1 and 120 s (got 0)"),
        (("set", "lead_ms", "5001"), "lead_ms must be between 0 and 5000 ms (got 5001)"),
        (("set", "cadence_ms", "-5"), "cadence_ms must be between 50 and 5000 ms (got -5)"),
        (("set", "lead_ms", "-1"), "lead_ms must be between 0 and 5000 ms (got -1)"),
    ],
)
def test_cli_refusals_are_one_line_exit_2(
    config: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    """Unknown key, non-integer, out of range: exit 2, one line, nothing written."""
    code, out, err = run(capsys, "settings", *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("booker: error: ")
    assert message in err
    assert not config.exists()


def test_cli_bad_file_subprocess(tmp_path: Path) -> None:
    """As a real process: broken TOML -> one line naming the file, exit 2, no traceback."""
    (tmp_path / "settings.toml").write_text("cadence_ms = [")
    env = {**os.environ, "BOOKER_CONFIG_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "booker", "settings", "show"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert f"{tmp_path / 'settings.toml'} is not valid TOML" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_show_json(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """show --json: every key with value and source, the file, and never a credential."""
    config.parent.mkdir(parents=True)
    config.write_text('lead_ms = 800\n[credentials]\nRESY_AUTH_TOKEN = "tok-secret-1"\n')
    config.chmod(0o600)
    code, out, _ = run(capsys, "settings", "show", "--json")
    assert code == 0
    document = orjson.loads(out)
    assert document["file"] == str(config) and document["exists"] is True
    assert document["settings"]["lead_ms"] == {"value": 800, "source": "saved"}
    assert document["settings"]["cadence_ms"] == {"value": 100, "source": "default"}
    assert list(document["settings"]) == list(us.KEYS)
    assert "tok-secret-1" not in out
