"""Credentials from the settings file's [credentials] table: last source, private, preserved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from booker.core.exceptions import CredentialsError, UsageError
from booker.providers.credentials import CREDENTIAL_NAMES, resolve
from booker.store.user_settings import load, reset, set_value, settings_path

NAMES = ("RESY_API_KEY", "RESY_AUTH_TOKEN")


def write_settings(directory: Path, text: str, mode: int = 0o600) -> Path:
    """A settings file with ``text`` and ``mode``."""
    path = settings_path({"BOOKER_CONFIG_DIR": str(directory)})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


CONFIG = 'cadence_ms = 80\n[credentials]\nRESY_API_KEY = "key-from-config"\nRESY_AUTH_TOKEN = "token-from-config"\n'


def test_config_file_is_the_last_source(tmp_path: Path) -> None:
    """Environment first, then .env, then the config file fills what is still missing."""
    environ = {"BOOKER_CONFIG_DIR": str(tmp_path / "cfg"), "RESY_API_KEY": "key-from-env"}
    write_settings(tmp_path / "cfg", CONFIG)
    found = resolve(NAMES, environ, tmp_path)
    assert found == {"RESY_API_KEY": "key-from-env", "RESY_AUTH_TOKEN": "token-from-config"}


def test_env_file_wins_over_config_file(tmp_path: Path) -> None:
    """A private .env in the working directory comes before the config file."""
    environ = {"BOOKER_CONFIG_DIR": str(tmp_path / "cfg")}
    write_settings(tmp_path / "cfg", CONFIG)
    env_file = tmp_path / ".env"
    env_file.write_text("RESY_AUTH_TOKEN=token-from-dotenv\n")
    env_file.chmod(0o600)
    found = resolve(NAMES, environ, tmp_path)
    assert found == {"RESY_API_KEY": "key-from-config", "RESY_AUTH_TOKEN": "token-from-dotenv"}


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_a_readable_config_file_with_credentials_is_refused(tmp_path: Path, mode: int) -> None:
    """Group- or world-readable credentials are refused with the chmod that fixes it."""
    path = write_settings(tmp_path / "cfg", CONFIG, mode)
    with pytest.raises(CredentialsError, match=f"chmod 600 {path}"):
        resolve(NAMES, {"BOOKER_CONFIG_DIR": str(tmp_path / "cfg")}, tmp_path)


def test_a_readable_config_file_without_credentials_is_fine(tmp_path: Path) -> None:
    """Settings alone are no secret: mode 644 is accepted when no credentials are in it."""
    write_settings(tmp_path / "cfg", "cadence_ms = 80\n", 0o644)
    assert resolve(NAMES, {"BOOKER_CONFIG_DIR": str(tmp_path / "cfg")}, tmp_path) == {}


@pytest.mark.parametrize(
    "table",
    ['[credentials]\nPASSWORD = "x"\n', "[credentials]\nRESY_API_KEY = 5\n", "credentials = 3\n"],
)
def test_bad_credentials_tables_are_usage_errors(tmp_path: Path, table: str) -> None:
    """Unknown names, non-strings and a non-table are refused with one line naming the file."""
    path = write_settings(tmp_path / "cfg", table)
    with pytest.raises(UsageError, match=str(path)):
        load(path, known=CREDENTIAL_NAMES)


def test_settings_set_keeps_credentials_and_privacy(tmp_path: Path) -> None:
    """Changing a setting rewrites the file without losing the credentials, still mode 600."""
    path = write_settings(tmp_path / "cfg", CONFIG)
    set_value("concurrency", "5", path, known=CREDENTIAL_NAMES)
    assert load(path, known=CREDENTIAL_NAMES) == {"cadence_ms": 80, "concurrency": 5}
    environ = {"BOOKER_CONFIG_DIR": str(tmp_path / "cfg")}
    assert resolve(NAMES, environ, tmp_path)["RESY_AUTH_TOKEN"] == "token-from-config"
    assert os.stat(path).st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "shown",
    [
        '{"sim":"a1data","user":"camper"}',
        '{\\"sim\\":\\"a1data\\",\\"user\\":\\"camper\\"}',
        "%7B%22sim%22%3A%22a1data%22%2C%22user%22%3A%22camper%22%7D",
    ],
    ids=["raw", "json-escaped", "url-encoded"],
)
def test_redactor_catches_escaped_and_encoded_forms(shown: str) -> None:
    """A secret is redacted as written, escaped inside JSON, or URL-encoded."""
    from booker.store.credentials import Redactor

    redactor = Redactor(['{"sim":"a1data","user":"camper"}'])
    assert redactor.clean(f"before {shown} after") == "before *** after"


COMMENTED = """\
# my booker settings: slower polling for Carbone
cadence_ms = 80  # their WAF blocks faster
lead-ms = 900

[credentials]  # keep private
RESY_API_KEY = "key-from-config"
RESY_AUTH_TOKEN = "token-from-config"
"""


def test_settings_reset_keeps_the_credentials_table(tmp_path: Path) -> None:
    """`booker settings reset` forgets the engine settings, never the [credentials] table."""
    path = write_settings(tmp_path / "cfg", COMMENTED)
    environ = {"BOOKER_CONFIG_DIR": str(tmp_path / "cfg")}
    assert reset((), path, known=CREDENTIAL_NAMES) == ["cadence_ms", "lead_ms"]
    assert load(path, known=CREDENTIAL_NAMES) == {}
    assert resolve(NAMES, environ, tmp_path) == {
        "RESY_API_KEY": "key-from-config",
        "RESY_AUTH_TOKEN": "token-from-config",
    }
    assert "# keep private" in path.read_text()
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_settings_set_keeps_the_users_comments(tmp_path: Path) -> None:
    """`booker settings set` edits the value in place: every comment and the layout survive."""
    path = write_settings(tmp_path / "cfg", COMMENTED)
    set_value("cadence_ms", "120", path, known=CREDENTIAL_NAMES)
    set_value("retries", "5", path, known=CREDENTIAL_NAMES)
    reset(("lead_ms",), path, known=CREDENTIAL_NAMES)
    assert path.read_text() == COMMENTED.replace("cadence_ms = 80", "cadence_ms = 120").replace(
        "lead-ms = 900\n", "retries = 5\n"
    )


def test_a_broken_file_with_credentials_is_not_thrown_away(tmp_path: Path) -> None:
    """A full reset of a file that no longer parses removes it only when it holds no secrets."""
    path = write_settings(tmp_path / "cfg", COMMENTED + "cadence_ms = = \n")
    with pytest.raises(UsageError, match="is not valid TOML"):
        reset((), path, known=CREDENTIAL_NAMES)
    assert path.read_text().startswith(COMMENTED)
