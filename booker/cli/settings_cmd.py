"""``booker settings``: show, save and forget defaults of the engine options."""

from __future__ import annotations

import click

from booker import user_settings


@click.group(
    "settings",
    epilog="""\b
Examples:
  booker settings show
  booker settings set cadence_ms 200
  booker settings reset lead_ms
  booker settings reset
""",
)
def settings() -> None:
    """Saved defaults of the engine options (the command line still wins)."""


@settings.command(
    "show",
    epilog="""\b
Example:
  booker settings show
""",
)
def show() -> None:
    """Print every setting, its value and whether it is saved or the default."""
    path = user_settings.settings_path()
    saved = user_settings.load(path)
    rows = user_settings.effective(saved)
    width = max(len(key) for key, _, _ in rows)
    for key, value, source in rows:
        click.echo(f"{key:<{width}}  {value:>5}  {source}")
    state = "" if path.exists() else " (not created yet)"
    click.echo(f"file: {path}{state}")


@settings.command(
    "set",
    context_settings={"ignore_unknown_options": True},  # VALUE may be "-5": a value, not an option
    epilog="""\b
Examples:
  booker settings set cadence_ms 200
  booker settings set lead-ms 300
""",
)
@click.argument("key")
@click.argument("value")
def set_(key: str, value: str) -> None:
    """Save KEY = VALUE (an integer in the same range as the command-line option)."""
    name, number = user_settings.set_value(key, value)
    click.echo(f"{name} = {number} saved in {user_settings.settings_path()}")


@settings.command(
    "reset",
    epilog="""\b
Examples:
  booker settings reset lead_ms
  booker settings reset          # every saved setting
""",
)
@click.argument("keys", nargs=-1)
def reset(keys: tuple[str, ...]) -> None:
    """Forget the given KEYS, or every saved setting when none is given."""
    removed = user_settings.reset(keys)
    if not keys:
        click.echo("all settings back to their defaults")
    elif removed:
        click.echo(f"back to the default: {', '.join(removed)}")
    else:
        click.echo("nothing to reset: none of these was saved")
