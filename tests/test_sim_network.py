"""The simulator's emulated internet link: round trip, jitter, handshakes, stamped at the service."""

from __future__ import annotations

import random
import statistics
import time
import tomllib
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from booker.sim.network import Link, Network
from booker.sim.scenario import ScenarioError, parse_scenario


def test_loopback_is_the_default() -> None:
    """Without [network] nothing is delayed."""
    link = Link(parse_scenario({}).network, random.Random(1))
    assert link.inbound_s(("127.0.0.1", 5000)) == 0.0
    assert link.outbound_s() == 0.0


def test_delays_follow_the_table() -> None:
    """Half a round trip plus jitter each way; handshakes once per connection."""
    network = parse_scenario(
        tomllib.loads("[network]\nrtt_ms = 30\njitter_ms = 3\nhandshake_rtts = 2")
    ).network
    assert network == Network(30.0, 3.0, 2)
    link = Link(network, random.Random(7))
    first = link.inbound_s(("127.0.0.1", 5000))
    assert 0.015 + 0.060 <= first <= 0.018 + 0.060
    again = [link.inbound_s(("127.0.0.1", 5000)) for _ in range(200)]
    assert all(0.015 <= d <= 0.018 for d in again)
    assert link.inbound_s(("127.0.0.1", 5001)) >= 0.075  # a new connection shakes hands again
    back = [link.outbound_s() for _ in range(200)]
    assert all(0.015 <= d <= 0.018 for d in back) and statistics.pstdev(back) > 0


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[network]\nrtt_ms = -1", "network.rtt_ms"),
        ("[network]\njitter_ms = 20000", "network.jitter_ms"),
        ("[network]\nhandshake_rtts = 11", "network.handshake_rtts"),
        ("[network]\nlatency = 3", "unknown key"),
    ],
)
def test_bad_network_tables(text: str, needle: str) -> None:
    with pytest.raises(ScenarioError, match=needle):
        parse_scenario(tomllib.loads(text))


@pytest.mark.e2e
def test_a_client_sees_the_round_trip_and_the_date_stamped_at_the_service(tmp_path: Path) -> None:
    """Over loopback a warm request takes the emulated 40 ms; a new connection two more RTTs."""
    from booker.sim.testing import running_sim

    scenario = 'provider = "resy"\nrivals = []\n[network]\nrtt_ms = 40\njitter_ms = 2\n'
    with running_sim(scenario, tmp_dir=tmp_path) as sim, sim.client(http2=sim.http2) as client:
        path = f"/2/config?venue_id={sim.scenario['venue_id']}"
        headers = sim.headers(user=False)
        began = time.perf_counter()
        client.get(path, headers=headers).raise_for_status()
        cold = time.perf_counter() - began
        warm = []
        for _ in range(5):
            began = time.perf_counter()
            response = client.get(path, headers=headers)
            ended = time.perf_counter()
            warm.append(ended - began)
            stamped = parsedate_to_datetime(response.headers["date"]).timestamp()
            assert stamped <= time.time()  # (no skew here) stamped before the answer came back
    assert min(warm) >= 0.040 and statistics.median(warm) < 0.040 + 0.030
    assert cold >= 3 * 0.040
