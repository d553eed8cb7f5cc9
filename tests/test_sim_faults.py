"""Scripted faults, drops, rate limiting, plain HTTP and clean shutdown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from booker.sim.testing import SimHandle, running_sim

FAULTS = """
rivals = []
[release]
at = "+0s"
[[faults]]
kind = "status"
status = 503
paths = ["/2/config"]
[[faults]]
kind = "drop"
paths = ["/3/venue"]
[[faults]]
kind = "slow"
delay_ms = 300
paths = ["/2/user"]
[[faults]]
kind = "malformed"
body = "html"
paths = ["/3/user/reservations"]
[[faults]]
kind = "malformed"
body = "truncated"
paths = ["/4/find"]
[[faults]]
kind = "malformed"
body = "wrong_types"
paths = ["/3/details"]
[[faults]]
kind = "status"
status = 429
start = "+100s"
paths = ["/3/cancel"]
"""


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimHandle]:
    with running_sim(FAULTS, tmp_dir=tmp_path_factory.mktemp("faults")) as handle:
        yield handle


def test_status_fault(sim: SimHandle) -> None:
    with sim.client(headers=sim.headers()) as c:
        r = c.get("/2/config", params={"venue_id": 60029})
    assert r.status_code == 503
    assert r.json() == {"status": 503, "message": "Service Unavailable"}


@pytest.mark.parametrize("http2", [False, True])
def test_drop_is_a_transport_error(sim: SimHandle, http2: bool) -> None:
    with sim.client(http2=http2, headers=sim.headers()) as c:
        assert c.get("/2/config", params={"venue_id": 60029}).status_code == 503  # warm
        with pytest.raises(httpx.TransportError):
            c.get("/3/venue", params={"id": 60029})
        assert c.get("/2/config", params={"venue_id": 60029}).status_code == 503  # reconnects
    drops = [r for r in sim.ledger()["requests"] if r["path"] == "/3/venue"]
    assert drops[-1]["status"] == 0
    assert drops[-1]["fault"] == "drop"
    assert drops[-1]["http_version"] == ("2" if http2 else "1.1")


def test_slow(sim: SimHandle) -> None:
    with sim.client(headers=sim.headers()) as c:
        r = c.get("/2/user")
    assert r.status_code == 200
    assert r.elapsed.total_seconds() >= 0.29


def test_malformed_bodies(sim: SimHandle) -> None:
    day = sim.scenario["day"]
    with sim.client(headers=sim.headers()) as c:
        html = c.get("/3/user/reservations")
        assert html.status_code == 200
        assert html.headers["content-type"].startswith("text/html")
        params = {"lat": 0, "long": 0, "day": day, "party_size": 2, "venue_id": 60029}
        cut = c.get("/4/find", params=params)
        assert cut.status_code == 200
        assert cut.text.startswith('{"query"')
        with pytest.raises(ValueError, match=r"JSON|Expecting|Unterminated|EOF"):
            cut.json()
        wrong = c.post("/3/details", json={"config_id": "x", "day": day, "party_size": 2})
        assert wrong.status_code == 200
        assert not isinstance(wrong.json()["book_token"], dict)
        later = c.post("/3/cancel", data={"resy_token": "rr://x"})
        assert later.status_code == 404  # the 429 window has not started
    faults = {(r["path"], r["fault"]) for r in sim.ledger()["requests"]}
    assert {
        ("/2/config", "503-window"),
        ("/2/user", "slow"),
        ("/3/user/reservations", "malformed"),
        ("/4/find", "malformed"),
        ("/3/details", "malformed"),
        ("/3/cancel", None),
    } <= faults


RATE_LIMITED = """
rivals = []
[rate_limit]
rate_per_s = 1.0
burst = 3
"""


def test_rate_limit_plain_http_and_clean_stop(tmp_path: Path) -> None:
    with running_sim(RATE_LIMITED, plain=True, tmp_dir=tmp_path) as sim:
        assert sim.url.startswith("http://127.0.0.1:")
        assert sim.ca is None
        assert not sim.http2
        with sim.client(headers=sim.headers()) as c:
            codes = [c.get("/2/config", params={"venue_id": 60029}).status_code for _ in range(5)]
            last = c.get("/2/config", params={"venue_id": 60029})
        assert codes == [200, 200, 200, 429, 429]
        assert last.json() == {"status": 429, "message": "Too Many Requests"}
        with sim.client(headers=sim.headers(), http1=False, http2=True) as h2c:
            other = {**sim.headers(), "X-Resy-Auth-Token": "someone-else"}
            r = h2c.get("/2/config", params={"venue_id": 60029}, headers=other)
        assert (r.http_version, r.status_code) == ("HTTP/2", 200)
        ledger = sim.ledger()
        assert [q["fault"] for q in ledger["requests"]].count("rate_limit") == 3
        assert sim.stop() == 0
        assert not (tmp_path / "sim-ready.json").exists()
        assert "Traceback" not in sim.log()


def test_default_scenario_tls_and_ca_cleanup(tmp_path: Path) -> None:
    with running_sim(None, tmp_dir=tmp_path) as sim:
        assert sim.ca is not None
        assert sim.ca.exists()
        assert sim.scenario["times"] == ["18:30:00", "19:00:00", "19:30:00", "20:00:00"]
        assert sim.scenario["party_sizes"] == [1, 4]
        assert sim.scenario["release_at"] == pytest.approx(sim.ledger()["started_at"] + 3.0)
        assert sim.log().startswith(f"booker-sim listening url={sim.url} ca={sim.ca}\n")
        assert sim.stop() == 0
        assert not sim.ca.exists()
