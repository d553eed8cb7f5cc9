"""One row per engine setting drives the options, the settings file's keys and the checks."""

from __future__ import annotations

import dataclasses

import click
import pytest

from booker.cli.book import book_cart, book_resy
from booker.cli.runner import EngineArgs, engine_settings
from booker.core.exceptions import UsageError
from booker.core.settings import SETTINGS, Setting
from booker.store import user_settings

REQUIRED = {
    "resy": ["--venue-id", "1", "--party-size", "2", "--date", "2099-01-01", "--times", "19:00"],
    "cart": ["--contract-code", "NY", "--facility-id", "1", "--site-id", "2",
             "--arrival-date", "2099-01-01", "--nights", "1"],
}  # fmt: skip


@pytest.mark.parametrize("command", [book_resy, book_cart], ids=["resy", "cart"])
@pytest.mark.parametrize("setting", SETTINGS.values(), ids=list(SETTINGS))
def test_each_row_is_one_option_of_every_book_command(
    command: click.Command, setting: Setting
) -> None:
    """Its option and older spellings, no default of its own (saved settings fill it), its help."""
    (option,) = [p for p in command.params if p.name == setting.param]
    assert isinstance(option, click.Option)
    assert option.opts == [setting.option, *setting.aliases]
    assert option.type is click.INT
    with command.make_context("book", list(REQUIRED[str(command.name)])) as ctx:
        assert ctx.params[setting.param] is None
    assert option.help == setting.help_text


def test_the_command_line_arguments_hold_every_setting() -> None:
    """EngineArgs has a field for each row, under the option's parameter name."""
    fields = {field.name for field in dataclasses.fields(EngineArgs)}
    assert {setting.param for setting in SETTINGS.values()} <= fields


def args(**given: int) -> EngineArgs:
    """The command line with only ``given`` settings (by parameter name)."""
    unset = {field.name: None for field in dataclasses.fields(EngineArgs)}
    flags = {"clock": "server", "dry_run": False, "force": False, "allow_multiple": False,
             "as_json": False, "notify_timeout": 30.0, "notify": ()}  # fmt: skip
    return EngineArgs(**{**unset, **flags, **given})  # type: ignore[arg-type]


@pytest.mark.parametrize("setting", SETTINGS.values(), ids=list(SETTINGS))
def test_command_line_then_saved_then_the_tables_default(setting: Setting) -> None:
    """Each setting: the option wins, then the settings file, then the row's default."""
    low, high = setting.low, setting.high
    assert getattr(engine_settings(args(), {}), setting.name) == setting.default
    assert getattr(engine_settings(args(), {setting.name: low}), setting.name) == low
    chosen = engine_settings(args(**{setting.param: high}), {setting.name: low})
    assert getattr(chosen, setting.name) == high


def test_the_settings_file_knows_the_same_keys_and_defaults() -> None:
    assert tuple(SETTINGS) == user_settings.KEYS
    assert user_settings.default_values() == {s.name: s.default for s in SETTINGS.values()}


def test_help_says_range_and_default_or_how_zero_chooses() -> None:
    retries, workers = SETTINGS["retries"], SETTINGS["workers"]
    assert retries.help_text == (
        "Retries of a booking attempt that fails transiently (0-10) [default: 3]."
    )
    assert workers.help_text == "Worker processes [default: min(concurrency, CPUs)]."
    workers.check("--workers", 0)  # 0: choose for me
    with pytest.raises(UsageError, match="between 1 and 16"):
        workers.check("--workers", -1)
