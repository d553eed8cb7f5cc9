"""Scripted status faults with codes outside http.HTTPStatus."""

from __future__ import annotations

import pytest

from booker.sim.gateway import status_phrase


@pytest.mark.parametrize(
    ("status", "phrase"), [(419, "Unauthorized"), (429, "Too Many Requests"), (599, "Error")]
)
def test_status_phrase_covers_non_standard_codes(status: int, phrase: str) -> None:
    """A fault may script 419 (Resy's bad token) or any code without crashing the gateway."""
    assert status_phrase(status) == phrase
