"""Every provider is named once, by itself (``resy.NAME``); the registry in
``providers/credentials.py`` lists them, and the commands that list providers read it."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from booker.cli.book import PREPARE, book, check_book_command
from booker.cli.history import history
from booker.cli.jobfile import job_argv
from booker.core.exceptions import UsageError
from booker.providers import cart, resy
from booker.providers.credentials import PROVIDERS


def test_the_registry_lists_every_provider_in_the_old_order() -> None:
    """resy, then cart: the order help text and messages list them in (byte-identical)."""
    assert PROVIDERS == (resy.NAME, cart.NAME) == ("resy", "cart")


def test_every_provider_can_be_booked_and_shown() -> None:
    """Each has a ``book`` command and a way to prepare it, and is a ``history --provider``."""
    assert tuple(book.commands) == PROVIDERS
    assert tuple(PREPARE) == PROVIDERS
    [choice] = [p for p in history.params if p.name == "provider"]
    assert isinstance(choice.type, click.Choice)
    assert tuple(choice.type.choices) == PROVIDERS


def test_messages_that_list_the_providers_keep_their_words(tmp_path: Path) -> None:
    """A job file or command naming no provider booker has: the same words as before."""
    job = tmp_path / "job.toml"
    job.write_text('provider = "opentable"\n', encoding="utf-8")
    with pytest.raises(UsageError) as from_file:
        job_argv(job)
    assert str(from_file.value) == f'--job: {job} must say provider = "resy" or "cart"'
    with pytest.raises(UsageError) as from_argv:
        check_book_command(("book", "opentable"))
    assert str(from_argv.value) == (
        "the command after --: no provider 'opentable' (use resy or cart)"
    )
