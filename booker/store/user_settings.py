"""Saved defaults for the engine options, in a flat TOML file in the user's config directory.

The file holds ``key = integer`` lines, one per saved setting, and optionally a
``[credentials]`` table (see ``booker.store.credentials``)::

    # booker settings: written by `booker settings set`
    cadence_ms = 200   # the user's own comments are kept
    lead_ms = 800

``settings set`` and ``settings reset`` edit the document in place with tomlkit, so
comments, layout and the credentials survive them.

It lives at ``$BOOKER_CONFIG_DIR/settings.toml`` when that variable is set, else
``$XDG_CONFIG_HOME/booker/settings.toml``, else ``~/.config/booker/settings.toml``.
Values are checked against the same ranges as the command line
(``booker.core.settings.SETTINGS``). The command line wins over saved settings, which
win over the built-in defaults.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Collection, Mapping
from pathlib import Path

import tomlkit

from booker.core.exceptions import BookerError, UsageError
from booker.core.settings import SETTINGS
from booker.store.userdirs import user_dir

CONFIG_DIR_VARIABLE = "BOOKER_CONFIG_DIR"
CREDENTIALS_TABLE = "credentials"
FILE_NAME = "settings.toml"
KEYS: tuple[str, ...] = tuple(SETTINGS)  # the engine settings, in the order `show` lists them
_INTEGER = re.compile(r"[+-]?\d+")


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The directory holding ``settings.toml`` (see the module docstring)."""
    return user_dir(CONFIG_DIR_VARIABLE, "XDG_CONFIG_HOME", (".config",), environ)


def settings_path(environ: Mapping[str, str] | None = None) -> Path:
    """The settings file (it may not exist yet)."""
    return config_dir(environ) / FILE_NAME


def default_values() -> dict[str, int]:
    """Built-in defaults of every key."""
    return {key: SETTINGS[key].default for key in KEYS}


def normalise_key(key: str) -> str:
    """``cadence-ms`` or ``cadence_ms`` -> ``cadence_ms``; UsageError for an unknown key."""
    name = key.strip().lower().replace("-", "_")
    if name not in KEYS:
        raise UsageError(f"unknown setting {key!r}; known: {', '.join(KEYS)}")
    return name


def check_value(key: str, value: object) -> int:
    """An integer in the command line's range for ``key``; UsageError otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"{key} must be an integer (got {value!r})")
    SETTINGS[key].check(key, value)
    return value


def parse_value(key: str, text: str) -> int:
    """Command-line text for ``key`` -> a checked integer."""
    name = normalise_key(key)
    if not _INTEGER.fullmatch(text.strip()):
        raise UsageError(f"{name} must be an integer (got {text!r})")
    return check_value(name, int(text.strip()))


def parse_text(text: str, source: Path | str, known: Collection[str]) -> dict[str, int]:
    """The saved settings in ``text``; UsageError naming ``source`` when anything is wrong.

    ``known``: every credential name the ``[credentials]`` table may hold.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{source} is not valid TOML: {exc}") from None
    values: dict[str, int] = {}
    for key, value in document.items():
        if key == CREDENTIALS_TABLE:
            check_credentials_table(value, source, known)
            continue
        try:
            name = normalise_key(key)
            values[name] = check_value(name, value)
        except UsageError as exc:
            raise UsageError(f"{source}: {exc}") from None
    return values


def load(path: Path | None = None, *, known: Collection[str]) -> dict[str, int]:
    """Saved settings from ``path`` (default: ``settings_path()``); empty when there is no file."""
    path = settings_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not valid TOML: not UTF-8 text") from None
    return parse_text(text, path, known)


def load_saved_defaults(
    environ: Mapping[str, str] | None = None, *, known: Collection[str]
) -> dict[str, int]:
    """Saved settings only (``key -> value``), to apply as command-line defaults.

    Keys are ``KEYS`` names (``max_duration_s``, not the option's ``max_duration``).
    Raises UsageError (exit 2) naming the file when it is unreadable or invalid.
    """
    return load(settings_path(environ), known=known)


def effective(saved: Mapping[str, int]) -> list[tuple[str, int, str]]:
    """``(key, value, "saved" | "default")`` for every key, in ``KEYS`` order."""
    defaults = default_values()
    return [
        (key, saved[key], "saved") if key in saved else (key, defaults[key], "default")
        for key in KEYS
    ]


