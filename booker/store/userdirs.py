"""The user's directories for booker, XDG style, each with its own override variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def user_dir(
    override: str,
    xdg_variable: str,
    fallback: tuple[str, ...],
    environ: Mapping[str, str] | None = None,
    sub: str = "",
) -> Path:
    """``$override``, else ``$xdg_variable/booker/<sub>``, else ``~/<fallback>/booker/<sub>``.

    The XDG spec says to ignore relative paths, so a relative ``$xdg_variable`` is.
    """
    environ = os.environ if environ is None else environ
    given = environ.get(override)
    if given:
        return Path(given).expanduser()
    xdg = environ.get(xdg_variable, "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home().joinpath(*fallback)
    return base / "booker" / sub if sub else base / "booker"
