"""An emulated internet link, applied on the server side so loopback tests see real distances.

A request "reaches" the service half a round trip (plus up to ``jitter_ms``)
after it arrived on loopback; the first request of a new connection also pays
``handshake_rtts`` round trips (TCP, TLS). The answer is stamped (``Date``, the
ledger) at the service, then leaves half a round trip (plus jitter) later. With
the defaults nothing is delayed: loopback stays loopback.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Network:
    """The ``[network]`` table of a scenario."""

    rtt_ms: float = 0.0
    jitter_ms: float = 0.0  # up to this much more, each way, uniformly drawn
    handshake_rtts: int = 2  # before a new connection's first request: TCP, then TLS 1.3

    @property
    def emulated(self) -> bool:
        """True when anything is delayed at all."""
        return self.rtt_ms > 0 or self.jitter_ms > 0


class Link:
    """Per-request delays for one simulator; remembers which connections have shaken hands."""

    def __init__(self, network: Network, rng: random.Random) -> None:
        self.network = network
        self.rng = rng
        self._connections: set[object] = set()

    def inbound_s(self, connection: object) -> float:
        """Seconds until a request that just arrived on ``connection`` reaches the service."""
        network = self.network
        if not network.emulated:
            return 0.0
        delay = self._one_way_s()
        if connection not in self._connections:
            self._connections.add(connection)
            delay += network.handshake_rtts * network.rtt_ms / 1000
        return delay

    def outbound_s(self) -> float:
        """Seconds an answer takes to travel back."""
        return self._one_way_s() if self.network.emulated else 0.0

    def _one_way_s(self) -> float:
        network = self.network
        return (network.rtt_ms / 2 + self.rng.uniform(0.0, network.jitter_ms)) / 1000
