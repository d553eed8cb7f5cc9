"""Scripted status faults with codes outside http.HTTPStatus."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from booker.sim.gateway import status_phrase


@pytest.mark.parametrize(
    ("status", "phrase"), [(419, "Unauthorized"), (429, "Too Many Requests"), (599, "Error")]
)
def test_status_phrase_covers_non_standard_codes(status: int, phrase: str) -> None:
    """A fault may script 419 (Resy's bad token) or any code without crashing the gateway."""
    assert status_phrase(status) == phrase


def test_slow_answers_can_target_statuses(tmp_path: Path) -> None:
    """A slow fault with statuses delays only those answers, after the app ran."""
    from booker.sim.testing import running_sim

    text = (
        'provider = "resy"\nrivals = []\n[release]\nat = "+60s"\n'
        '[[faults]]\nkind = "slow"\ndelay_ms = 300\nstatuses = [200]\npaths = ["/2/user"]\n'
    )
    with running_sim(text, tmp_dir=tmp_path) as sim, sim.client(http2=True) as client:
        started = time.monotonic()
        ok = client.get("/2/user", headers=sim.headers())
        slow = time.monotonic() - started
        started = time.monotonic()
        refused = client.get("/2/user", headers={**sim.headers(), "X-Resy-Auth-Token": "bad"})
        fast = time.monotonic() - started
    assert (ok.status_code, refused.status_code) == (200, 419)
    assert slow >= 0.3 > fast


def test_statuses_only_fit_slow_faults(tmp_path: Path) -> None:
    """statuses on another kind of fault is a scenario error, exit 2."""
    from booker.sim.scenario import ScenarioError, parse_scenario

    with pytest.raises(ScenarioError, match="statuses"):
        parse_scenario({"faults": [{"kind": "drop", "statuses": [200]}]})
    with pytest.raises(ScenarioError, match="statuses"):
        parse_scenario({"faults": [{"kind": "slow", "delay_ms": 5, "statuses": ["200"]}]})
