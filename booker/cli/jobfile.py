"""A job file (TOML) says what the options of ``booker book PROVIDER`` say.

Each key is an option's long name (``venue_id`` or ``venue-id``; ``venues``, ``days``
and ``sites`` for the lists), its value a string, a number, a list (joined with
commas, in order of preference) or a boolean (a flag). The file becomes the command
line it stands for, which ``book`` and ``schedule`` then check as their own: the
options and the file give the same job and the same journal key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from booker.core.exceptions import UsageError
from booker.providers.credentials import PROVIDERS

ALIASES = {"venues": "venue-id", "days": "date", "sites": "site-id"}
REPEATED = frozenset({"notify"})


def job_argv(path: Path) -> tuple[str, ...]:
    """``book PROVIDER OPTIONS...`` from the job file at ``path``; UsageError when unusable."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"--job: cannot read {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"--job: {path} is not TOML: {exc}") from None
    provider = data.pop("provider", None)
    if provider not in PROVIDERS:
        named = " or ".join(f'"{name}"' for name in PROVIDERS)
        raise UsageError(f"--job: {path} must say provider = {named}")
    argv = ["book", str(provider)]
    for key, value in data.items():
        name = ALIASES.get(key, key.replace("_", "-"))
        option = f"--{name}"
        if isinstance(value, bool):
            if value:
                argv.append(option)
        elif isinstance(value, list) and key in REPEATED:
            for item in value:
                argv += [option, _text(item, path, key)]
        elif isinstance(value, list):
            argv += [option, ",".join(_text(item, path, key) for item in value)]
        else:
            argv += [option, _text(value, path, key)]
    return tuple(argv)


def _text(value: object, path: Path, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UsageError(f"--job: {path}: {key} must be text, a number or a list of them")
    return str(value)


def split_at(argv: tuple[str, ...]) -> tuple[tuple[str, ...], str | None, str | None]:
    """The command without its ``--at`` and ``--tz`` (``schedule`` adds them), and those.

    An ``--at`` or ``--tz`` followed by no value (``at = true`` in the file) stays, for
    the command's check to refuse, rather than taking the next option as its value.
    """
    rest: list[str] = []
    at = tz = None
    index = 0
    while index < len(argv):
        arg = argv[index]
        valued = index + 1 < len(argv) and not argv[index + 1].startswith("--")
        if arg in ("--at", "--tz") and valued:
            if arg == "--at":
                at = argv[index + 1]
            else:
                tz = argv[index + 1]
            index += 2
            continue
        rest.append(arg)
        index += 1
    return tuple(rest), at, tz
