"""Every test runs with its own config, data and log directories (never the user's)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def private_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point BOOKER_CONFIG_DIR, BOOKER_DATA_DIR and BOOKER_LOG_DIR at a fresh folder."""
    base: Path = tmp_path_factory.mktemp("user")
    for variable, name in (
        ("BOOKER_CONFIG_DIR", "config"),
        ("BOOKER_DATA_DIR", "data"),
        ("BOOKER_LOG_DIR", "logs"),
    ):
        monkeypatch.setenv(variable, str(base / name))
