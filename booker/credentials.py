"""Where secrets come from (environment, then ``.env``) and how they are kept out of text."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from booker.exceptions import CredentialsError

REDACTED = "***"


def read_env_file(path: Path) -> dict[str, str]:
    """Parse ``KEY=VALUE`` lines (``export``, quotes and comments allowed)."""
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CredentialsError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise CredentialsError(f"cannot read {path}: not UTF-8 text") from exc
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.removeprefix("export ").strip().partition("=")
        if not sep:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def check_private(path: Path) -> None:
    """Refuse a secrets file that group or others can read, as ssh does."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsError(
            f"{path} holds credentials but is readable by others; run: chmod 600 {path}"
        )


def resolve(
    names: Iterable[str], environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> dict[str, str]:
    """Each of ``names`` from the environment, else from ``.env`` in ``cwd``."""
    environ = os.environ if environ is None else environ
    wanted = tuple(names)
    found = {name: environ[name] for name in wanted if environ.get(name)}
    missing = [name for name in wanted if name not in found]
    env_file = (cwd or Path.cwd()) / ".env"
    if missing and env_file.is_file():
        from_file = read_env_file(env_file)
        if any(from_file.get(name) for name in wanted):
            check_private(env_file)
        found.update({name: from_file[name] for name in missing if from_file.get(name)})
    return found


def require(
    names: Iterable[str], environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> dict[str, str]:
    """Like ``resolve`` but every name must be present."""
    wanted = tuple(names)
    found = resolve(wanted, environ, cwd)
    missing = [name for name in wanted if name not in found]
    if missing:
        raise CredentialsError(
            f"missing credentials: set {', '.join(missing)} in the environment or in .env"
        )
    return found


class Redactor:
    """The one redaction point: every text that leaves booker passes through it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = tuple(sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True))

    def clean(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text
