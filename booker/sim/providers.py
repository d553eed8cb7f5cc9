"""Pick the provider app a scenario asks for and put the shared gateway in front of it."""

from __future__ import annotations

from booker.sim.cart_app import CartApp
from booker.sim.gateway import Dropper, Gateway
from booker.sim.resy_app import ResyApp
from booker.sim.world import World


def build_gateway(world: World, dropper: Dropper) -> Gateway:
    """The ASGI app for `world.scenario.provider` ("resy" or "cart")."""
    if world.scenario.provider == "cart":
        cart = CartApp(world)
        return Gateway(world, cart, dropper, actors=cart.run_rivals)
    return Gateway(world, ResyApp(world), dropper)
