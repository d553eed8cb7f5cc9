"""``booker completion SHELL``: print the shell completion script.

The script is click's own (the same as ``_BOOKER_COMPLETE=bash_source booker``);
completions are then computed by booker itself, so they follow every command and option.
"""

from __future__ import annotations

import click
from click.shell_completion import get_completion_class

SHELLS = ("bash", "zsh", "fish")


@click.command(
    "completion",
    epilog="""\b
Examples:
  eval "$(booker completion bash)"                                   # in ~/.bashrc
  eval "$(booker completion zsh)"                                    # in ~/.zshrc
  booker completion fish > ~/.config/fish/completions/booker.fish
""",
)
@click.argument("shell", type=click.Choice(SHELLS))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> int:
    """Print the completion script for bash, zsh or fish."""
    click.echo(completion_script(ctx.find_root(), shell))
    return 0


def completion_script(root: click.Context, shell: str) -> str:
    """The script of ``shell`` for the program ``root`` describes."""
    prog_name = root.info_name or "booker"
    complete_var = f"_{prog_name}_COMPLETE".replace("-", "_").upper()
    cls = get_completion_class(shell)
    if cls is None:  # click knows every shell of SHELLS; this guards a future click
        raise click.BadParameter(f"no completion for {shell}", param_hint="SHELL")
    return cls(root.command, {}, prog_name, complete_var).source()
