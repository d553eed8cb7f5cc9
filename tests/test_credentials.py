"""Unit tests of credential lookup (environment, then .env) and of the Redactor."""

from __future__ import annotations

from pathlib import Path

import pytest

from booker.core.exceptions import CredentialsError, UsageError
from booker.providers.credentials import require, resolve
from booker.store.credentials import (
    REDACTED,
    Redactor,
    check_private,
    read_env_file,
)

NAMES = ("RESY_API_KEY", "RESY_AUTH_TOKEN")


def write_env(folder: Path, text: str, mode: int = 0o600) -> Path:
    """Write ``folder/.env`` with ``text`` and permission bits ``mode``."""
    path = folder / ".env"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


# --- read_env_file -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A=1\nB=two\n", {"A": "1", "B": "two"}),
        ("export A=1\n", {"A": "1"}),
        ('A="quoted value"\n', {"A": "quoted value"}),
        ("A='single'\n", {"A": "single"}),
        ("A = spaced \n", {"A": "spaced"}),
        ("  # comment\n\nA=1\n   \n", {"A": "1"}),
        ("A=x=y=z\n", {"A": "x=y=z"}),
        ("no equals sign\nA=1\n", {"A": "1"}),
        ("A=\n", {"A": ""}),
        ('A="\n', {}),  # an unclosed quote: python-dotenv skips the line
        ("A='mismatched\"\n", {}),
        ("A=abc # a comment\n", {"A": "abc"}),
        ('A="x # y"  # a comment\n', {"A": "x # y"}),
        ("\ufeffA=1\nB=2\n", {"A": "1", "B": "2"}),  # a byte order mark from a Windows editor
        ("A=pa$$word${HOME}\n", {"A": "pa$$word${HOME}"}),  # taken literally
        ("A=1\nA=2\n", {"A": "2"}),
        ("A=1\r\nB=2\r\n", {"A": "1", "B": "2"}),
        ("", {}),
    ],
)
def test_read_env_file_parses_lines(tmp_path: Path, text: str, expected: dict[str, str]) -> None:
    """KEY=VALUE lines are read with export, quotes, comments and blanks handled."""
    assert read_env_file(write_env(tmp_path, text)) == expected


def test_read_env_file_missing_is_credentials_error(tmp_path: Path) -> None:
    """A file that cannot be read raises CredentialsError naming it."""
    with pytest.raises(CredentialsError, match="cannot read"):
        read_env_file(tmp_path / "absent.env")


def test_read_env_file_not_utf8_is_credentials_error(tmp_path: Path) -> None:
    """A file that is not UTF-8 raises CredentialsError rather than a decode error."""
    path = tmp_path / ".env"
    path.write_bytes(b"A=\xff\xfe\n")
    with pytest.raises(CredentialsError, match="not UTF-8"):
        read_env_file(path)


# --- check_private -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o700])
def test_private_modes_pass(tmp_path: Path, mode: int) -> None:
    """A file only its owner can use is accepted."""
    check_private(write_env(tmp_path, "A=1\n", mode))


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o666, 0o610, 0o601, 0o620])
def test_shared_modes_are_refused_with_chmod_hint(tmp_path: Path, mode: int) -> None:
    """A file group or others can access is refused with a chmod 600 hint."""
    path = write_env(tmp_path, "A=1\n", mode)
    with pytest.raises(CredentialsError) as caught:
        check_private(path)
    assert f"chmod 600 {path}" in str(caught.value)
    assert isinstance(caught.value, UsageError)
    assert caught.value.exit_code == 2


# --- resolve and require -------------------------------------------------------------------------


def test_environment_is_used_first(tmp_path: Path) -> None:
    """Values in the environment win over .env."""
    write_env(tmp_path, "RESY_API_KEY=file-key\nRESY_AUTH_TOKEN=file-token\n")
    environ = {"RESY_API_KEY": "env-key", "RESY_AUTH_TOKEN": "env-token"}
    assert resolve(NAMES, environ, tmp_path) == environ


def test_env_file_fills_what_the_environment_lacks(tmp_path: Path) -> None:
    """A name missing (or empty) in the environment is taken from .env in cwd."""
    write_env(tmp_path, "RESY_API_KEY=file-key\nRESY_AUTH_TOKEN=file-token\n")
    environ = {"RESY_API_KEY": "env-key", "RESY_AUTH_TOKEN": ""}
    assert resolve(NAMES, environ, tmp_path) == {
        "RESY_API_KEY": "env-key",
        "RESY_AUTH_TOKEN": "file-token",
    }


