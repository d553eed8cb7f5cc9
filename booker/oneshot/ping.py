"""``booker ping``'s measurement: a provider's credentials probe, timed over one warm connection.

Provider-neutral: a provider contributes a ``Probe`` (``booker.core.ports``; one request
that needs valid credentials, and how to classify its answer), as
``booker.providers.resy.credentials_probe`` does.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from booker.core.ports import Probe
from booker.core.wire import Answer, ClientConfig
from booker.engine import server_clock
from booker.net.http import HttpClient
from booker.oneshot.client import run
from booker.oneshot.errors import raise_for


@dataclass(frozen=True, slots=True)
class PingResult:
    """What ``booker ping`` measured."""

    provider: str
    base_url: str
    http_version: str
    first_ms: float
    rtt_ms: tuple[float, ...]
    offset: server_clock.Estimate | None  # offset_s = local - server

    @property
    def median_ms(self) -> float:
        """Median round trip over the warm connection."""
        return statistics.median(self.rtt_ms)


async def _ping(config: ClientConfig, probe: Probe, samples: int) -> PingResult:
    async with HttpClient(config) as client:
        prepared = client.prepare(probe.request)
        answers: list[Answer] = []

        async def send() -> str | None:
            answer = await client.send(prepared)
            raise_for(answer, config.base_url, verdict=probe.classify(answer))
            answers.append(answer)
            return answer.date

        await send()  # warms the connection (DNS, TCP, TLS, ALPN); not timed
        # --samples counts timed requests: one probe per second boundary, as many as asked
        offset = await server_clock.estimate_offset(send, samples, per_boundary=1)
    return PingResult(
        provider=probe.provider,
        base_url=config.base_url,
        http_version=answers[-1].http_version,
        first_ms=answers[0].elapsed_s * 1000,
        rtt_ms=tuple(a.elapsed_s * 1000 for a in answers[1:]),
        offset=offset,
    )


def ping(config: ClientConfig, probe: Probe, samples: int = 5) -> PingResult:
    """Warm one connection with the probe, then time ``samples`` more on it.

    The timed requests double as clock probes (``booker.engine.server_clock``): each
    is sent so it reaches the service on a predicted second boundary, which pins the
    service's clock to about one round trip and makes ``ping`` last a few seconds.
    """
    return run(_ping(config, probe, samples))
