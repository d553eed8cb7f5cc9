"""Writing credentials: the ``[credentials]`` table of the settings file, owner-only.

``booker login`` stores the token it was handed here, and a run that renews the
token stores the new one. Only the named entries change: the settings, other
credentials and the user's comments stay as written (tomlkit edits the document
in place). The file is written atomically and is readable by its owner alone
(0600), as every file holding credentials must be.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import tomlkit

from booker.core.exceptions import CredentialsError
from booker.store.user_settings import (
    CREDENTIALS_TABLE,
    load_credentials,
    settings_path,
    write_private,
)

HEADER = "booker settings; [credentials] written by `booker login`. Keep it private: chmod 600"


def store(updates: Mapping[str, str], path: Path | None = None, *, known: Collection[str]) -> Path:
    """Set ``updates`` (names from ``known``, every name the providers declare) in the
    file's ``[credentials]`` table."""
    path = settings_path() if path is None else path
    unknown = [name for name in updates if name not in known]
    if unknown:
        raise CredentialsError(f"cannot store unknown credential {unknown[0]}")
    # refuses a file that does not parse, before it is rewritten
    load_credentials(path, known=known)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise CredentialsError(f"cannot read {path}: {exc.strerror}") from None
    document = tomlkit.parse(text) if text else tomlkit.document()
    if not text:
        document.add(tomlkit.comment(HEADER))
    table = document.get(CREDENTIALS_TABLE)
    if table is None:
        table = tomlkit.table()
        document[CREDENTIALS_TABLE] = table
    for name, value in updates.items():
        table[name] = value
    write_private(path, tomlkit.dumps(document), CredentialsError)
    return path