def check_credentials_table(
    value: object, source: Path | str, known: Collection[str]
) -> dict[str, str]:
    """The ``[credentials]`` table: ``known`` names with string values only."""
    if not isinstance(value, dict):
        raise UsageError(f"{source}: [{CREDENTIALS_TABLE}] must be a table")
    for name, secret in value.items():
        if name not in known:
            listed = ", ".join(known)
            raise UsageError(f"{source}: unknown credential {name!r} (known: {listed})")
        if not isinstance(secret, str) or not secret:
            raise UsageError(f"{source}: credential {name} must be a non-empty string")
    return dict(value)


def load_credentials(path: Path | None = None, *, known: Collection[str]) -> dict[str, str]:
    """The ``[credentials]`` table of the settings file (``known`` names only); empty when
    there is none."""
    path = settings_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not valid TOML: {exc}") from None
    if CREDENTIALS_TABLE not in document:
        return {}
    return check_credentials_table(document[CREDENTIALS_TABLE], path, known)


HEADER = "booker settings: written by `booker settings set`; values are integers"


def _document(path: Path, known: Collection[str]) -> tomlkit.TOMLDocument | None:
    """The file as an editable document (comments and layout kept); None when absent."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not valid TOML: not UTF-8 text") from None
    parse_text(text, path, known)  # the same checks as every reader
    return tomlkit.parse(text)


def _engine_keys(document: tomlkit.TOMLDocument) -> list[str]:
    """The keys of ``document`` that are engine settings (as spelled in the file)."""
    return [key for key in document if key != CREDENTIALS_TABLE]


def save(values: Mapping[str, int], path: Path | None = None, *, known: Collection[str]) -> Path:
    """Make the file's engine settings ``values``; everything else in it stays as it was.

    Comments, layout and the ``[credentials]`` table are kept (tomlkit edits the
    document in place). A file left with no setting and no table is removed. The
    write is atomic (a temporary file in the same directory, then rename) and private
    (mkstemp: 0600).
    """
    path = settings_path() if path is None else path
    document = _document(path, known)
    if document is None:
        document = tomlkit.document()
        document.add(tomlkit.comment(HEADER))
    for key in _engine_keys(document):
        name = normalise_key(key)
        if name not in values or key != name:  # forgotten, or spelled `cadence-ms`
            del document[key]
    for name in KEYS:
        if name in values:
            document[name] = check_value(name, values[name])
    if not document:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot remove {path}: {exc.strerror}") from None
        return path
    write_private(path, tomlkit.dumps(document))
    return path


def write_private(path: Path, text: str, error: type[BookerError] = UsageError) -> None:
    """Atomically replace ``path`` with ``text``, readable by the owner alone from the first
    byte (mkstemp's 0600, kept): the settings file may hold credentials. ``error`` on failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise error(f"cannot write {path}: {exc.strerror}") from None


def set_value(
    key: str, text: str, path: Path | None = None, *, known: Collection[str]
) -> tuple[str, int]:
    """Check and save one setting; returns the normalised key and the value."""
    path = settings_path() if path is None else path
    name = normalise_key(key)
    value = parse_value(name, text)
    values = load(path, known=known)
    values[name] = value
    save(values, path, known=known)
    return name, value


def reset(
    keys: tuple[str, ...] = (), path: Path | None = None, *, known: Collection[str]
) -> list[str]:
    """Forget ``keys`` (every engine setting when empty); returns those that were saved.

    Only engine settings go: the ``[credentials]`` table and the comments stay. A file
    that no longer parses is removed by a full reset, unless it may hold credentials.
    """
    path = settings_path() if path is None else path
    names = [normalise_key(key) for key in keys]
    try:
        values = load(path, known=known)
    except UsageError:
        if names or _mentions_credentials(path, known):
            raise
        path.unlink(missing_ok=True)  # a broken file of settings alone: what a reset clears
        return []
    removed = [name for name in (names or KEYS) if name in values]
    if removed:
        save({k: v for k, v in values.items() if k not in removed}, path, known=known)
    return removed


def _mentions_credentials(path: Path, known: Collection[str]) -> bool:
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return True
    return CREDENTIALS_TABLE in text or any(name in text for name in known)
