"""The words of the engine options and of ``booker settings``, byte for byte.

The help, defaults and ranges are generated from one table (``booker.core.settings``);
these snapshots were taken from the hand-written options before the table existed.
``BOOKER_WRITE_SNAPSHOTS=1`` rewrites them (then read the diff).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


# Runs in a fresh interpreter, as the user's shell would: click keeps a command's help
# option once built, and other tests build `book resy` without the root's "-h".
RUNNER = """
import contextlib, io, json, sys
from booker.cli import main
texts = {}
for name, argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exited:
            code = exited.code
    texts[name] = f"exit {code}\\n--- stdout\\n{out.getvalue()}--- stderr\\n{err.getvalue()}"
print(json.dumps(texts))
"""


def run_all(cases: list[tuple[str, tuple[str, ...]]], config: Path) -> dict[str, str]:
    """Exit code, stdout and stderr of ``booker ARGV`` for every case, one after the other in
    one config directory (its path written ``<config>``), help at 80 columns."""
    env = {**os.environ, "BOOKER_CONFIG_DIR": str(config), "COLUMNS": "80"}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps(cases)],
        env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    texts: dict[str, str] = json.loads(done.stdout)
    return {name: text.replace(str(config), "<config>") for name, text in texts.items()}


def test_engine_options_and_settings_read_as_before(tmp_path: Path) -> None:
    """Every case prints what its snapshot holds."""
    config = tmp_path / "cfg"
    differ = []
    for (name, argv), text in zip(CASES, run_all(CASES, config).values(), strict=True):
        path = SNAPSHOTS / f"{name}.txt"
        if WRITE:
            path.write_text(text, encoding="utf-8")
        elif path.read_text(encoding="utf-8") != text:
            differ.append(f"{name}: booker {' '.join(argv)}\n{text}")
    assert not differ, "\n".join(differ)


def test_a_saved_value_out_of_range_is_refused_as_before(tmp_path: Path) -> None:
    """The settings file's values go through the same ranges, and say so the same way."""
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "settings.toml").write_text("retries = 11\n", encoding="utf-8")
    (text,) = run_all([("bad", ("settings", "show"))], config).values()
    assert text == (
        "exit 2\n--- stdout\n--- stderr\nbooker: error: <config>/settings.toml: "
        "retries must be between 0 and 10 (got 11)\n"
    )
