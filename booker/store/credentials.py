"""Where secrets come from (environment, then ``.env``, then the settings file) and how they are kept out of text."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from urllib.parse import quote, quote_plus

from dotenv import dotenv_values

from booker.core.exceptions import CredentialsError
from booker.store.user_settings import load_credentials, settings_path

REDACTED = "***"


def read_env_file(path: Path) -> dict[str, str]:
    """``KEY=VALUE`` lines as python-dotenv reads them (``export``, quotes, ``# comments``).

    A UTF-8 byte order mark is allowed; ``$VARIABLES`` are taken literally (a secret may
    hold a ``$``), and ``os.environ`` is never touched.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CredentialsError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise CredentialsError(f"cannot read {path}: not UTF-8 text") from exc
    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    return {key: value for key, value in values.items() if value is not None}


def check_private(path: Path) -> None:
    """Refuse a secrets file that group or others can read, as ssh does."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsError(
            f"{path} holds credentials but is readable by others; run: chmod 600 {path}"
        )


def resolve(
    names: Iterable[str],
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    config_file: Path | None = None,
    *,
    known: Collection[str],
) -> dict[str, str]:
    """Each of ``names`` from the environment, else ``.env`` in ``cwd``, else the config file.

    The command line is never a source. A file that holds credentials must be
    private to its owner. ``known``: every name the settings file's table may hold
    (the providers declare them; this floor names none).
    """
    environ = os.environ if environ is None else environ
    wanted = tuple(names)
    found = {name: environ[name] for name in wanted if environ.get(name)}
    env_file = (cwd or Path.cwd()) / ".env"
    if len(found) < len(wanted) and env_file.is_file():
        _take(found, wanted, read_env_file(env_file), env_file)
    if len(found) < len(wanted):
        path = config_file if config_file is not None else settings_path(environ)
        _take(found, wanted, load_credentials(path, known=known), path)
    return found


def _take(
    found: dict[str, str], wanted: tuple[str, ...], source: Mapping[str, str], path: Path
) -> None:
    """Fill what is still missing from one file, refusing a file others can read."""
    if any(source.get(name) for name in wanted):
        check_private(path)
    found.update({name: source[name] for name in wanted if name not in found and source.get(name)})


def require(
    names: Iterable[str],
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    *,
    known: Collection[str],
) -> dict[str, str]:
    """Like ``resolve`` but every name must be present."""
    wanted = tuple(names)
    found = resolve(wanted, environ, cwd, known=known)
    missing = [name for name in wanted if name not in found]
    if missing:
        raise CredentialsError(
            f"missing credentials: set {', '.join(missing)} in the environment, in .env "
            "or in the [credentials] table of the settings file"
        )
    return found


class Redactor:
    """The one redaction point: every text that leaves booker passes through it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        forms: set[str] = set()
        for secret in secrets:
            if len(secret) >= 4:
                # as written, as escaped inside JSON, as encoded in a URL or form
                forms |= {
                    secret,
                    json.dumps(secret)[1:-1],
                    quote(secret, safe=""),
                    quote_plus(secret),
                }
        self._secrets = tuple(sorted(forms, key=len, reverse=True))

    def clean(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text
