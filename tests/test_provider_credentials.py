"""Each provider declares its credential names and loads them; the store is handed the union."""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import quote

import pytest

from booker.core.exceptions import CredentialsError, UsageError
from booker.providers import cart, cart_credentials, credentials, resy, resy_credentials
from booker.providers.cart import CartCredentials
from booker.providers.resy import ResyCredentials
from booker.store import credential_store
from booker.store.user_settings import load, load_credentials

EVERY_NAME = [*resy.CREDENTIAL_NAMES, *cart.CREDENTIAL_NAMES]
A1DATA = '{"k":"v"}'


def settings_dir(tmp_path: Path, table: str = "") -> dict[str, str]:
    """An environment whose settings file (private) holds ``table``, and no credential."""
    directory = tmp_path / "config"
    directory.mkdir(parents=True)
    path = directory / "settings.toml"
    path.write_text(f"cadence_ms = 100\n[credentials]\n{table}", encoding="utf-8")
    path.chmod(0o600)
    return {"BOOKER_CONFIG_DIR": str(directory)}


def test_the_known_names_are_every_providers_in_the_old_order() -> None:
    """The union, in the order the settings file's error lists them (byte-identical)."""
    assert credentials.CREDENTIAL_NAMES == (
        "RESY_API_KEY",
        "RESY_AUTH_TOKEN",
        "RESY_REFRESH_TOKEN",
        "RA_AUTHORIZATION",
        "RA_A1DATA",
    )
    assert tuple(EVERY_NAME) == credentials.CREDENTIAL_NAMES
    assert len(set(credentials.CREDENTIAL_NAMES)) == len(credentials.CREDENTIAL_NAMES)


@pytest.mark.parametrize("name", EVERY_NAME)
def test_each_providers_names_are_accepted_by_the_table_and_by_login(
    name: str, tmp_path: Path
) -> None:
    """What ``booker login`` stores, the settings file's table accepts, and reads back."""
    path = tmp_path / "settings.toml"
    assert credentials.store({name: "secret"}, path) == path
    assert credentials.stored(path) == {name: "secret"}
    assert load(path, known=credentials.CREDENTIAL_NAMES) == {}
    assert tomllib.loads(path.read_text(encoding="utf-8"))["credentials"] == {name: "secret"}


def test_an_unknown_name_is_still_refused_with_the_same_words(tmp_path: Path) -> None:
    """By the table (exit 2, listing every known name) and by the store."""
    environ = settings_dir(tmp_path, 'PASSWORD = "p"\n')
    path = Path(environ["BOOKER_CONFIG_DIR"]) / "settings.toml"
    listed = "RESY_API_KEY, RESY_AUTH_TOKEN, RESY_REFRESH_TOKEN, RA_AUTHORIZATION, RA_A1DATA"
    with pytest.raises(UsageError) as raised:
        credentials.resolve(("RESY_API_KEY",), environ, tmp_path)
    assert str(raised.value) == f"{path}: unknown credential 'PASSWORD' (known: {listed})"
    with pytest.raises(CredentialsError, match=r"^cannot store unknown credential PASSWORD$"):
        credentials.store({"PASSWORD": "x"}, tmp_path / "other.toml")


def test_the_store_itself_knows_only_what_it_is_handed(tmp_path: Path) -> None:
    """A name no provider has is stored and read when handed in, refused when not."""
    path = tmp_path / "settings.toml"
    credential_store.store({"ACME_KEY": "k"}, path, known=("ACME_KEY",))
    assert load_credentials(path, known=("ACME_KEY",)) == {"ACME_KEY": "k"}
    with pytest.raises(UsageError, match="unknown credential 'ACME_KEY'"):
        load_credentials(path, known=credentials.CREDENTIAL_NAMES)


def test_resy_loads_from_the_environment_then_env_then_the_settings_file(
    tmp_path: Path,
) -> None:
    """The key from the environment, the token from the settings file."""
    environ = {**settings_dir(tmp_path, 'RESY_AUTH_TOKEN = "tok"\n'), "RESY_API_KEY": "key"}
    assert resy_credentials.load(True, environ, tmp_path) == ResyCredentials("key", "tok")
    (tmp_path / ".env").write_text("RESY_AUTH_TOKEN=from-env-file\n", encoding="utf-8")
    (tmp_path / ".env").chmod(0o600)
    loaded = resy_credentials.load(False, environ, tmp_path)
    assert loaded == ResyCredentials("key", "from-env-file")
    assert resy_credentials.api_key(environ, tmp_path) == "key"


def test_resy_needs_the_token_only_for_user_scoped_calls(tmp_path: Path) -> None:
    environ = {**settings_dir(tmp_path), "RESY_API_KEY": "key"}
    assert resy_credentials.load(False, environ, tmp_path) == ResyCredentials("key", "")
    with pytest.raises(CredentialsError) as raised:
        resy_credentials.load(True, environ, tmp_path)
    assert str(raised.value) == (
        "missing credentials: set RESY_AUTH_TOKEN in the environment, in .env "
        "or in the [credentials] table of the settings file"
    )


def test_the_cart_decodes_a1data(tmp_path: Path) -> None:
    """Pasted URL-encoded, a1Data is sent as JSON."""
    encoded = quote(A1DATA, safe="")
    environ = {**settings_dir(tmp_path), "RA_AUTHORIZATION": "id", "RA_A1DATA": encoded}
    assert cart_credentials.load(environ, tmp_path) == CartCredentials("id", A1DATA)
    with pytest.raises(CredentialsError, match=r"^missing credentials: set RA_A1DATA in"):
        cart_credentials.load({**settings_dir(tmp_path / "b"), "RA_AUTHORIZATION": "id"}, tmp_path)


def test_resy_found_says_what_is_set_without_requiring_it(tmp_path: Path) -> None:
    """``booker check resy`` names what is missing itself: nothing is required here."""
    environ = settings_dir(tmp_path, 'RESY_AUTH_TOKEN = "tok"\n')
    assert resy_credentials.found(environ, tmp_path) == {"RESY_AUTH_TOKEN": "tok"}
    assert resy_credentials.found({**environ, "RESY_API_KEY": "k"}, tmp_path) == {
        "RESY_API_KEY": "k",
        "RESY_AUTH_TOKEN": "tok",
    }
