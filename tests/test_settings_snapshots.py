"""The words of the engine options and of ``booker settings``, byte for byte.

The help, defaults and ranges are generated from one table (``booker.core.settings``);
these snapshots were taken from the hand-written options before the table existed.
``BOOKER_WRITE_SNAPSHOTS=1`` rewrites them (then read the diff).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from booker.cli import main

SNAPSHOTS = Path(__file__).parent / "snapshots"
WRITE = os.environ.get("BOOKER_WRITE_SNAPSHOTS") == "1"

JOB = ("book", "resy", "--venue-id", "1", "--party-size", "2", "--date", "2099-01-01",
       "--times", "19:00")  # fmt: skip

# snapshot name -> booker's arguments, run one after the other in one config directory
CASES: list[tuple[str, tuple[str, ...]]] = [
    ("book_resy_help", ("book", "resy", "--help")),
    ("book_cart_help", ("book", "cart", "--help")),
    ("book_resy_cadence_too_low", (*JOB, "--cadence-ms", "10")),
    ("book_resy_workers_too_many", (*JOB, "--workers", "17")),
    ("book_resy_max_duration_too_short", (*JOB, "--max-duration", "5")),
    ("book_resy_lead_too_long", (*JOB, "--at", "10:00", "--lead-ms", "5001")),
    ("settings_help", ("settings", "--help")),
    ("settings_show_help", ("settings", "show", "--help")),
    ("settings_set_help", ("settings", "set", "--help")),
    ("settings_reset_help", ("settings", "reset", "--help")),
    ("settings_show_fresh", ("settings", "show")),
    ("settings_show_fresh_json", ("settings", "show", "--json")),
    ("settings_set_cadence", ("settings", "set", "cadence_ms", "200")),
    ("settings_set_dashed", ("settings", "set", "lead-ms", "300")),
    ("settings_set_workers_auto", ("settings", "set", "workers", "0")),
    ("settings_set_too_high", ("settings", "set", "max_duration_s", "601")),
    ("settings_set_too_low", ("settings", "set", "prewarm_s", "0")),
    ("settings_set_unknown", ("settings", "set", "speed", "1")),
    ("settings_set_not_a_number", ("settings", "set", "retries", "many")),
    ("settings_show_saved", ("settings", "show")),
    ("settings_show_saved_json", ("settings", "show", "--json")),
    ("settings_reset_one", ("settings", "reset", "lead_ms")),
    ("settings_reset_all", ("settings", "reset")),
]


def run(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], config: Path) -> str:
    """Exit code, stdout and stderr of ``booker ARGV``, with the config directory's path
    written as ``<config>``."""
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    out, err = capsys.readouterr()
    text = f"exit {exited.value.code}\n--- stdout\n{out}--- stderr\n{err}"
    return text.replace(str(config), "<config>")


def test_engine_options_and_settings_read_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every case prints what its snapshot holds (help at 80 columns)."""
    config = tmp_path / "cfg"
    monkeypatch.setenv("BOOKER_CONFIG_DIR", str(config))
    monkeypatch.setenv("COLUMNS", "80")
    differ = []
    for name, argv in CASES:
        text = run(capsys, argv, config)
        path = SNAPSHOTS / f"{name}.txt"
        if WRITE:
            path.write_text(text, encoding="utf-8")
        elif path.read_text(encoding="utf-8") != text:
            differ.append(f"{name}: booker {' '.join(argv)}\n{text}")
    assert not differ, "\n".join(differ)


def test_a_saved_value_out_of_range_is_refused_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The settings file's values go through the same ranges, and say so the same way."""
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "settings.toml").write_text("retries = 11\n", encoding="utf-8")
    monkeypatch.setenv("BOOKER_CONFIG_DIR", str(config))
    text = run(capsys, ("settings", "show"), config)
    assert text == (
        "exit 2\n--- stdout\n--- stderr\nbooker: error: <config>/settings.toml: "
        "retries must be between 0 and 10 (got 11)\n"
    )
