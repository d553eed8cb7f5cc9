"""`booker sim` says how to use it: a block to paste, with its credentials and a ping line."""

from __future__ import annotations

import shlex
from pathlib import Path

from booker.sim.ready import usage_block

CART = {
    "provider": "cart",
    "arrival_date": "2027-01-03",
    "release_at": 1796392800.0,
    "time_zone": "America/New_York",
    "authorization": "eyJ.a.b",
    "a1data": '{"sim":"a1data","user":"camper"}',
}


def test_cart_block_pastes_into_a_shell() -> None:
    """Quoted so a shell reads the JSON cookie back exactly; the ping line names URL and CA."""
    lines = usage_block("https://127.0.0.1:8443", Path("/tmp/sim dir/ca.pem"), CART)
    assert lines[0].startswith("#")
    exports = dict(word.split("=", 1) for word in shlex.split(lines[1])[1:])
    assert exports == {"RA_AUTHORIZATION": "eyJ.a.b", "RA_A1DATA": CART["a1data"]}
    variables = dict(word.split("=", 1) for word in shlex.split(lines[2])[1:])
    assert variables == {
        "SIM_CA": "/tmp/sim dir/ca.pem",
        "SIM_DAY": "2027-01-03",
        "SIM_RELEASE": "2026-12-04T09:00:00-05:00",
    }
    assert shlex.split(lines[3]) == [
        "booker", "ping", "cart", "--base-url", "https://127.0.0.1:8443",
        "--ca-cert", "/tmp/sim dir/ca.pem",
    ]  # fmt: skip


def test_plain_block_has_no_ca() -> None:
    """--plain: no CA to trust, so none is named."""
    resy = {"provider": "resy", "day": "2027-01-03", "release_at": 0.0, "time_zone": "UTC",
            "api_key": "K" * 32, "auth_token": "tok"}  # fmt: skip
    lines = usage_block("http://127.0.0.1:8080", None, resy)
    assert lines[1] == f"export RESY_API_KEY={'K' * 32} RESY_AUTH_TOKEN=tok"
    assert "SIM_CA" not in lines[2] and "--ca-cert" not in lines[3]
