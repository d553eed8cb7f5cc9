"""Bad config files, unsafe secrets files and conflicting options: one line on stderr, exit 2."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import booker.cli.runner as runner_module
from booker.cli import main

FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()
RESY = [
    "book",
    "resy",
    "--venue-id",
    "60029",
    "--party-size",
    "2",
    "--date",
    FUTURE,
    "--times",
    "19:00",
]
CART = ["book", "cart", "--contract-code", "NY", "--facility-id", "140", "--site-id", "245719",
        "--arrival-date", FUTURE, "--nights", "2"]  # fmt: skip


class ReachedEngineError(Exception):
    """The command line was accepted: the test failed to provoke an error."""


def no_engine(*args: object, **kwargs: object) -> None:
    """Stands in for the Supervisor: nothing may start."""
    raise ReachedEngineError


def settings_file(text: str, mode: int = 0o600) -> Callable[[Path], None]:
    """Write the settings file before the run."""

    def prepare(home: Path) -> None:
        path = Path(os.environ["BOOKER_CONFIG_DIR"]) / "settings.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("latin-1"))
        path.chmod(mode)

    return prepare


def private_settings_with_token(mode: int) -> Callable[[Path], None]:
    """The token only in the settings file, with ``mode``."""
    write = settings_file('[credentials]\nRESY_AUTH_TOKEN = "t"\n', mode)

    def prepare(home: Path) -> None:
        os.environ.pop("RESY_AUTH_TOKEN", None)
        write(home)

    return prepare


def env_file(text: str, mode: int = 0o600) -> Callable[[Path], None]:
    """Write ./.env before the run (and drop the credentials from the environment)."""

    def prepare(home: Path) -> None:
        os.environ.pop("RESY_AUTH_TOKEN", None)
        path = home / ".env"
        path.write_bytes(text.encode("latin-1"))
        path.chmod(mode)

    return prepare


def env_dir(home: Path) -> None:
    """A .env that is a directory: it cannot be read as a file, so it is not used."""
    os.environ.pop("RESY_AUTH_TOKEN", None)
    (home / ".env").mkdir()


def nothing(home: Path) -> None:
    """No files."""


CASES: list[tuple[str, list[str], Callable[[Path], None], str]] = [
    ("settings-bad-toml", RESY, settings_file("cadence_ms = = 3\n"), "not valid TOML"),
    ("settings-unknown-key", RESY, settings_file("speed = 3\n"), "speed"),
    ("settings-out-of-range", RESY, settings_file("cadence_ms = 10\n"), "cadence_ms"),
    ("settings-not-integer", RESY, settings_file('concurrency = "lots"\n'), "concurrency"),
    ("settings-not-utf8", RESY, settings_file("cadence_ms = 100 # caf\xe9\n"), "UTF-8"),
    ("settings-credentials-readable", RESY, private_settings_with_token(0o644), "chmod 600"),
    ("settings-credentials-unknown", RESY, settings_file('[credentials]\nPASSWORD = "p"\n'), "PASSWORD"),
    ("env-readable-by-others", RESY, env_file("RESY_AUTH_TOKEN=t\n", 0o644), "chmod 600"),
    ("env-not-utf8", RESY, env_file("RESY_AUTH_TOKEN=caf\xe9\n"), "UTF-8"),
    ("env-is-a-directory", RESY, env_dir, "missing credentials"),
    ("tz-without-at", [*RESY, "--tz", "Europe/Paris"], nothing, "--tz only applies with --at"),
    ("clock-local-without-at", [*RESY, "--clock", "local"], nothing, "--clock local only applies"),
    ("lead-without-at", [*RESY, "--lead-ms", "100"], nothing, "--lead-ms only applies"),
    ("prewarm-without-at", [*RESY, "--prewarm-secs", "5"], nothing, "--prewarm-secs only applies"),
    ("at-garbage", [*RESY, "--at", "soon", "--tz", "UTC"], nothing, "--at must be"),
    ("at-past", [*RESY, "--at", "2020-01-01T10:00:00+00:00"], nothing, "in the past"),
    ("at-too-far", [*RESY, "--at", f"{FUTURE}T10:00:00+00:00"], nothing, "more than 24 h"),
    ("at-unknown-zone", [*RESY, "--at", "10:00", "--tz", "Mars/Base"], nothing, "unknown time zone"),
    ("prewarm-out-of-range", [*RESY, "--at", "10:00", "--tz", "UTC", "--prewarm-secs", "0"],
     nothing, "--prewarm-secs"),
    ("lead-out-of-range", [*RESY, "--lead-ms", "9000", "--at", "10:00", "--tz", "UTC"], nothing, "--lead-ms"),
    ("unknown-provider", ["book", "opentable", "--venue-id", "1"], nothing, "opentable"),
    ("ca-cert-missing", [*RESY, "--ca-cert", "/nonexistent/ca.pem"], nothing, "ca.pem"),
    ("ca-cert-not-pem", [*RESY, "--ca-cert", "notes.txt"], nothing, "--ca-cert"),
    ("cart-zero-nights", [*CART[:-1], "0"], nothing, "--nights"),
    ("cart-bad-site", [*CART[:6], "245;719", *CART[7:]], nothing, "--site-id"),
    ("cart-past-arrival", [*CART[:8], "2020-05-17", *CART[9:]], nothing, "--arrival-date"),
    ("cart-missing-credentials", CART, nothing, "RA_AUTHORIZATION"),
    ("notify-timeout-zero", [*RESY, "--notify-cmd", "true", "--notify-timeout", "0"], nothing,
     "--notify-timeout"),
    ("history-bad-limit", ["history", "--limit", "0"], nothing, "--limit"),
    ("settings-set-unknown", ["settings", "set", "speed", "3"], nothing, "speed"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "prepare", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str],
    prepare: Callable[[Path], None],
    fragment: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each bad file or option combination exits 2 with one line naming the problem."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RESY_API_KEY", "k" * 32)
    monkeypatch.setenv("RESY_AUTH_TOKEN", "fake.jwt.token")
    monkeypatch.delenv("RA_AUTHORIZATION", raising=False)
    monkeypatch.setattr(runner_module, "Supervisor", no_engine)
    (tmp_path / "notes.txt").write_text("not a certificate\n")
    prepare(tmp_path)
    with pytest.raises(SystemExit) as caught:
        main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("booker: error: ")
    assert fragment in lines[0]


def test_there_are_at_least_thirty_cases() -> None:
    """The table covers at least 30 bad inputs (with the command-line table beside it)."""
    assert len(CASES) >= 30
