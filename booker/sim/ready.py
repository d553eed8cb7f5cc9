"""Announcing a running sim: the stdout ready line and the atomic ready file."""

from __future__ import annotations

import datetime as dt
import os
import shlex
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from booker.sim.cart_scenario import CartSpec
from booker.sim.world import World


def scenario_summary(world: World) -> dict[str, Any]:
    """What a client needs to know about the scenario to talk to the sim."""
    s = world.scenario
    if s.cart is not None:
        return cart_summary(world, s.cart)
    return {
        "provider": s.provider,
        "venue_id": s.venue.id,
        "venue_name": s.venue.name,
        "time_zone": s.venue.time_zone,
        "day": world.day,
        "party_sizes": [min(x.party_min for x in s.slots), max(x.party_max for x in s.slots)],
        "times": sorted({x.time for x in s.slots}),
        "release_at": world.release_at,
        "api_key": s.auth.api_key,
        "auth_token": s.auth.auth_token,
        "payment_method_id": s.auth.payment_method_id,
        "email": s.auth.email,
        "password": s.auth.password,
        "refresh_token": s.auth.refresh_token,
        "url_slug": s.venue.url_slug,
        "location": s.venue.location,
    }


def cart_summary(world: World, cart: CartSpec) -> dict[str, Any]:
    """The ready file's scenario block for `provider = "cart"`."""
    camp = cart.campground
    return {
        "provider": "cart",
        "contract_code": camp.contract_code,
        "facility_id": camp.facility_id,
        "sites": list(camp.sites),
        "arrival_date": world.day,
        "max_nights": camp.max_nights,
        "time_zone": camp.time_zone,
        "release_at": world.release_at,
        "authorization": cart.auth.authorization,
        "a1data": cart.auth.a1data,
    }


def usage_block(url: str, ca: Path | None, summary: dict[str, Any]) -> list[str]:
    """How to use this sim from another shell, ready to paste: its (throw-away) credentials,
    ``SIM_CA``/``SIM_DAY``/``SIM_RELEASE`` and a ``booker ping`` line."""
    if summary["provider"] == "cart":
        provider, day = "cart", summary["arrival_date"]
        credentials = {"RA_AUTHORIZATION": summary["authorization"], "RA_A1DATA": summary["a1data"]}
    else:
        provider, day = "resy", summary["day"]
        credentials = {"RESY_API_KEY": summary["api_key"], "RESY_AUTH_TOKEN": summary["auth_token"]}
    zone = ZoneInfo(summary.get("time_zone") or "UTC")
    release = dt.datetime.fromtimestamp(float(summary["release_at"]), zone).replace(microsecond=0)
    exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in credentials.items())
    variables = [f"SIM_DAY={day}", f"SIM_RELEASE={release.isoformat()}"]
    if ca is not None:
        variables.insert(0, f"SIM_CA={shlex.quote(str(ca))}")
    ping = f"booker ping {provider} --base-url {url}" + (
        f" --ca-cert {shlex.quote(str(ca))}" if ca is not None else ""
    )
    return [
        "# paste into another shell (the simulator's own throw-away credentials):",
        f"export {exports}",
        f"export {' '.join(variables)}",
        ping,
    ]


def announce(url: str, ca: Path | None, world: World, ready_file: Path | None) -> None:
    """Print the ready line (machine-readable, first) and the block a person pastes; if asked,
    write the ready file atomically."""
    line = f"booker-sim listening url={url}" + (f" ca={ca}" if ca else "")
    summary = scenario_summary(world)
    sys.stdout.write("\n".join([line, *usage_block(url, ca, summary)]) + "\n")
    sys.stdout.flush()
    if ready_file is None:
        return
    payload = {
        "url": url,
        "ca": str(ca) if ca else None,
        "http2": ca is not None,
        "pid": os.getpid(),
        "scenario": summary,
    }
    tmp = ready_file.with_name(f".{ready_file.name}.{os.getpid()}.tmp")
    tmp.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    tmp.replace(ready_file)
