"""``booker settings``: show, save and forget defaults of the engine options."""

from __future__ import annotations

import click
import orjson
from click.shell_completion import CompletionItem

from booker.providers.credentials import CREDENTIAL_NAMES
from booker.store import user_settings


def complete_keys(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Shell completion: the setting names."""
    return [CompletionItem(key) for key in user_settings.KEYS if key.startswith(incomplete)]


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
Examples:
  booker settings show
  booker settings show --json | jq '.settings.cadence_ms.value'
""",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
def show(as_json: bool) -> None:
    """Print every setting, its value and whether it is saved or the default."""
    path = user_settings.settings_path()
    saved = user_settings.load(path, known=CREDENTIAL_NAMES)
    rows = user_settings.effective(saved)
    if as_json:  # never the credentials: only whether the file holds any
        document = {
            "file": str(path),
            "exists": path.exists(),
            "settings": {key: {"value": value, "source": source} for key, value, source in rows},
        }
        click.echo(orjson.dumps(document).decode())
        return
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
@click.argument("key", shell_complete=complete_keys)
@click.argument("value")
def set_(key: str, value: str) -> None:
    """Save KEY = VALUE (an integer in the same range as the command-line option)."""
    name, number = user_settings.set_value(key, value, known=CREDENTIAL_NAMES)
    click.echo(f"{name} = {number} saved in {user_settings.settings_path()}")


@settings.command(
    "reset",
    epilog="""\b
Examples:
  booker settings reset lead_ms
  booker settings reset          # every saved setting
""",
)
@click.argument("keys", nargs=-1, shell_complete=complete_keys)
def reset(keys: tuple[str, ...]) -> None:
    """Forget the given KEYS, or every saved setting when none is given."""
    removed = user_settings.reset(keys, known=CREDENTIAL_NAMES)
    if not keys:
        click.echo("all settings back to their defaults")
    elif removed:
        click.echo(f"back to the default: {', '.join(removed)}")
    else:
        click.echo("nothing to reset: none of these was saved")
