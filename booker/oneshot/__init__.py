"""Requests outside a drop: one client, one loop, one error translation.

The everyday commands (``slots``, ``venue``, ``drop``, ``ping``, ``cards``, ``login``,
``check``) and a run's preparation (the venue's zone, a token renewed before the drop,
Resy Notify after it) send a request or a few and are done. Each opens one client on
its own uvloop loop (``client``) and turns an answer that ends the command into a
``BookerError`` at one boundary (``errors``); the answers are read by the providers'
pure readers.

    client          client_config, run, exchange: one client, one loop
    errors          raise_for, read: an answer (or a provider's verdict) -> the BookerError
    resy_lookups    a Resy venue, its release facts, the slots it offers now
    resy_account    sign in, refresh, a venue by its address, cards, Resy Notify
    token_renewal   a token renewed before a run; warnings when one will not last
    ping            credentials, round trip and the service's clock, by a provider's Probe

It sits above the providers, the engine (its reading of a service's clock), the HTTP edge
and the store, and below the command line.
"""
