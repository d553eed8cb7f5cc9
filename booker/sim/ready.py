"""Announcing a running sim: the stdout ready line and the atomic ready file."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

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
        "release_at": world.release_at,
        "authorization": cart.auth.authorization,
        "a1data": cart.auth.a1data,
    }


def announce(url: str, ca: Path | None, world: World, ready_file: Path | None) -> None:
    """Print the one ready line and, if asked, write the ready file atomically."""
    line = f"booker-sim listening url={url}" + (f" ca={ca}" if ca else "")
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    if ready_file is None:
        return
    payload = {
        "url": url,
        "ca": str(ca) if ca else None,
        "http2": ca is not None,
        "pid": os.getpid(),
        "scenario": scenario_summary(world),
    }
    tmp = ready_file.with_name(f".{ready_file.name}.{os.getpid()}.tmp")
    tmp.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
    tmp.replace(ready_file)