def test_no_env_file_gives_only_the_environment(tmp_path: Path) -> None:
    """Without .env, only the environment's non-empty values are found."""
    assert resolve(NAMES, {"RESY_API_KEY": "k", "OTHER": "x"}, tmp_path) == {"RESY_API_KEY": "k"}


def test_env_directory_is_ignored(tmp_path: Path) -> None:
    """A directory called .env is not read."""
    (tmp_path / ".env").mkdir()
    assert resolve(NAMES, {}, tmp_path) == {}


def test_world_readable_env_file_with_credentials_is_refused(tmp_path: Path) -> None:
    """A .env readable by others that holds a wanted name is refused with a chmod hint."""
    write_env(tmp_path, "RESY_AUTH_TOKEN=file-token\n", 0o644)
    with pytest.raises(CredentialsError, match="chmod 600"):
        resolve(NAMES, {"RESY_API_KEY": "k"}, tmp_path)


def test_world_readable_env_file_is_not_checked_when_not_needed(tmp_path: Path) -> None:
    """A shared .env is not an error when the environment already supplies everything."""
    write_env(tmp_path, "RESY_API_KEY=file-key\n", 0o644)
    environ = {"RESY_API_KEY": "k", "RESY_AUTH_TOKEN": "t"}
    assert resolve(NAMES, environ, tmp_path) == environ


def test_world_readable_env_file_without_wanted_names_is_tolerated(tmp_path: Path) -> None:
    """A shared .env holding none of the wanted names is not refused (nothing secret in it)."""
    write_env(tmp_path, "DEBUG=1\n", 0o644)
    assert resolve(NAMES, {}, tmp_path) == {}


def test_resolve_reads_the_working_directory_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without cwd, .env is looked up in the current directory."""
    write_env(tmp_path, "RESY_API_KEY=from-cwd\n")
    monkeypatch.chdir(tmp_path)
    assert resolve(("RESY_API_KEY",), {}) == {"RESY_API_KEY": "from-cwd"}


def test_resolve_reads_os_environ_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without environ, os.environ is used."""
    monkeypatch.setenv("RESY_API_KEY", "from-os")
    assert resolve(("RESY_API_KEY",), None, tmp_path) == {"RESY_API_KEY": "from-os"}


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({}, "RESY_API_KEY, RESY_AUTH_TOKEN"),
        ({"RESY_API_KEY": "k"}, "RESY_AUTH_TOKEN"),
        ({"RESY_AUTH_TOKEN": "t", "RESY_API_KEY": ""}, "RESY_API_KEY"),
    ],
)
def test_require_names_what_is_missing(
    tmp_path: Path, environ: dict[str, str], missing: str
) -> None:
    """require raises CredentialsError listing every missing name and where to set it."""
    with pytest.raises(CredentialsError) as caught:
        require(NAMES, environ, tmp_path)
    assert str(caught.value) == (
        f"missing credentials: set {missing} in the environment, in .env "
        "or in the [credentials] table of the settings file"
    )


def test_require_returns_everything_when_complete(tmp_path: Path) -> None:
    """require returns every name when environment and .env together supply them."""
    write_env(tmp_path, "export RESY_AUTH_TOKEN='tok'\n")
    assert require(NAMES, {"RESY_API_KEY": "k"}, tmp_path) == {
        "RESY_API_KEY": "k",
        "RESY_AUTH_TOKEN": "tok",
    }


# --- Redactor ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("secrets", "text", "clean"),
    [
        (("abcd1234",), "key=abcd1234 end", f"key={REDACTED} end"),
        (("abcd1234",), "abcd1234abcd1234", REDACTED * 2),
        (("abcd", "abcd1234"), "x abcd1234 y abcd", f"x {REDACTED} y {REDACTED}"),
        (("abc",), "abc is too short to redact", "abc is too short to redact"),
        (("",), "nothing", "nothing"),
        ((), "no secrets at all", "no secrets at all"),
        (("secret-token",), "", ""),
        (("tok1", "tok1"), "tok1", REDACTED),
    ],
)
def test_redactor_replaces_secrets(secrets: tuple[str, ...], text: str, clean: str) -> None:
    """Every secret of 4+ characters is replaced by ***, longest first."""
    assert Redactor(secrets).clean(text) == clean


def test_redactor_hides_key_inside_authorization_header() -> None:
    """The API key disappears from an Authorization header rendered as text."""
    key = "k" * 32
    text = f'Authorization: ResyAPI api_key="{key}"'
    assert key not in Redactor([key, "jwt.token.value"]).clean(text)
