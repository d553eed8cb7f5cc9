"""The services booker books on, one at a time: each owns its requests, readers and flow.

A provider's readers are pure (``Request`` values out, ``Answer`` values in, a ``Verdict``
back); its flow drives a drop through ``core.ports.WorkerIO`` and imports nothing of the
engine. Adding a provider: docs/ARCHITECTURE.md, "Adding a provider in five steps".

    common            JSON decoding and the status classes every service shares
    base              what every flow shares: warming up with retries
    resy              Resy's requests and readers, its credentials probe
    resy_account      Resy's account calls as requests and readers (sign-in, cards, Notify)
    resy_credentials  Resy's credentials: their names, and loading them
    resy_flow         Resy's drop: warm, poll /4/find, details, book; its job value
    cart              the campsite cart's requests and readers, its credentials probe
    cart_credentials  the cart's credentials: their names, and loading them
    cart_flow         the cart's drop: read the cart, add to cart every tick; its job value
"""
