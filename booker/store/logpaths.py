"""Where run logs go by default: one new file per run in the user's state directory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from booker.store.userdirs import user_dir

LOG_DIR_VARIABLE = "BOOKER_LOG_DIR"


def log_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$BOOKER_LOG_DIR``, else ``$XDG_STATE_HOME/booker/logs``, else ``~/.local/state/booker/logs``."""
    return user_dir(LOG_DIR_VARIABLE, "XDG_STATE_HOME", (".local", "state"), environ, sub="logs")


def default_log_path(
    venue_id: int | str,
    now: dt.datetime | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """``<log dir>/venue_<id>_<YYYYmmdd-HHMMSS>.log``, with ``-1``, ``-2``... if it already exists.

    Creates the directory (private to the user) so the caller can open the file at once.
    """
    moment = now if now is not None else dt.datetime.now()
    directory = log_dir(environ)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = f"venue_{venue_id}_{moment:%Y%m%d-%H%M%S}"
    candidate = directory / f"{stem}.log"
    counter = 0
    while candidate.exists():
        counter += 1
        candidate = directory / f"{stem}-{counter}.log"
    return candidate
